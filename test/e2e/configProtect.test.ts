/**
 * Config protection end to end, with the real binary: hello (the bundled
 * spell whose only phase is INSTALL) is given a config file,
 * /etc/hello.conf, and upgraded, rebuilt, reinstalled from the cache,
 * rolled back and dispelled while the administrator edits that file. A
 * changed config file is never overwritten: the package's new version goes
 * beside it as /etc/hello.conf.juxnew. Results are read on disk, the
 * records with the independent reader of test/helpers/system.ts.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';
import { runJux } from '../helpers/run.js';
import { compareRootAndRecords, readRecords, Sandbox, snapshot } from '../helpers/system.js';

const KILL_HOOK = path.join(REPO, 'test', 'helpers', 'killHook.mjs');
const CONF = '/etc/hello.conf';
const JUXNEW = '/etc/hello.conf.juxnew';
const MINE = 'greeting = bonjour # the admin\'s own\n';

let template: Sandbox;
const sandboxes: Sandbox[] = [];

/** A copy of a system with hello 1.0.0 (no config file) installed. */
function fresh(): Sandbox {
  const s = new Sandbox(template.dir);
  sandboxes.push(s);
  return s;
}

/** hello VERSION installs /etc/hello.conf holding `conf`, and `bin` at the end of /usr/bin/hello. */
function helloWith(s: Sandbox, version: string, conf: string | null, bin = ''): void {
  const dir = path.dirname(s.spellFile('hello'));
  let script = fs.readFileSync(path.join(REPO, 'spells', 'apps', 'hello', 'INSTALL'), 'utf8');
  if (conf !== null) script += `install -d "$DESTDIR/etc"\nprintf '%s' '${conf}' > "$DESTDIR/etc/hello.conf"\n`;
  if (bin) script += `printf '%s\\n' '# ${bin}' >> "$DESTDIR$PREFIX/bin/hello"\n`;
  fs.writeFileSync(path.join(dir, 'INSTALL'), script);
  const spell = s.spellFile('hello');
  fs.writeFileSync(spell, fs.readFileSync(spell, 'utf8').replace(/^Version +hello : \S+ ;$/m, `Version hello : ${version} ;`));
}

async function build(s: Sandbox, ...args: string[]): Promise<string> {
  const r = await s.jux('build', ...args);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

function read(s: Sandbox, p: string): string {
  return fs.readFileSync(s.root(p.slice(1)), 'utf8');
}

function recorded(s: Sandbox, p: string): string | undefined {
  return readRecords(s.state()).get('hello')?.files.get(p)?.hash;
}

function hashOf(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** The root agrees with the records but for the config file the admin changed and its .juxnew. */
function expectConsistentButConfig(s: Sandbox): void {
  const problems = compareRootAndRecords(s.root(), s.state(), new Set([JUXNEW])).filter((p) => !p.startsWith(`hello: ${CONF} differs`));
  expect(problems).toEqual([]);
}

beforeAll(async () => {
  template = new Sandbox();
  const r = await template.jux('build', 'hello');
  if (r.code !== 0) throw new Error(`building hello failed:\n${r.stdout}\n${r.stderr}`);
});

afterAll(() => {
  for (const s of [...sandboxes, template]) s.remove();
});

describe('config protection on upgrade', () => {
  it('keeps a config file the admin changed, writes the new one as .juxnew and says so; replaces a changed file outside /etc', async () => {
    const s = fresh();
    helloWith(s, '1.0.1', 'greeting = hello\n');
    await build(s, 'hello');
    expect(read(s, CONF)).toBe('greeting = hello\n');

    fs.writeFileSync(s.root('etc/hello.conf'), MINE);
    fs.appendFileSync(s.root('usr/bin/hello'), '# my change to a program\n');
    helloWith(s, '1.0.2', 'greeting = hello\ncolour = no\n', 'v2');
    const out = await build(s, 'hello');
    // The admin's file stays; the package's new version is beside it.
    expect(read(s, CONF)).toBe(MINE);
    expect(read(s, JUXNEW)).toBe('greeting = hello\ncolour = no\n');
    expect(out).toContain(`warning: ${CONF} (of hello) changed since it was installed: kept; the new version is in ${JUXNEW}`);
    expect(out).toMatch(/^Config files kept \(merge the \.juxnew files, or delete them\):\n {2}\/etc\/hello\.conf \(of hello\) changed/m);
    // A program is not a config file: replaced as always.
    expect(read(s, '/usr/bin/hello')).not.toContain('my change');
    expect(read(s, '/usr/bin/hello')).toMatch(/# v2\n$/);
    // The record is the package's version of the file (so the audit says it changed); .juxnew is not recorded.
    expect(readRecords(s.state()).get('hello')!.version).toBe('1.0.2');
    expect(recorded(s, CONF)).toBe(hashOf('greeting = hello\ncolour = no\n'));
    expect(recorded(s, JUXNEW)).toBeUndefined();
    expectConsistentButConfig(s);
    const check = await s.jux('check', '--files');
    expect(check.code).toBe(1);
    expect(check.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        `changed: ${CONF} (of hello) changed since it was installed`,
        `config-update: ${JUXNEW} is hello's new version of ${CONF}, kept beside the changed one: merge it into ${CONF}, or delete it`,
      ]),
    );
    expect(check.stdout).not.toMatch(/stray/);
    expect(check.stdout).toMatch(/: 2 problems$/m);

    // A rebuild of the same version with yet another config: the older .juxnew is replaced.
    helloWith(s, '1.0.2', 'greeting = hello\ncolour = yes\n', 'v2');
    const again = await build(s, 'hello');
    expect(again).toContain(`warning: ${CONF} (of hello) changed since it was installed: kept; the new version is in ${JUXNEW}`);
    expect(read(s, CONF)).toBe(MINE);
    expect(read(s, JUXNEW)).toBe('greeting = hello\ncolour = yes\n');
    expectConsistentButConfig(s);

    // Dispel: the changed file is kept, the package's .juxnew goes with it.
    const d = await s.jux('dispel', 'hello');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/^ {2}kept \/etc\/hello\.conf: changed since it was installed$/m);
    expect(fs.existsSync(s.root('etc/hello.conf.juxnew'))).toBe(false);
    expect(read(s, CONF)).toBe(MINE);
    expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(false);

    // Reinstalled from the cache: the file is now owned by no package; kept, the package's beside it.
    const back = await build(s, 'hello');
    expect(back).toMatch(/^installed hello 1\.0\.2 \(from the cache\)/m);
    expect(back).toContain(`warning: ${CONF} (owned by no package) kept; hello's version is in ${JUXNEW}`);
    expect(read(s, CONF)).toBe(MINE);
    expect(read(s, JUXNEW)).toBe('greeting = hello\ncolour = yes\n');
    expectConsistentButConfig(s);

    // The admin merges by moving the new version over theirs: consistent again, and the next upgrade replaces it.
    fs.renameSync(s.root('etc/hello.conf.juxnew'), s.root('etc/hello.conf'));
    expect(compareRootAndRecords(s.root(), s.state())).toEqual([]);
    expect((await s.jux('check', '--files')).code).toBe(0);
    helloWith(s, '1.0.3', 'greeting = hello\ncolour = maybe\n', 'v3');
    const up = await build(s, 'hello');
    expect(up).not.toMatch(/warning/);
    expect(read(s, CONF)).toBe('greeting = hello\ncolour = maybe\n');
    expect(fs.existsSync(s.root('etc/hello.conf.juxnew'))).toBe(false);
    expect(compareRootAndRecords(s.root(), s.state())).toEqual([]);
  });

  it('replaces an unchanged config file, and leaves a changed one alone when the new version is the same', async () => {
    const s = fresh();
    helloWith(s, '1.0.1', 'greeting = hello\n');
    await build(s, 'hello');
    helloWith(s, '1.0.2', 'greeting = hi\n');
    const out = await build(s, 'hello');
    expect(out).not.toMatch(/warning|juxnew|Config files/);
    expect(read(s, CONF)).toBe('greeting = hi\n');
    expect(fs.existsSync(s.root('etc/hello.conf.juxnew'))).toBe(false);
    expect(compareRootAndRecords(s.root(), s.state())).toEqual([]);

    // Changed by the admin; the next version has the same config file: nothing to merge.
    fs.writeFileSync(s.root('etc/hello.conf'), MINE);
    helloWith(s, '1.0.3', 'greeting = hi\n', 'v3');
    const same = await build(s, 'hello');
    expect(same).not.toMatch(/warning|juxnew|Config files/);
    expect(read(s, CONF)).toBe(MINE);
    expect(fs.existsSync(s.root('etc/hello.conf.juxnew'))).toBe(false);
    expect(read(s, '/usr/bin/hello')).toMatch(/# v3\n$/);
    expect(readRecords(s.state()).get('hello')!.version).toBe('1.0.3');
    expect(recorded(s, CONF)).toBe(hashOf('greeting = hi\n'));
    expectConsistentButConfig(s);
  });

  it('keeps a config file no package owned, and a changed one the new version drops', async () => {
    const s = fresh();
    fs.mkdirSync(s.root('etc'));
    fs.writeFileSync(s.root('etc/hello.conf'), MINE);
    helloWith(s, '1.0.1', 'greeting = hello\n');
    const out = await build(s, 'hello');
    expect(out).toContain(`warning: ${CONF} (owned by no package) kept; hello's version is in ${JUXNEW}`);
    expect(read(s, CONF)).toBe(MINE);
    expect(read(s, JUXNEW)).toBe('greeting = hello\n');
    expectConsistentButConfig(s);

    // 1.0.2 has no config file: the admin's stays (no longer recorded); the package's .juxnew goes with it.
    helloWith(s, '1.0.2', null);
    const drop = await build(s, 'hello');
    expect(drop).toContain(`warning: ${CONF} (of hello) changed since it was installed: kept, though the new version no longer has it`);
    expect(read(s, CONF)).toBe(MINE);
    expect(recorded(s, CONF)).toBeUndefined();
    expect(fs.existsSync(s.root('etc/hello.conf.juxnew'))).toBe(false);
    expect(compareRootAndRecords(s.root(), s.state())).toEqual(['/etc: in the root but in no record', `${CONF}: in the root but in no record`]);
  });

  it('an unowned file outside the protected paths (configProtectMask) is still a conflict', async () => {
    const s = fresh();
    fs.appendFileSync(s.path('jux.yaml'), 'configProtectMask: [/etc/hello.conf]\n');
    fs.mkdirSync(s.root('etc'));
    fs.writeFileSync(s.root('etc/hello.conf'), MINE);
    helloWith(s, '1.0.1', 'greeting = hello\n');
    const before = snapshot(s.root());
    const r = await s.jux('build', 'hello');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`hello would overwrite 1 file it does not own: ${CONF} (owned by no package); nothing was installed`);
    expect(snapshot(s.root())).toEqual(before);
    // JUX_CONFIG_PROTECT overrides jux.yaml: with /etc protected again, it installs.
    const env = await runJux(['build', 'hello'], { cwd: s.dir, env: { JUX_JOBS: '2', JUX_CONFIG_PROTECT: '/etc', JUX_CONFIG_PROTECT_MASK: '' } });
    expect(env.code, env.stdout + env.stderr).toBe(0);
    expect(read(s, JUXNEW)).toBe('greeting = hello\n');
  });
});

describe('config protection on rollback', () => {
  it('keeps the changed file when a rollback puts the earlier version back, with the earlier config as .juxnew', async () => {
    const s = fresh();
    helloWith(s, '1.0.1', 'greeting = hello\n');
    await build(s, 'hello');
    helloWith(s, '1.0.2', 'greeting = hello\ncolour = no\n', 'v2');
    await build(s, 'hello');
    fs.writeFileSync(s.root('etc/hello.conf'), MINE);
    const r = await s.jux('rollback');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^restored hello 1\.0\.1 \(was 1\.0\.2\)$/m);
    expect(r.stdout).toContain(`warning: ${CONF} (of hello) changed since it was installed: kept; the new version is in ${JUXNEW}`);
    expect(read(s, CONF)).toBe(MINE);
    expect(read(s, JUXNEW)).toBe('greeting = hello\n');
    expect(read(s, '/usr/bin/hello')).not.toMatch(/# v2/);
    expect(readRecords(s.state()).get('hello')!.version).toBe('1.0.1');
    expectConsistentButConfig(s);

    // Rolling back the install of the config file: hello 1.0.0 has none; the admin's file stays, the .juxnew goes.
    const all = await s.jux('rollback', '--to', '1');
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(all.stdout).toContain(`warning: ${CONF} (of hello) changed since it was installed: kept, though the new version no longer has it`);
    expect(readRecords(s.state()).get('hello')!.version).toBe('1.0.0');
    expect(read(s, CONF)).toBe(MINE);
    expect(fs.existsSync(s.root('etc/hello.conf.juxnew'))).toBe(false);
  });
});

describe('config protection when killed', () => {
  it('a SIGKILL at any rename of such an upgrade leaves the old or the new hello, and never loses the admin\'s file', async () => {
    const s = fresh();
    helloWith(s, '1.0.1', 'greeting = hello\n');
    await build(s, 'hello');
    fs.writeFileSync(s.root('etc/hello.conf'), MINE);
    helloWith(s, '1.0.2', 'greeting = hello\ncolour = no\n', 'v2');
    await build(s, 'hello');
    expect(read(s, JUXNEW)).toBe('greeting = hello\ncolour = no\n');
    // The next upgrade replaces an older .juxnew, and moves /usr/bin/hello.
    helloWith(s, '1.0.3', 'greeting = hello\ncolour = yes\n', 'v3');
    const old = readRecords(s.state()).get('hello')!;
    const oldRoot = snapshot(s.root());

    let n = 1;
    for (;; n++) {
      const c = new Sandbox(s.dir);
      sandboxes.push(c);
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'jux.js'), 'build', 'hello'], {
        cwd: c.dir,
        env: { ...process.env, NO_COLOR: '1', JUX_JOBS: '2', NODE_OPTIONS: `--import=${KILL_HOOK}`, JUX_KILL_RENAME: String(n), JUX_KILL_UNDER: c.root() },
        encoding: 'utf8',
      });
      const rec = await c.jux('recover');
      expect(rec.code).toBe(0);
      expect(read(c, CONF), `killed at rename ${n}`).toBe(MINE);
      expectConsistentButConfig(c);
      const now = readRecords(c.state()).get('hello')!;
      if (r.signal !== 'SIGKILL') {
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(now.version).toBe('1.0.3');
        expect(read(c, JUXNEW)).toBe('greeting = hello\ncolour = yes\n');
        break;
      }
      if (now.version === '1.0.2') {
        expect(now.filesText, `killed at rename ${n}`).toBe(old.filesText);
        expect(snapshot(c.root()), `killed at rename ${n}`).toEqual(oldRoot);
      } else {
        expect(now.version).toBe('1.0.3');
        expect(read(c, JUXNEW)).toBe('greeting = hello\ncolour = yes\n');
        expect(read(c, '/usr/bin/hello')).toMatch(/# v3\n$/);
      }
      c.remove();
    }
    // Kills landed on every rename: the step dir, both backups, both moves in.
    expect(n).toBeGreaterThan(5);
  });
});
