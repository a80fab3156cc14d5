/**
 * jux build's other modes end to end: `jux update` (what is installed, and
 * nothing else), `-v` (build output streamed), targets, and the live status
 * on a terminal (a pseudo-terminal from script(1)): lines scroll above one
 * status line redrawn in place, and what a terminal shows is never garbled.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Example } from '../helpers/example.js';
import { JUX_BIN } from '../helpers/paths.js';

/** What a terminal shows: each line's text after its last carriage return, without escapes. */
function screen(raw: string): string[] {
  return raw
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => (l.split('\r').pop() ?? '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
}

describe('jux build modes', () => {
  it('builds targets and what they need; update brings what is installed up to date, and nothing else', async () => {
    const ex = new Example();
    let r = await ex.jux('build', 'greet', 'hello');
    expect(r.code, r.stderr).toBe(0);
    expect(Example.installed(r)).toEqual(['gencolors', 'greet', 'greet-data', 'hello', 'libcolor', 'libgreet']);

    ex.edit('hello', /Version +hello : 1\.0\.0 ;/, 'Version hello : 1.0.1 ;');
    ex.edit('fortune', /Version +fortune : 1\.1\.0 ;/, 'Version fortune : 1.1.1 ;'); // not installed
    ex.edit('libgreet', /Version +libgreet : 1\.0\.0 ;/, 'Version libgreet : 1.0.1 ;');
    const plan = await ex.jux('plan', '--update');
    expect(plan.stdout).toMatch(/^3 to build: 0 new, 2 updated, 1 rebuilt; 3 up to date$/m);
    r = await ex.jux('update');
    expect(r.code, r.stderr).toBe(0);
    expect(Example.installed(r)).toEqual(['greet', 'hello', 'libgreet']);
    expect((await ex.jux('list')).stdout).not.toMatch(/fortune/);
    expect((await ex.jux('update')).stdout).toBe('Nothing to build: everything is up to date.\n');
  });

  it('fails a package whose staged tree holds a symlink pointing outside the root, installing nothing of it', async () => {
    const ex = new Example();
    fs.appendFileSync(`${ex.spellDir('hello')}/INSTALL`, 'ln -s /bin/sh "$DESTDIR$PREFIX/bin/hello-sh"\n');
    const r = await ex.jux('build', 'hello');
    expect(r.code).toBe(2); // a spell that would write outside the root is bad input
    expect(r.stdout + r.stderr).toMatch(/symlink \/usr\/bin\/hello-sh -> \/bin\/sh points outside the root \(make it relative\)/);
    expect(fs.existsSync(ex.root('usr', 'bin', 'hello'))).toBe(false);
    expect(fs.existsSync(ex.state('hello.state'))).toBe(false);
  });

  it('installs, upgrades, reinstalls from the cache, audits and removes a file with a non-ASCII name', async () => {
    const ex = new Example();
    fs.appendFileSync(`${ex.spellDir('hello')}/INSTALL`, 'mkdir -p "$DESTDIR$PREFIX/share/hello" && echo bonjour > "$DESTDIR$PREFIX/share/hello/café.txt"\n');
    const file = ex.root('usr', 'share', 'hello', 'café.txt');
    const first = await ex.jux('build', 'hello');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('bonjour\n');
    expect(fs.readFileSync(ex.state('hello.files'), 'utf8')).toMatch(/^f 0644 8 [0-9a-f]{64} \/usr\/share\/hello\/café\.txt$/m);
    // An upgrade reads the old list (same path, new content).
    fs.appendFileSync(`${ex.spellDir('hello')}/INSTALL`, 'echo salut > "$DESTDIR$PREFIX/share/hello/café.txt"\n');
    expect((await ex.jux('build', 'hello')).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('salut\n');
    // From the cache: the archive's own list is checked against its tree.
    fs.rmSync(ex.root(), { recursive: true, force: true });
    for (const f of fs.readdirSync(ex.state('.'))) if (f.startsWith('hello.')) fs.rmSync(ex.state(f));
    const again = await ex.jux('build', 'hello');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/1 installed from the cache/);
    expect(fs.readFileSync(file, 'utf8')).toBe('salut\n');
    const audit = await ex.jux('check', '--files');
    expect(audit.code, audit.stdout).toBe(0);
    expect((await ex.jux('dispel', '--force', 'hello')).code).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses a corrupt state file with its position (exit 2), changing nothing', async () => {
    const ex = new Example();
    expect((await ex.jux('build', 'hello')).code).toBe(0);
    fs.writeFileSync(ex.state('hello.state'), 'Installed    hello : 1.0.0 ;\nAbi hello : 1 \n');
    const journal = fs.readFileSync(ex.state('journal'), 'utf8');
    for (const cmd of [['plan'], ['build'], ['list']]) {
      const r = await ex.jux(...cmd);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/hello\.state:2:14: syntax error: .*\(the file is truncated or corrupt\)/);
    }
    expect(fs.readFileSync(ex.state('journal'), 'utf8')).toBe(journal);
    expect(fs.existsSync(ex.root('usr', 'bin', 'hello'))).toBe(true);
  });

  it('-v streams each package\'s build output, prefixed with its name', async () => {
    const ex = new Example();
    const quiet = await ex.jux('build', 'libgreet');
    expect(quiet.stdout).not.toMatch(/^libgreet\| /m);
    const r = await ex.jux('build', '-v', '--rebuild', 'libgreet', '--no-cache', 'libgreet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^libgreet: build$/m);
    expect(r.stdout).toMatch(/^libgreet\| .*\bcc\b.*greet\.c/m);
  });

  it('shows a live status on a terminal that never garbles the lines above it', () => {
    const ex = new Example();
    const env: NodeJS.ProcessEnv = { ...process.env, JUX_JOBS: '2', TERM: 'xterm', COLUMNS: '120' };
    delete env.NO_COLOR;
    const r = spawnSync('script', ['-qec', `${process.execPath} ${JUX_BIN} build`, '/dev/null'], {
      cwd: ex.dir,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\r\x1b[2K'); // redrawn in place
    expect(r.stdout).toMatch(/\[\d+\/11\] building /); // the status: done/total, what runs
    const shown = screen(r.stdout);
    const installed = shown.filter((l) => l.startsWith('installed '));
    expect(installed).toHaveLength(11);
    for (const l of installed) expect(l).toMatch(/^installed [a-z-]+ [0-9.]+ \[\d+\/11\]$/);
    expect(shown.some((l) => /^Summary: 11 built, 0 up to date \(\d+\.\d s\)$/.test(l))).toBe(true);
  });
});
