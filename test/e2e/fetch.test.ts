/**
 * Fetching sources end to end (issue 7): the real binary builds spells whose
 * sources are tarballs of small C programs served by an HTTP server started
 * here (127.0.0.1, a random port). What is checked: the files on disk (the
 * installed program runs, the source cache, the rejected files), the output
 * lines, the exit statuses, and the requests the server saw.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { files, type Handler, serve, sha256, type TestServer } from '../fetch/helpers.js';
import { runJux, startJux, tempDir, type RunResult } from '../helpers/run.js';

const made: string[] = [];
function scratch(prefix: string): string {
  const d = tempDir(prefix);
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const servers: TestServer[] = [];
async function server(handler: Handler): Promise<TestServer> {
  const s = await serve(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** What a program built from tarball() prints. */
function greeting(name: string, version: string): string {
  return `${name} ${version}, built from a downloaded tarball`;
}

/**
 * NAME-VERSION.tar.gz holding NAME-VERSION/NAME.c (a program printing its
 * greeting) and, with `padding`, that many random bytes in a data file (a
 * large, incompressible download).
 */
function tarball(name: string, version = '1.0', padding = 0): Buffer {
  const dir = scratch('jux-fetch-tar-');
  const top = path.join(dir, `${name}-${version}`);
  fs.mkdirSync(top);
  fs.writeFileSync(path.join(top, `${name}.c`), `#include <stdio.h>\nint main(void) { puts("${greeting(name, version)}"); return 0; }\n`);
  if (padding > 0) fs.writeFileSync(path.join(top, 'data.bin'), randomBytes(padding));
  const out = path.join(dir, `${name}-${version}.tar.gz`);
  execFileSync('tar', ['-C', dir, '-czf', out, `${name}-${version}`]);
  return fs.readFileSync(out);
}

interface SourceSpec {
  file: string;
  urls: string[];
  sha256?: string;
}

/** A spell tree and jux.yaml in a temporary directory; spells built from tarballs with cc. */
class Tree {
  readonly dir = scratch('jux-fetch-');
  constructor(yaml = '') {
    fs.writeFileSync(path.join(this.dir, 'jux.yaml'), `roots: [spells]\n${yaml}`);
  }
  spell(
    name: string,
    o: { version?: string; sources: SourceSpec[]; depends?: string[]; install?: string; scripts?: Record<string, string> },
  ): void {
    const version = o.version ?? '1.0';
    const dir = path.join(this.dir, 'spells', 'apps', name);
    fs.mkdirSync(dir, { recursive: true });
    let text = `Spell ${name} ;\nVersion ${name} : ${version} ;\nDescription ${name} : "${name}, from a tarball" ;\nLicense ${name} : MIT ;\n`;
    text += `Source ${name} : ${o.sources.map((s) => s.file).join(' ')} ;\n`;
    for (const s of o.sources) {
      if (s.urls.length) text += `Url ${s.file} : ${s.urls.join(' ')} ;\n`;
      if (s.sha256 !== undefined) text += `Sha256 ${s.file} : ${s.sha256} ;\n`;
    }
    if (o.depends?.length) text += `TightDepends ${name} : ${o.depends.join(' ')} ;\n`;
    fs.writeFileSync(path.join(dir, `${name}.jux`), text);
    fs.writeFileSync(path.join(dir, 'BUILD'), `#!/bin/bash\nset -euo pipefail\n"$CC" -o ${name} ${name}.c\n`, { mode: 0o755 });
    const install = `#!/bin/bash\nset -euo pipefail\ninstall -D -m 755 ${name} "$DESTDIR$PREFIX/bin/${name}"\n${o.install ?? ''}`;
    fs.writeFileSync(path.join(dir, 'INSTALL'), install, { mode: 0o755 });
    for (const [script, body] of Object.entries(o.scripts ?? {})) fs.writeFileSync(path.join(dir, script), `#!/bin/bash\nset -euo pipefail\n${body}`, { mode: 0o755 });
  }
  jux(...args: string[]): Promise<RunResult> {
    return runJux(args, { cwd: this.dir, env: { JUX_JOBS: '2' } });
  }
  path(...p: string[]): string {
    return path.join(this.dir, ...p);
  }
  root(...p: string[]): string {
    return this.path('.jux', 'root', ...p);
  }
  /** Where a source with a checksum lives in the source cache. */
  cached(file: string, sha: string): string {
    return this.path('.jux', 'cache', 'sources', 'sha256', sha, file);
  }
  /** The files set aside for a wrong checksum. */
  rejected(): string[] {
    const d = this.path('.jux', 'cache', 'sources', 'rejected');
    return fs.existsSync(d) ? fs.readdirSync(d).sort().map((f) => path.join(d, f)) : [];
  }
  /** Run an installed program. */
  run(name: string): string {
    return execFileSync(this.root('usr', 'bin', name), { encoding: 'utf8' });
  }
  installedState(name: string): boolean {
    return fs.existsSync(this.path('.jux', 'state', `${name}.state`));
  }
}

/** Names of the packages a build installed ("installed NAME VERSION"). */
function installed(r: RunResult): string[] {
  return [...r.stdout.matchAll(/^installed (\S+) /gm)].map((m) => m[1]!).sort();
}

function urls(s: TestServer): string[] {
  return s.requests.map((q) => q.url);
}

/** Every file under a folder (relative paths), for "nothing left behind" checks. */
function walk(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = path.join(rel, e.name);
    return e.isDirectory() ? [r, ...walk(path.join(dir, e.name), r)] : [r];
  });
}

/** Poll until `cond` holds (the test's own time limit ends a wait that never does). */
async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

/** A jux started in the background, its output collected. */
class Background {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }
}

describe('jux build with remote sources', () => {
  it('downloads, verifies, unpacks and builds; the source is fetched once and reused', async () => {
    const tgz = tarball('tiny');
    const sha = sha256(tgz);
    const s = await server(files({ '/dist/tiny-1.0.tar.gz': tgz }));
    const t = new Tree();
    t.spell('tiny', { sources: [{ file: 'tiny-1.0.tar.gz', urls: [`${s.base}/dist/tiny-1.0.tar.gz`], sha256: sha }] });

    const r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['tiny']);
    expect(t.run('tiny')).toBe(`${greeting('tiny', '1.0')}\n`);
    expect(urls(s)).toEqual(['/dist/tiny-1.0.tar.gz']);
    // Cached by checksum, nothing half-done left beside it.
    expect(fs.readFileSync(t.cached('tiny-1.0.tar.gz', sha)).equals(tgz)).toBe(true);
    expect(walk(t.path('.jux', 'cache', 'sources')).sort()).toEqual(['sha256', `sha256/${sha}`, `sha256/${sha}/tiny-1.0.tar.gz`]);
    expect(r.stderr).not.toMatch(/warning/);

    // Compiled again (not from the binary package cache): the source comes from the cache.
    const again = await t.jux('build', '--rebuild', 'tiny', '--no-cache');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(installed(again)).toEqual(['tiny']);
    expect(t.run('tiny')).toBe(`${greeting('tiny', '1.0')}\n`);
    // Offline too, since it is cached.
    const offline = await t.jux('build', '--rebuild', 'tiny', '--no-cache', '--offline');
    expect(offline.code, offline.stdout + offline.stderr).toBe(0);
    expect(installed(offline)).toEqual(['tiny']);
    expect(urls(s)).toEqual(['/dist/tiny-1.0.tar.gz']);
  });

  it('unpacks the first archive; every source file is in SOURCES_DIR for the scripts', async () => {
    const tgz = tarball('tiny');
    const motd = Buffer.from('a second source, not an archive\n');
    const s = await server(files({ '/tiny-1.0.tar.gz': tgz, '/tiny-motd.txt': motd }));
    const t = new Tree();
    t.spell('tiny', {
      sources: [
        { file: 'tiny-1.0.tar.gz', urls: [`${s.base}/tiny-1.0.tar.gz`], sha256: sha256(tgz) },
        { file: 'tiny-motd.txt', urls: [`${s.base}/tiny-motd.txt`], sha256: sha256(motd) },
      ],
      install: 'test ! -e tiny-motd.txt\ninstall -D -m 644 "$SOURCES_DIR/tiny-motd.txt" "$DESTDIR$PREFIX/share/tiny/motd"\ntest -f "$SOURCES_DIR/tiny-1.0.tar.gz"\n',
    });
    const r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(t.run('tiny')).toBe(`${greeting('tiny', '1.0')}\n`);
    expect(fs.readFileSync(t.root('usr', 'share', 'tiny', 'motd')).equals(motd)).toBe(true);
    expect(urls(s).sort()).toEqual(['/tiny-1.0.tar.gz', '/tiny-motd.txt']);
  });

  it('leaves unpacking to a spell’s UNPACK script, and fetching to its FETCH script', async () => {
    const tgz = tarball('tiny');
    const s = await server(files({ '/tiny-1.0.tar.gz': tgz }));
    const t = new Tree();
    // Fetched by jux, unpacked by the spell (into an empty SOURCE_DIR).
    t.spell('tiny', {
      sources: [{ file: 'tiny-1.0.tar.gz', urls: [`${s.base}/tiny-1.0.tar.gz`], sha256: sha256(tgz) }],
      scripts: { UNPACK: 'test -z "$(ls -A)"\ntar -xzf "$SOURCES_DIR/tiny-1.0.tar.gz" --strip-components=1\n' },
    });
    // Neither fetched nor unpacked by jux: its FETCH script makes the source (no Url needed).
    t.spell('vcs', {
      sources: [{ file: 'vcs-checkout', urls: [] }],
      scripts: { FETCH: `cat > vcs.c <<'EOF'\n#include <stdio.h>\nint main(void) { puts("own fetch"); return 0; }\nEOF\n` },
    });

    let r = await t.jux('fetch');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(`fetched: tiny-1.0.tar.gz from ${s.base}/tiny-1.0.tar.gz\n1 of 1 source ready\n`);
    r = await t.jux('build', '--offline');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['tiny', 'vcs']);
    expect(t.run('tiny')).toBe(`${greeting('tiny', '1.0')}\n`);
    expect(t.run('vcs')).toBe('own fetch\n');
    expect(s.requests).toHaveLength(1);
  });

  it('refuses a malformed Sha256 before building anything (status 2)', async () => {
    const s = await server(files({}));
    const t = new Tree();
    t.spell('tiny', { sources: [{ file: 'tiny-1.0.tar.gz', urls: [`${s.base}/tiny-1.0.tar.gz`], sha256: 'not-a-checksum' }] });
    const r = await t.jux('build');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('jux: cannot build: 1 problem\ntiny: the Sha256 of tiny-1.0.tar.gz is not 64 hexadecimal digits: not-a-checksum\n');
    expect(s.requests).toHaveLength(0);
    expect(fs.existsSync(t.path('.jux', 'state', 'journal'))).toBe(false);
    const f = await t.jux('fetch');
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('error: tiny-1.0.tar.gz: the Sha256 checksum "not-a-checksum" is not 64 hexadecimal digits\n');
  });

  it('warns about a source without a checksum, and refuses it with --strict before downloading', async () => {
    const tgz = tarball('loose');
    const s = await server(files({ '/loose-1.0.tar.gz': tgz }));
    const t = new Tree();
    t.spell('loose', { sources: [{ file: 'loose-1.0.tar.gz', urls: [`${s.base}/loose-1.0.tar.gz`] }] });

    const strict = await t.jux('build', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^FAILED loose 1\.0: fetch phase/m);
    expect(strict.stdout).toContain('loose-1.0.tar.gz has no Sha256 checksum, and unverified sources are refused (strict)');
    expect(s.requests).toHaveLength(0);
    expect(fs.existsSync(t.root('usr', 'bin', 'loose'))).toBe(false);

    const r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: source loose-1.0.tar.gz has no Sha256 checksum');
    expect(t.run('loose')).toBe(`${greeting('loose', '1.0')}\n`);
    // jux check lists it: a warning, an error with --strict.
    const check = await t.jux('check', '--spells');
    expect(check.code).toBe(0);
    expect(check.stdout + check.stderr).toMatch(/warning: source loose-1\.0\.tar\.gz of loose has no Sha256 checksum/);
    const strictCheck = await t.jux('check', '--spells', '--strict');
    expect(strictCheck.code).toBe(1);
    expect(strictCheck.stdout + strictCheck.stderr).toMatch(/error: source loose-1\.0\.tar\.gz of loose has no Sha256 checksum/);
    // Kept by name.
    expect(fs.readFileSync(t.path('.jux', 'cache', 'sources', 'by-name', 'loose-1.0.tar.gz')).equals(tgz)).toBe(true);
    expect(s.requests).toHaveLength(1);
  });

  it('refuses a tarball with ../ entries: nothing written outside the build directory, nothing installed', async () => {
    const dir = scratch('jux-fetch-evil-');
    const archive = path.join(dir, 'evil-1.0.tar.gz');
    const code = `
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    for name, data in [('evil-1.0/evil.c', b'int main(void) { return 0; }\\n'), ('evil-1.0/../../../escaped.txt', b'gotcha\\n')]:
        i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644
        t.addfile(i, io.BytesIO(data))
`;
    execFileSync('python3', ['-c', code, archive]);
    const tgz = fs.readFileSync(archive);
    const s = await server(files({ '/evil-1.0.tar.gz': tgz }));
    const t = new Tree();
    t.spell('evil', { sources: [{ file: 'evil-1.0.tar.gz', urls: [`${s.base}/evil-1.0.tar.gz`], sha256: sha256(tgz) }] });

    const r = await t.jux('build');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED evil 1\.0: fetch phase/m);
    expect(r.stdout).toContain('evil-1.0/../../../escaped.txt');
    expect(r.stdout).toMatch(/a path with "\.\." in it/);
    // Neither in the build directory's parents nor anywhere in the tree.
    expect(walk(t.dir).filter((f) => f.endsWith('escaped.txt'))).toEqual([]);
    expect(fs.existsSync(path.join(path.dirname(t.dir), 'escaped.txt'))).toBe(false);
    expect(t.installedState('evil')).toBe(false);
  });
});

describe('jux fetch', () => {
  it('fetches what the plan needs (named targets, the whole plan, --all) so the build downloads nothing', async () => {
    const tgz = { liba: tarball('liba'), app: tarball('app'), extra: tarball('extra') };
    const s = await server(files({ '/dist/liba-1.0.tar.gz': tgz.liba, '/dist/app-1.0.tar.gz': tgz.app }));
    // extra comes from a file:// address.
    const local = path.join(scratch('jux-fetch-local-'), 'extra-1.0.tar.gz');
    fs.writeFileSync(local, tgz.extra);
    const extraUrl = pathToFileURL(local).href;
    const t = new Tree();
    t.spell('liba', { sources: [{ file: 'liba-1.0.tar.gz', urls: [`${s.base}/dist/liba-1.0.tar.gz`], sha256: sha256(tgz.liba) }] });
    t.spell('app', { sources: [{ file: 'app-1.0.tar.gz', urls: [`${s.base}/dist/app-1.0.tar.gz`], sha256: sha256(tgz.app) }], depends: ['liba'] });
    t.spell('extra', { sources: [{ file: 'extra-1.0.tar.gz', urls: [extraUrl], sha256: sha256(tgz.extra) }] });

    // A named target: it and what it needs.
    let r = await t.jux('fetch', 'app');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fetched: liba-1.0.tar.gz from ${s.base}/dist/liba-1.0.tar.gz\n`);
    expect(r.stdout).toContain(`fetched: app-1.0.tar.gz from ${s.base}/dist/app-1.0.tar.gz\n`);
    expect(r.stdout).not.toContain('extra');
    expect(r.stdout).toMatch(/^2 of 2 sources ready$/m);
    expect(urls(s).sort()).toEqual(['/dist/app-1.0.tar.gz', '/dist/liba-1.0.tar.gz']);
    expect(fs.existsSync(t.cached('extra-1.0.tar.gz', sha256(tgz.extra)))).toBe(false);

    // The whole plan: what is cached is not fetched again.
    r = await t.jux('fetch');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('in the cache: liba-1.0.tar.gz\n');
    expect(r.stdout).toContain('in the cache: app-1.0.tar.gz\n');
    expect(r.stdout).toContain(`fetched: extra-1.0.tar.gz from ${extraUrl}\n`);
    expect(r.stdout).toMatch(/^3 of 3 sources ready$/m);
    expect(s.requests).toHaveLength(2);
    for (const [name, body] of Object.entries(tgz)) {
      expect(fs.readFileSync(t.cached(`${name}-1.0.tar.gz`, sha256(body))).equals(body)).toBe(true);
    }

    // The build downloads nothing (and the file:// original may go).
    fs.rmSync(local);
    r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['app', 'extra', 'liba']);
    expect(t.run('app')).toBe(`${greeting('app', '1.0')}\n`);
    expect(t.run('extra')).toBe(`${greeting('extra', '1.0')}\n`);
    expect(s.requests).toHaveLength(2);

    // Everything installed: the plan needs nothing; --all is every source of the tree.
    r = await t.jux('fetch');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('No sources to fetch.\n');
    fs.rmSync(t.cached('app-1.0.tar.gz', sha256(tgz.app)));
    r = await t.jux('fetch', '--all', '-j', '1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fetched: app-1.0.tar.gz from ${s.base}/dist/app-1.0.tar.gz\n`);
    expect(r.stdout).toContain('in the cache: liba-1.0.tar.gz\n');
    expect(r.stdout).toContain('in the cache: extra-1.0.tar.gz\n');
    expect(r.stdout).toMatch(/^3 of 3 sources ready$/m);
    expect(urls(s).sort()).toEqual(['/dist/app-1.0.tar.gz', '/dist/app-1.0.tar.gz', '/dist/liba-1.0.tar.gz']);
  });
});

describe('--offline', () => {
  it('builds from the cache, and without it fails before building, naming every missing source', async () => {
    const tgz = { liba: tarball('liba'), app: tarball('app') };
    const s = await server(files({ '/liba-1.0.tar.gz': tgz.liba, '/app-1.0.tar.gz': tgz.app }));
    const t = new Tree();
    t.spell('liba', { sources: [{ file: 'liba-1.0.tar.gz', urls: [`${s.base}/liba-1.0.tar.gz`], sha256: sha256(tgz.liba) }] });
    t.spell('app', { sources: [{ file: 'app-1.0.tar.gz', urls: [`${s.base}/app-1.0.tar.gz`], sha256: sha256(tgz.app) }], depends: ['liba'] });

    let r = await t.jux('build', '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('jux: cannot build offline: 2 sources are not in the source cache (jux fetch gets them); nothing was built\n');
    expect(r.stderr).toContain(`  liba: liba-1.0.tar.gz (from ${s.base}/liba-1.0.tar.gz)\n`);
    expect(r.stderr).toContain(`  app: app-1.0.tar.gz (from ${s.base}/app-1.0.tar.gz)\n`);
    expect(r.stdout).toBe('');
    expect(s.requests).toHaveLength(0);
    expect(fs.existsSync(t.path('.jux', 'state', 'journal'))).toBe(false);
    expect(walk(t.root())).toEqual([]);

    // jux fetch --offline only looks, and says what is missing.
    r = await t.jux('fetch', '--offline');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error: app-1\\.0\\.tar\\.gz is missing from the source cache \\(\\S+\\) and jux is offline; it would be fetched from ${s.base}/app-1\\.0\\.tar\\.gz$`, 'm'),
    );
    expect(r.stderr).toMatch(/^error: liba-1\.0\.tar\.gz is missing from the source cache/m);
    expect(r.stdout).toMatch(/^0 of 2 sources ready; 2 missing$/m);
    expect(s.requests).toHaveLength(0);

    // One fetched: the other is still missing; what can be built offline is.
    expect((await t.jux('fetch', 'liba')).code).toBe(0);
    r = await t.jux('build', '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('jux: cannot build offline: 1 source is not in the source cache (jux fetch gets them); nothing was built\n');
    expect(r.stderr).toContain(`  app: app-1.0.tar.gz (from ${s.base}/app-1.0.tar.gz)\n`);
    expect(r.stderr).not.toContain('  liba:');
    r = await t.jux('build', '--offline', 'liba');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['liba']);

    expect((await t.jux('fetch')).code).toBe(0);
    expect(urls(s).sort()).toEqual(['/app-1.0.tar.gz', '/liba-1.0.tar.gz']);
    r = await t.jux('build', '--offline');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['app']);
    expect(t.run('app')).toBe(`${greeting('app', '1.0')}\n`);
    expect(s.requests).toHaveLength(2);
  });
});

describe('checksums', () => {
  it('sets a download with the wrong checksum aside, names both hashes and installs nothing; the next address is used', async () => {
    const good = tarball('tiny');
    const bad = tarball('tiny', '1.0', 1000); // the same name, other content
    const goodSha = sha256(good);
    const badSha = sha256(bad);
    const s = await server(files({ '/bad/tiny-1.0.tar.gz': bad, '/good/tiny-1.0.tar.gz': good }));
    const t = new Tree();
    const badUrl = `${s.base}/bad/tiny-1.0.tar.gz`;
    t.spell('tiny', { sources: [{ file: 'tiny-1.0.tar.gz', urls: [badUrl], sha256: goodSha }] });

    let r = await t.jux('build');
    expect(r.code).toBe(1);
    const message = `no address gave tiny-1.0.tar.gz with the expected checksum: ${badUrl}: sha256 is ${badSha}, expected ${goodSha}`;
    expect(r.stdout).toMatch(/^FAILED tiny 1\.0: fetch phase, error$/m);
    expect(r.stdout).toContain(`  | ${message}\n`);
    expect(r.stdout).toContain('  log: .jux/logs/tiny/fetch.log');
    expect(fs.readFileSync(t.path('.jux', 'logs', 'tiny', 'fetch.log'), 'utf8')).toBe(`${message}\n`);
    let kept = t.rejected();
    expect(kept).toHaveLength(1);
    expect(r.stderr).toContain(`warning: tiny-1.0.tar.gz from ${badUrl} has sha256 ${badSha}, expected ${goodSha}; set aside as ${kept[0]}\n`);
    expect(path.basename(kept[0]!)).toMatch(/^tiny-1\.0\.tar\.gz\./);
    expect(fs.readFileSync(kept[0]!).equals(bad)).toBe(true);
    // Never used: not in the cache, not installed, nothing half-done left.
    expect(walk(t.path('.jux', 'cache', 'sources', 'sha256', goodSha))).toEqual([]);
    expect(fs.existsSync(t.root('usr', 'bin', 'tiny'))).toBe(false);
    expect(t.installedState('tiny')).toBe(false);

    // jux fetch says the same, in the same words.
    r = await t.jux('fetch');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${message}\n`);
    expect(r.stderr).toMatch(new RegExp(`^warning: tiny-1\\.0\\.tar\\.gz from ${badUrl} has sha256 ${badSha}, expected ${goodSha}; set aside as \\S+rejected/tiny-1\\.0\\.tar\\.gz\\.\\S+$`, 'm'));
    expect(r.stdout).toMatch(/^0 of 1 source ready; 1 missing$/m);
    expect(t.rejected()).toHaveLength(2);

    // A second address with the right file: used, and the first one's failure told.
    t.spell('tiny', { sources: [{ file: 'tiny-1.0.tar.gz', urls: [badUrl, `${s.base}/good/tiny-1.0.tar.gz`], sha256: goodSha }] });
    r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['tiny']);
    expect(t.run('tiny')).toBe(`${greeting('tiny', '1.0')}\n`);
    expect(r.stderr).toContain(`warning: tiny-1.0.tar.gz: ${badUrl} failed (sha256 is ${badSha}, expected ${goodSha})\n`);
    kept = t.rejected();
    expect(kept).toHaveLength(3);
    for (const k of kept) expect(fs.readFileSync(k).equals(bad)).toBe(true);
    expect(fs.readFileSync(t.cached('tiny-1.0.tar.gz', goodSha)).equals(good)).toBe(true);
    expect(urls(s)).toEqual(['/bad/tiny-1.0.tar.gz', '/bad/tiny-1.0.tar.gz', '/bad/tiny-1.0.tar.gz', '/good/tiny-1.0.tar.gz']);
  });

  it('sets aside a cached source that no longer verifies and fetches it again', async () => {
    const tgz = tarball('tiny');
    const sha = sha256(tgz);
    const s = await server(files({ '/tiny-1.0.tar.gz': tgz }));
    const t = new Tree();
    t.spell('tiny', { sources: [{ file: 'tiny-1.0.tar.gz', urls: [`${s.base}/tiny-1.0.tar.gz`], sha256: sha }] });
    expect((await t.jux('fetch')).code).toBe(0);
    fs.writeFileSync(t.cached('tiny-1.0.tar.gz', sha), 'corrupted');

    const r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^warning: tiny-1\\.0\\.tar\\.gz from cache has sha256 ${sha256('corrupted')}, expected ${sha}; set aside as `, 'm'));
    expect(t.run('tiny')).toBe(`${greeting('tiny', '1.0')}\n`);
    expect(fs.readFileSync(t.cached('tiny-1.0.tar.gz', sha)).equals(tgz)).toBe(true);
    expect(t.rejected().map((f) => fs.readFileSync(f, 'utf8'))).toEqual(['corrupted']);
    expect(s.requests).toHaveLength(2);
  });
});

describe('addresses, mirrors, retries and timeouts', () => {
  it('tries the mirrors of jux.yaml after the source’s own addresses: a plain mirror and one by checksum', async () => {
    const one = tarball('one');
    const two = tarball('two');
    const served = files({ '/mirror/one-1.0.tar.gz': one, [`/cas/${sha256(two)}`]: two });
    const s = await server((req, res, seen) => {
      if (req.url?.startsWith('/broken/')) {
        seen.status = 500;
        res.writeHead(500).end('broken');
      } else served(req, res, seen);
    });
    const t = new Tree(`mirrors:\n  - ${s.base}/mirror\n  - ${s.base}/cas/{sha256}\nfetch:\n  retries: 1\n`);
    t.spell('one', { sources: [{ file: 'one-1.0.tar.gz', urls: [`${s.base}/broken/one-1.0.tar.gz`], sha256: sha256(one) }] });
    t.spell('two', { sources: [{ file: 'two-1.0.tar.gz', urls: [`${s.base}/gone/two-1.0.tar.gz`], sha256: sha256(two) }] });

    const r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(installed(r)).toEqual(['one', 'two']);
    expect(t.run('one')).toBe(`${greeting('one', '1.0')}\n`);
    expect(t.run('two')).toBe(`${greeting('two', '1.0')}\n`);
    // HTTP 500 is retried (retries: 1), then the plain mirror has it.
    const seen = (match: (url: string) => boolean): Array<[string, number | undefined]> =>
      s.requests.filter((q) => match(q.url)).map((q) => [q.url, q.status]);
    expect(seen((u) => u.includes('one-1.0'))).toEqual([
      ['/broken/one-1.0.tar.gz', 500],
      ['/broken/one-1.0.tar.gz', 500],
      ['/mirror/one-1.0.tar.gz', 200],
    ]);
    // A 404 is not retried; the plain mirror lacks it, the content-addressed one has it.
    expect(seen((u) => u.includes('two-1.0') || u.startsWith('/cas/'))).toEqual([
      ['/gone/two-1.0.tar.gz', 404],
      ['/mirror/two-1.0.tar.gz', 404],
      [`/cas/${sha256(two)}`, 200],
    ]);
    expect(r.stderr).toContain(`warning: one-1.0.tar.gz: ${s.base}/broken/one-1.0.tar.gz failed (HTTP 500 (tried 2 times))\n`);
    expect(r.stderr).toContain(`warning: two-1.0.tar.gz: ${s.base}/gone/two-1.0.tar.gz failed (HTTP 404)\n`);
    expect(r.stderr).toContain(`warning: two-1.0.tar.gz: ${s.base}/mirror/two-1.0.tar.gz failed (HTTP 404)\n`);
    expect(fs.readFileSync(t.cached('two-1.0.tar.gz', sha256(two))).equals(two)).toBe(true);
  });

  it('takes a relative mirror folder from the configuration file’s folder', async () => {
    const tgz = tarball('tiny');
    const s = await server(files({}));
    const t = new Tree('mirrors: [local-mirror, file:other-mirror]\n');
    fs.mkdirSync(t.path('other-mirror'));
    fs.writeFileSync(t.path('other-mirror', 'tiny-1.0.tar.gz'), tgz);
    t.spell('tiny', { sources: [{ file: 'tiny-1.0.tar.gz', urls: [`${s.base}/tiny-1.0.tar.gz`], sha256: sha256(tgz) }] });
    // Run from elsewhere: the configuration names the folders.
    const r = await runJux(['--config', t.path('jux.yaml'), 'fetch'], { cwd: scratch('jux-fetch-cwd-') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fetched: tiny-1.0.tar.gz from ${t.path('other-mirror')}/tiny-1.0.tar.gz\n`);
    expect(r.stderr).toContain(`warning: tiny-1.0.tar.gz: ${t.path('local-mirror')}/tiny-1.0.tar.gz failed (no such file ${t.path('local-mirror', 'tiny-1.0.tar.gz')})\n`);
    expect(fs.readFileSync(t.cached('tiny-1.0.tar.gz', sha256(tgz))).equals(tgz)).toBe(true);
    expect(urls(s)).toEqual(['/tiny-1.0.tar.gz']);
  });

  it('gives up on a silent server after the configured timeout and moves on', async () => {
    const quick = tarball('quick');
    const stuck = tarball('stuck');
    const served = files({ '/dist/quick-1.0.tar.gz': quick });
    const s = await server((req, res, seen) => {
      if (req.url?.startsWith('/silent/')) return; // never answers
      if (req.url?.startsWith('/stall/')) {
        // Headers and a first part, then nothing more.
        seen.status = 200;
        res.writeHead(200, { 'content-length': stuck.length });
        res.write(stuck.subarray(0, 100));
        return;
      }
      served(req, res, seen);
    });
    const t = new Tree('fetch:\n  timeout: 0.5\n  retries: 0\n');
    t.spell('quick', { sources: [{ file: 'quick-1.0.tar.gz', urls: [`${s.base}/silent/quick-1.0.tar.gz`, `${s.base}/dist/quick-1.0.tar.gz`], sha256: sha256(quick) }] });
    t.spell('stuck', { sources: [{ file: 'stuck-1.0.tar.gz', urls: [`${s.base}/stall/stuck-1.0.tar.gz`], sha256: sha256(stuck) }] });

    const r = await t.jux('fetch');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`fetched: quick-1.0.tar.gz from ${s.base}/dist/quick-1.0.tar.gz\n`);
    expect(r.stderr).toContain(`warning: quick-1.0.tar.gz: ${s.base}/silent/quick-1.0.tar.gz failed (no data for 500 ms)\n`);
    expect(r.stderr).toContain(
      `error: no address gave stuck-1.0.tar.gz with the expected checksum: ${s.base}/stall/stuck-1.0.tar.gz: no data for 500 ms after 100 of ${stuck.length} bytes\n`,
    );
    expect(r.stdout).toMatch(/^1 of 2 sources ready; 1 missing$/m);
    expect(fs.readFileSync(t.cached('quick-1.0.tar.gz', sha256(quick))).equals(quick)).toBe(true);
    expect(fs.existsSync(t.cached('stuck-1.0.tar.gz', sha256(stuck)))).toBe(false);
    expect(urls(s).filter((u) => u.startsWith('/stall/'))).toHaveLength(1); // retries: 0
  });

  it('resumes a download cut half-way with a Range request, within a run and in the next one', async () => {
    const big = tarball('big', '1.0', 256 * 1024);
    const sha = sha256(big);
    const half = Math.floor(big.length / 2);
    const served = files({ '/big-1.0.tar.gz': big });
    let cut = 1;
    const s = await server((req, res, seen) => {
      if (cut > 0) {
        cut--;
        seen.status = 200;
        res.writeHead(200, { 'content-length': big.length });
        res.write(big.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      served(req, res, seen);
    });
    const url = `${s.base}/big-1.0.tar.gz`;

    // Within a run: the retry asks for the rest only.
    const t = new Tree('fetch:\n  retries: 1\n');
    t.spell('big', { sources: [{ file: 'big-1.0.tar.gz', urls: [url], sha256: sha }] });
    let r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(t.run('big')).toBe(`${greeting('big', '1.0')}\n`);
    expect(s.requests.map((q) => [q.range, q.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ]);
    expect(fs.readFileSync(t.cached('big-1.0.tar.gz', sha)).equals(big)).toBe(true);
    expect(walk(t.path('.jux', 'cache', 'sources')).filter((f) => f.includes('.part'))).toEqual([]);

    // Across runs: the first gives up (no retries) and keeps the part; the next resumes it.
    s.requests.length = 0;
    cut = 1;
    const u = new Tree('fetch:\n  retries: 0\n');
    u.spell('big', { sources: [{ file: 'big-1.0.tar.gz', urls: [url], sha256: sha }] });
    r = await u.jux('fetch');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: no address gave big-1\\.0\\.tar\\.gz with the expected checksum: ${url}: the connection was (cut|reset|closed early) after ${half} of ${big.length} bytes$`, 'm'));
    const part = `${u.cached('big-1.0.tar.gz', sha)}.part`;
    expect(fs.statSync(part).size).toBe(half);
    r = await u.jux('fetch');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fetched: big-1.0.tar.gz from ${url}\n`);
    expect(s.requests.map((q) => [q.range, q.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ]);
    expect(fs.readFileSync(u.cached('big-1.0.tar.gz', sha)).equals(big)).toBe(true);
    expect(fs.existsSync(part)).toBe(false);
    expect(fs.existsSync(`${part}.from`)).toBe(false);
  });

  it('waits for another jux fetching the same source instead of writing the same file', async () => {
    const big = tarball('big', '1.0', 64 * 1024);
    const sha = sha256(big);
    const half = Math.floor(big.length / 2);
    let finish: (() => void) | null = null;
    const s = await server((_req, res, seen) => {
      // Half now, the rest when the test says so.
      seen.status = 200;
      res.writeHead(200, { 'content-length': big.length });
      res.write(big.subarray(0, half));
      finish = () => res.end(big.subarray(half));
    });
    const t = new Tree();
    t.spell('big', { sources: [{ file: 'big-1.0.tar.gz', urls: [`${s.base}/big-1.0.tar.gz`], sha256: sha }] });
    const part = `${t.cached('big-1.0.tar.gz', sha)}.part`;

    const first = new Background(startJux(['fetch'], { cwd: t.dir }));
    await waitFor(() => fs.existsSync(part) && fs.statSync(part).size === half);
    const second = new Background(startJux(['fetch'], { cwd: t.dir }));
    await waitFor(() => second.stderr.includes(`waiting for another jux (pid ${first.child.pid}) fetching big-1.0.tar.gz\n`));
    finish!();
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(first.stdout).toContain(`fetched: big-1.0.tar.gz from ${s.base}/big-1.0.tar.gz\n`);
    expect(second.stdout).toContain('in the cache: big-1.0.tar.gz\n');
    expect(s.requests).toHaveLength(1);
    expect(fs.readFileSync(t.cached('big-1.0.tar.gz', sha)).equals(big)).toBe(true);
    expect(t.rejected()).toEqual([]);
    expect(walk(path.dirname(part))).toEqual(['big-1.0.tar.gz']); // no lock, no part left
  });

  it('after a jux killed mid-download, the next one takes over its lock and resumes its part', async () => {
    const big = tarball('big', '1.0', 64 * 1024);
    const sha = sha256(big);
    const half = Math.floor(big.length / 2);
    const served = files({ '/big-1.0.tar.gz': big });
    const s = await server((req, res, seen) => {
      if (s.requests.length === 1) {
        seen.status = 200;
        res.writeHead(200, { 'content-length': big.length });
        res.write(big.subarray(0, half)); // and never more
        return;
      }
      served(req, res, seen);
    });
    const t = new Tree();
    t.spell('big', { sources: [{ file: 'big-1.0.tar.gz', urls: [`${s.base}/big-1.0.tar.gz`], sha256: sha }] });
    const part = `${t.cached('big-1.0.tar.gz', sha)}.part`;

    const killed = new Background(startJux(['fetch'], { cwd: t.dir }));
    await waitFor(() => fs.existsSync(part) && fs.statSync(part).size === half);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(fs.readFileSync(`${t.cached('big-1.0.tar.gz', sha)}.lock`, 'utf8')).toBe(`${killed.child.pid}\n`);

    const r = await t.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(t.run('big')).toBe(`${greeting('big', '1.0')}\n`);
    expect(s.requests.map((q) => [q.range, q.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ]);
    expect(fs.readFileSync(t.cached('big-1.0.tar.gz', sha)).equals(big)).toBe(true);
    expect(walk(path.dirname(part))).toEqual(['big-1.0.tar.gz']);
  });
});
