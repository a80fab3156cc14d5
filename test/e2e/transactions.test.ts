/**
 * Transactions end to end, with the real binary on the bundled grimoire in
 * temporary directories: the binary package cache, the journal (history,
 * rollback), dispel, the state lock, recovery of interrupted transactions,
 * unsafe archives and the audit (jux check). Results are checked on disk,
 * with a reading of the records that does not use jux's code.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';
import { startJux } from '../helpers/run.js';
import { compareRootAndRecords, readRecords, Sandbox, sha256, snapshot } from '../helpers/system.js';
import { tarGz, type TarEntry } from '../helpers/tarball.js';

const ALL = ['banner', 'fortune', 'gencolors', 'greet', 'greet-data', 'hello', 'libcolor', 'libgreet', 'mathlib', 'minicalc', 'report'];
const KILL_HOOK = path.join(REPO, 'test', 'helpers', 'killHook.mjs');

let template: Sandbox;
const sandboxes: Sandbox[] = [];

/** A copy of the example with everything built and installed (transaction 1). */
function built(): Sandbox {
  const s = new Sandbox(template.dir);
  sandboxes.push(s);
  return s;
}

/** The state of the system: root, records and journal, to show nothing changed. */
function picture(s: Sandbox): { root: Map<string, string>; state: Map<string, string> } {
  return { root: snapshot(s.root()), state: snapshot(s.state()) };
}

function expectConsistent(s: Sandbox): void {
  expect(compareRootAndRecords(s.root(), s.state())).toEqual([]);
}

function archiveOf(s: Sandbox, name: string): string {
  const a = readRecords(s.state()).get(name)?.archive;
  if (!a) throw new Error(`${name} is not installed`);
  return a;
}

function journalLines(s: Sandbox): string[] {
  return fs.readFileSync(s.state('journal'), 'utf8').trimEnd().split('\n');
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 6000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

function collect(child: ChildProcess): { out: string; err: string } {
  const o = { out: '', err: '' };
  child.stdout?.on('data', (d: Buffer) => (o.out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (o.err += d.toString()));
  return o;
}

function lockFor(s: Sandbox, pid: number, command: string, started?: number): void {
  const holder = { pid, host: os.hostname(), command, since: new Date().toISOString(), ...(started !== undefined ? { started } : {}) };
  fs.writeFileSync(s.state('lock'), JSON.stringify(holder) + '\n');
}

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22), read here independently of jux. */
function startTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

beforeAll(async () => {
  template = new Sandbox();
  const r = await template.jux('build');
  if (r.code !== 0) throw new Error(`building the example failed:\n${r.stdout}\n${r.stderr}`);
});

afterAll(() => {
  for (const s of [...sandboxes, template]) s.remove();
});

describe('the binary package cache', () => {
  it('archives every build as NAME-VERSION-KEY.tar.gz, readable with GNU tar', () => {
    const s = built();
    const archives = fs.readdirSync(s.cache()).filter((f) => f.endsWith('.tar.gz')).sort();
    expect(archives).toHaveLength(11);
    for (const name of ALL) {
      const a = archiveOf(s, name);
      expect(a).toMatch(new RegExp(`^${name}-\\d[\\w.]*-[0-9a-f]{16}\\.tar\\.gz$`));
      expect(archives).toContain(a);
    }
    expect(execFileSync('tar', ['--version'], { encoding: 'utf8' })).toMatch(/GNU tar/);
    const greet = s.cache(archiveOf(s, 'greet'));
    const listing = execFileSync('tar', ['tzf', greet], { encoding: 'utf8' }).split('\n');
    for (const p of ['root/usr/bin/greet', 'jux/greet.files', 'jux/package', 'jux/spell/greet.jux', 'jux/spell/BUILD', 'jux/spell/src/']) {
      expect(listing).toContain(p);
    }
    // The staged tree is what was installed; the metadata says what was built.
    const out = s.path('unpacked');
    fs.mkdirSync(out);
    execFileSync('tar', ['xzf', greet, '-C', out]);
    expect(sha256(path.join(out, 'root/usr/bin/greet'))).toBe(sha256(s.root('usr/bin/greet')));
    expect(fs.readFileSync(path.join(out, 'jux/greet.files'), 'utf8')).toBe(fs.readFileSync(s.state('greet.files'), 'utf8'));
    expect(fs.readFileSync(path.join(out, 'jux/package'), 'utf8')).toMatch(/^Package +greet : 1\.0\.0 ;$/m);
    expect(fs.readFileSync(path.join(out, 'jux/package'), 'ascii')).toMatch(/^Dependency +greet : tight : libgreet ;$/m);
  });

  it('installs from the cache instead of compiling, says so in the plan, and compiles with --no-cache', async () => {
    const s = built();
    expect((await s.jux('dispel', 'greet', 'fortune', 'libgreet')).code).toBe(0);
    for (const p of ['usr/bin/greet', 'usr/bin/fortune', 'usr/lib/libgreet.so.1.0.0']) expect(fs.existsSync(s.root(p))).toBe(false);
    const buildLog = s.path('.jux', 'logs', 'libgreet', 'build.log');
    const logBefore = fs.statSync(buildLog).mtimeMs;

    const plan = await s.jux('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^\[N\] libgreet 1\.0\.0 .*\[from cache\]$/m);
    expect(plan.stdout).toMatch(/^\[N\] greet 1\.0\.0 .*\[from cache\]$/m);
    expect(plan.stdout).toMatch(/3 to build: 3 new, 0 updated, 0 rebuilt \(3 from the cache\); 8 up to date/);

    const r = await s.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Sandbox.installed(r)).toEqual(['fortune', 'greet', 'libgreet']);
    expect(r.stdout).toMatch(/^installed libgreet 1\.0\.0 \(from the cache\)/m);
    expect(r.stdout).toMatch(/Summary: 0 built, 3 installed from the cache, 8 up to date/);
    expect(r.stdout).not.toMatch(/^building /m);
    // Nothing was compiled: the build log is the one from the first build.
    expect(fs.statSync(buildLog).mtimeMs).toBe(logBefore);
    expect(execFileSync(s.root('usr/bin/greet'), { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })).toBe(
      '\x1b[32mHello, world!\x1b[0m\nHave a nice day.\n',
    );
    expect(archiveOf(s, 'greet')).toBe(archiveOf(template, 'greet'));
    expectConsistent(s);

    // --no-cache compiles.
    expect((await s.jux('dispel', 'greet')).code).toBe(0);
    const dry = await s.jux('build', '-n', '--no-cache');
    expect(dry.stdout).toMatch(/^\[N\] greet 1\.0\.0 /m);
    expect(dry.stdout).not.toMatch(/from cache/);
    const compiled = await s.jux('build', '--no-cache');
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
    expect(compiled.stdout).toMatch(/^building greet 1\.0\.0$/m);
    expect(compiled.stdout).toMatch(/Summary: 1 built, 10 up to date/);
    expect(fs.existsSync(s.path('.jux', 'logs', 'greet', 'build.log'))).toBe(true);
    expect(fs.existsSync(s.root('usr/bin/greet'))).toBe(true);
    expectConsistent(s);
  });

  it('still uses archives in CACHE/packages/, where earlier versions kept them; new ones go to CACHE/', async () => {
    const s = built();
    const old = s.cache('packages');
    fs.mkdirSync(old);
    for (const f of fs.readdirSync(s.cache())) if (f.endsWith('.tar.gz')) fs.renameSync(s.cache(f), path.join(old, f));
    expect((await s.jux('dispel', 'greet', 'libgreet', 'fortune')).code).toBe(0);
    const plan = await s.jux('plan');
    expect(plan.stdout).toMatch(/3 to build: 3 new, 0 updated, 0 rebuilt \(3 from the cache\); 8 up to date/);
    const r = await s.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Summary: 0 built, 3 installed from the cache, 8 up to date/);
    expectConsistent(s);
    // Rolling back reinstalls from there too.
    const rb = await s.jux('rollback');
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(fs.existsSync(s.root('usr/bin/greet'))).toBe(false);
    const rb2 = await s.jux('rollback');
    expect(rb2.code, rb2.stdout + rb2.stderr).toBe(0);
    expect(fs.existsSync(s.root('usr/bin/greet'))).toBe(true);
    expectConsistent(s);
    // A new build is archived in CACHE/ itself.
    expect((await s.jux('build', '--rebuild', 'hello', '--no-cache')).code).toBe(0);
    expect(fs.existsSync(s.cache(archiveOf(s, 'hello')))).toBe(true);
    expect(fs.readdirSync(s.cache()).filter((f) => f.endsWith('.tar.gz'))).toEqual([archiveOf(s, 'hello')]);
  });
});

describe('the journal: history and rollback', () => {
  it('records one ASCII entry per transaction; jux history lists them, also as JSON', async () => {
    const s = built();
    expect((await s.jux('dispel', 'hello')).code).toBe(0);
    const raw = fs.readFileSync(s.state('journal'));
    expect([...raw].every((b) => b < 0x80)).toBe(true);
    const lines = journalLines(s);
    expect(lines[0]).toMatch(/^begin 1 20\d\d-\d\d-\d\dT[\d:.]+Z "jux build"$/);
    expect(lines).toContain('commit 1');
    expect(lines.filter((l) => l.startsWith('begin 2 '))[0]).toMatch(/^begin 2 \S+ "jux dispel hello"$/);
    expect(lines).toContain(`step 2 1 remove hello 1.0.0 ${archiveOf(template, 'hello')}`);
    expect(lines.slice(-2)).toEqual(['done 2 1', 'commit 2']);

    const text = await s.jux('history');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^1 {2}20\S+ {2}jux build$/m);
    expect(text.stdout).toMatch(/^ {4}install greet 1\.0\.0 \(new\)$/m);
    expect(text.stdout).toMatch(/^2 {2}20\S+ {2}jux dispel hello\n {4}remove hello 1\.0\.0$/m);

    const json = await s.jux('history', '--json');
    expect(json.code).toBe(0);
    const txs = JSON.parse(json.stdout) as {
      id: number;
      time: string;
      command: string;
      committed: boolean;
      steps: { n: number; done: boolean; action: { op: string; name: string; version: string; archive: string } }[];
    }[];
    expect(txs.map((t) => [t.id, t.command, t.committed])).toEqual([
      [1, 'jux build', true],
      [2, 'jux dispel hello', true],
    ]);
    expect(txs[0]!.steps.map((st) => st.action.name).sort()).toEqual(ALL);
    expect(txs[0]!.steps.every((st) => st.done && st.action.op === 'install')).toBe(true);
    expect(txs[1]!.steps).toEqual([
      { n: 1, done: true, action: { op: 'remove', name: 'hello', version: '1.0.0', archive: archiveOf(template, 'hello') } },
    ]);
    expect(Date.parse(txs[1]!.time)).toBeGreaterThanOrEqual(Date.parse(txs[0]!.time));
  });

  it('rollback undoes the last transaction, rollback N the last N, from the cache, and is journalled', async () => {
    const s = built();
    const after1 = picture(s).root;
    const libcolor120 = archiveOf(s, 'libcolor');
    // Transaction 2: a new libcolor. Transaction 3: hello goes.
    s.edit('libcolor', /Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.2.1 ;');
    const up = await s.jux('build');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(Sandbox.installed(up)).toEqual(['libcolor']);
    expect(readRecords(s.state()).get('libcolor')!.version).toBe('1.2.1');
    expect((await s.jux('dispel', 'hello')).code).toBe(0);
    const after3 = picture(s).root;

    // rollback 2: transactions 3 and 2, newest first.
    const r = await s.jux('rollback', '2');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^restored hello 1\.0\.0$/m);
    expect(r.stdout).toMatch(/^restored libcolor 1\.2\.0 \(was 1\.2\.1\)$/m);
    expect(r.stdout).toMatch(/rolled back transactions 2, 3/);
    expect(picture(s).root).toEqual(after1);
    const rec = readRecords(s.state()).get('libcolor')!;
    expect([rec.version, rec.archive]).toEqual(['1.2.0', libcolor120]);
    expect(rec.filesText).toBe(fs.readFileSync(template.state('libcolor.files'), 'latin1'));
    // The record of the build that was there comes back (not a new one).
    expect(fs.readFileSync(s.state('libcolor.state'), 'latin1')).toBe(fs.readFileSync(template.state('libcolor.state'), 'latin1'));
    expectConsistent(s);
    // The rollback is a transaction of its own, with the command that made it.
    const h = await s.jux('history');
    expect(h.stdout).toMatch(/^4 {2}\S+ {2}jux rollback 2 \(undoing transactions 2, 3\)$/m);

    // rollback: undoes the rollback (transaction 4).
    const again = await s.jux('rollback');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/rolled back transaction 4$/m);
    expect(picture(s).root).toEqual(after3);
    expect(readRecords(s.state()).get('libcolor')!.version).toBe('1.2.1');
    expect(readRecords(s.state()).has('hello')).toBe(false);
    expectConsistent(s);
    // The plan agrees: libcolor 1.2.1 is up to date again, hello can come from the cache.
    const plan = await s.jux('plan');
    expect(plan.stdout).toMatch(/^\[N\] hello 1\.0\.0 .*\[from cache\]$/m);
    expect(plan.stdout).not.toMatch(/libcolor/);
  });

  it('rollback --to ID and --to TIME go back to a point', async () => {
    const s = built();
    const after1 = picture(s).root;
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    expect((await s.jux('dispel', 'hello')).code).toBe(0);
    const after2 = picture(s).root;
    const r3 = await s.jux('dispel', 'greet', 'fortune', 'libgreet');
    expect(r3.code, r3.stderr).toBe(0);
    for (const p of ['usr/bin/greet', 'usr/lib/libgreet.so', 'usr/lib/pkgconfig']) expect(fs.existsSync(s.root(p))).toBe(false);

    const to2 = await s.jux('rollback', '--to', '2');
    expect(to2.code, to2.stdout + to2.stderr).toBe(0);
    expect(to2.stdout).toMatch(/rolled back transaction 3$/m);
    expect(picture(s).root).toEqual(after2);
    expect(fs.readlinkSync(s.root('usr/lib/libgreet.so'))).toBe('libgreet.so.1');
    expectConsistent(s);

    const nothing = await s.jux('rollback', '--to', '4');
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toBe('nothing to roll back\n');

    const toTime = await s.jux('rollback', '--to', between);
    expect(toTime.code, toTime.stdout + toTime.stderr).toBe(0);
    expect(toTime.stdout).toMatch(/rolled back transactions 2, 3, 4$/m);
    expect(picture(s).root).toEqual(after1);
    expect([...readRecords(s.state()).keys()].sort()).toEqual(ALL);
    expectConsistent(s);
    expect(journalLines(s).filter((l) => l.startsWith('begin '))).toHaveLength(5);
  });

  it('a rollback that needs an archive no longer in the cache names it and changes nothing', async () => {
    const s = built();
    const old = archiveOf(s, 'libcolor');
    s.edit('libcolor', /Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.2.1 ;');
    expect((await s.jux('build')).code).toBe(0);
    fs.rmSync(s.cache(old));
    const before = picture(s);
    const r = await s.jux('rollback');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot roll back: needed builds are missing or unusable; nothing was changed/);
    expect(r.stderr).toContain(`libcolor 1.2.0: the archive ${old} is no longer in ${s.cache()}`);
    expect(picture(s)).toEqual(before);
    expect(fs.existsSync(s.state('lock'))).toBe(false);
  });

  it('a rollback that cannot put a package back says which and why, and what it did roll back', async () => {
    const s = built();
    // hello goes, but its changed program stays (no package owns it now).
    fs.appendFileSync(s.root('usr/bin/hello'), '# mine\n');
    expect((await s.jux('dispel', 'hello')).code).toBe(0);
    const mine = fs.readFileSync(s.root('usr/bin/hello'), 'utf8');
    // Alone: nothing is changed.
    const before = picture(s).root;
    const alone = await s.jux('rollback');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('jux: cannot put back hello; nothing was changed\n');
    expect(alone.stderr).toContain('  hello 1.0.0: hello would overwrite 1 file it does not own: /usr/bin/hello (owned by no package)');
    expect(picture(s).root).toEqual(before);
    // With another transaction: that one is rolled back, and the message says so.
    s.edit('libcolor', /Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.2.1 ;');
    expect((await s.jux('build', 'libcolor')).code).toBe(0);
    const r = await s.jux('rollback', '2');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^restored libcolor 1\.2\.0 \(was 1\.2\.1\)$/m);
    expect(r.stderr).toContain('jux: cannot put back hello; the rest of transactions 2, 4 was rolled back (transaction 5: jux history)\n');
    expect(readRecords(s.state()).get('libcolor')!.version).toBe('1.2.0');
    expect(readRecords(s.state()).has('hello')).toBe(false);
    expect(fs.readFileSync(s.root('usr/bin/hello'), 'utf8')).toBe(mine);
    // The records and the root agree, but for the file the user kept.
    expect(compareRootAndRecords(s.root(), s.state())).toEqual(['/usr/bin/hello: in the root but in no record']);
    // Building hello fails the same way; the failure, which has no log, is recorded with what went wrong.
    const b = await s.jux('build', 'hello');
    expect(b.code).toBe(1);
    const why = 'hello would overwrite 1 file it does not own: /usr/bin/hello (owned by no package); nothing was installed';
    expect((await s.jux('plan', 'hello')).stdout).toMatch(new RegExp(`^\\[N\\] hello 1\\.0\\.0 .*\\(failed to build at 20\\S+: install, ${why.replace(/[().]/g, '\\$&')}\\)$`, 'm'));
    expect((await s.jux('info', 'hello')).stdout).toContain(`failed to build at `);
    expect((await s.jux('info', 'hello')).stdout).not.toContain(', see ');
  });

  it('refuses bad arguments with status 2', async () => {
    const s = built();
    const before = picture(s);
    for (const args of [['rollback', 'three'], ['rollback', '0'], ['rollback', '--to', 'yesterday-ish'], ['rollback', '--to', '99'], ['dispel', 'nosuch']]) {
      const r = await s.jux(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^jux: /);
    }
    expect(picture(s)).toEqual(before);
  });
});

describe('jux dispel', () => {
  it('refuses to remove what installed packages depend on, naming them; --force removes it', async () => {
    const s = built();
    const before = picture(s);
    const r = await s.jux('dispel', 'libgreet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to remove packages that installed packages depend on \(use --force/);
    expect(r.stderr).toMatch(/libgreet is needed by (fortune \(loose\), greet \(tight\)|greet \(tight\), fortune \(loose\))/);
    expect(picture(s)).toEqual(before);

    const f = await s.jux('dispel', '--force', 'libgreet');
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/^removed libgreet 1\.0\.0$/m);
    expect(f.stdout).toMatch(/warning: left .*greet \(tight\).* without a dependency/);
    for (const p of ['usr/include/greet.h', 'usr/lib/libgreet.so', 'usr/lib/libgreet.so.1', 'usr/lib/libgreet.so.1.0.0', 'usr/lib/pkgconfig']) {
      expect(fs.existsSync(s.root(p)), p).toBe(false);
    }
    // Directories other packages use stay, with their files.
    expect(fs.existsSync(s.root('usr/lib/libcolor.a'))).toBe(true);
    expect(fs.existsSync(s.root('usr/bin/greet'))).toBe(true);
    expect(fs.existsSync(s.state('libgreet.state'))).toBe(false);
    expect(fs.existsSync(s.state('libgreet.files'))).toBe(false);
    expectConsistent(s);
  });

  it('removes a build-only dependency without --force, and says what was built with it', async () => {
    const s = built();
    const r = await s.jux('dispel', 'gencolors');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^removed gencolors \S+$/m);
    expect(r.stdout).toContain('note: banner, libcolor were built with gencolors (a build dependency): building them again installs gencolors first\n');
    expect(r.stdout).not.toContain('warning');
    expect(fs.existsSync(s.state('gencolors.state'))).toBe(false);
    expect(fs.existsSync(s.state('banner.state'))).toBe(true);
    expectConsistent(s);
    // Nothing that was installed needs rebuilding for it; a rebuild of banner brings it back first.
    const plan = await s.jux('plan');
    expect(plan.stdout).toMatch(/\[N\] gencolors /);
    expect(plan.stdout).not.toMatch(/\] (banner|libcolor) /);
    const again = await s.jux('build', '--rebuild', 'banner');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/installed gencolors .*\n(.*\n)*installed banner /);
  });

  it('removes only what the package owns, keeps and reports files changed since install, removes the empty directories it made', async () => {
    const s = built();
    fs.appendFileSync(s.root('usr/share/greet/message.txt'), 'my own line\n');
    fs.writeFileSync(s.root('usr/bin/mine'), 'a file of my own\n');
    const others = snapshot(s.root());
    const r = await s.jux('dispel', '--force', 'greet-data', 'hello', 'libgreet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}kept \/usr\/share\/greet\/message\.txt: changed since it was installed$/m);
    expect(r.stdout).toMatch(/^1 changed file kept$/m);
    // The changed file and the directories holding it stay.
    expect(fs.readFileSync(s.root('usr/share/greet/message.txt'), 'utf8')).toMatch(/my own line\n$/);
    expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(false);
    expect(fs.readFileSync(s.root('usr/bin/mine'), 'utf8')).toBe('a file of my own\n');
    // libgreet's own directory went; shared ones stayed.
    expect(fs.existsSync(s.root('usr/lib/pkgconfig'))).toBe(false);
    expect(fs.existsSync(s.root('usr/include/color.h'))).toBe(true);
    // Every other package's files are untouched.
    const now = snapshot(s.root());
    const gone = new Set<string>();
    for (const name of ['greet-data', 'hello', 'libgreet']) for (const p of readRecords(template.state()).get(name)!.files.keys()) gone.add(p);
    for (const [p, sig] of others) {
      if (gone.has(p) && p !== '/usr/share/greet/message.txt') continue;
      if (['/usr', '/usr/bin', '/usr/lib', '/usr/include', '/usr/share', '/usr/share/greet'].includes(p)) continue;
      expect(now.get(p), p).toBe(sig);
    }
    // What is left unrecorded is exactly the user's: the changed file, its
    // directories (not empty, so kept), and the file of their own.
    expect(compareRootAndRecords(s.root(), s.state()).sort()).toEqual(
      ['/usr/bin/mine', '/usr/share', '/usr/share/greet', '/usr/share/greet/message.txt'].map((p) => `${p}: in the root but in no record`).sort(),
    );
    expect((await s.jux('check', '--files')).stdout).toContain('stray: /usr/bin/mine is not owned by any package');
  });

  it('removes every directory a package created once nothing is left in them', async () => {
    const s = built();
    const r = await s.jux('dispel', '--force', 'greet-data');
    expect(r.code).toBe(0);
    expect(fs.existsSync(s.root('usr/share/greet'))).toBe(false);
    expect(fs.existsSync(s.root('usr/share'))).toBe(false);
    expect(fs.existsSync(s.root('usr/bin'))).toBe(true);
    const all = await s.jux('dispel', '--force', ...ALL.filter((p) => p !== 'greet-data'));
    expect(all.code, all.stderr).toBe(0);
    expect(fs.readdirSync(s.root())).toEqual([]);
    expect(readRecords(s.state()).size).toBe(0);
  });
});

describe('the state lock', () => {
  it('makes a second jux fail at once naming the holder; read-only commands still work; --wait goes on after release', async () => {
    const s = built();
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      lockFor(s, holder.pid!, 'jux build everything');
      const before = picture(s);
      for (const args of [['dispel', 'hello'], ['build'], ['rollback'], ['recover']]) {
        const r = await s.jux(...args);
        expect(r.code, args.join(' ')).toBe(75);
        expect(r.stderr).toContain(`another jux is changing this system: pid ${holder.pid} (jux build everything)`);
        expect(r.stderr).toMatch(/run again with --wait/);
      }
      expect(picture(s)).toEqual(before);
      for (const args of [['plan'], ['list'], ['info', 'greet'], ['why', 'greet'], ['graph'], ['search', 'greet'], ['history'], ['check', '--files']]) {
        const r = await s.jux(...args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      expect((await s.jux('list')).stdout).toMatch(/^hello 1\.0\.0/m);

      const waiter = startJux(['dispel', '--wait', 'hello'], { cwd: s.dir, env: { JUX_JOBS: '2' } });
      const io = collect(waiter);
      await until('the waiting message', () => io.err.includes('waiting for the jux holding the lock'));
      expect(io.err).toContain(`pid ${holder.pid} (jux build everything)`);
      expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(true);
      // The holder finishes: its lock goes.
      fs.rmSync(s.state('lock'));
      expect(await exited(waiter)).toBe(0);
      expect(io.out).toMatch(/^removed hello 1\.0\.0$/m);
      expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(false);
      expect(fs.existsSync(s.state('lock'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('respects a lock whose holder is alive with its recorded start time, and takes over one whose pid was reused', async () => {
    const s = built();
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      await until('the holder has started', () => fs.existsSync(`/proc/${holder.pid}/stat`));
      const started = startTicks(holder.pid!);
      expect(started).toBeGreaterThan(0);
      lockFor(s, holder.pid!, 'jux build everything', started);
      const held = await s.jux('dispel', 'hello');
      expect(held.code, held.stderr).toBe(75);
      expect(held.stderr).toContain(`another jux is changing this system: pid ${holder.pid} (jux build everything)`);
      expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(true);

      // The same pid, but a process started at another moment: the jux that
      // wrote the lock is gone and its pid was reused.
      lockFor(s, holder.pid!, 'jux build long gone', started - 1);
      const r = await s.jux('dispel', 'hello');
      expect(r.code, r.stderr).toBe(0);
      expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(false);
      expect(fs.existsSync(s.state('lock'))).toBe(false);
      expect(holder.exitCode).toBe(null); // the unrelated process is left alone
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const s = built();
    const dead = spawnSync('true');
    lockFor(s, dead.pid, 'jux build killed');
    const r = await s.jux('dispel', 'hello');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(false);
    expect(fs.existsSync(s.state('lock'))).toBe(false);
    expect(fs.existsSync(s.state('lock.break'))).toBe(false);
  });
});

describe('recovery of interrupted transactions', () => {
  it('finishes a build killed while it held the lock: finished installs are kept, and it says so', async () => {
    const s = built();
    expect((await s.jux('dispel', 'hello', 'fortune')).code).toBe(0);
    // greet's build waits for a gate, so the run stops there with the lock held.
    const gate = s.path('gate');
    fs.writeFileSync(
      path.join(path.dirname(s.spellFile('greet')), 'BUILD'),
      '#!/bin/bash\necho "waiting for the gate"\nwhile [ ! -e "$JUX_TEST_GATE" ]; do sleep 0.05; done\nexit 1\n',
    );
    const run = startJux(['build', '-j', '2'], { cwd: s.dir, env: { JUX_JOBS: '2', JUX_TEST_GATE: gate } });
    const io = collect(run);
    try {
      const log = s.path('.jux', 'logs', 'greet', 'build.log');
      await until('greet to start building', () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('waiting for the gate'));
      await until('hello and fortune to be installed', () => journalLines(s).filter((l) => /^done 3 /.test(l)).length === 2);

      // A real jux holds the lock now.
      const locked = await s.jux('dispel', 'report');
      expect(locked.code).toBe(75);
      expect(locked.stderr).toContain(`pid ${run.pid} (jux build -j 2)`);
      expect((await s.jux('plan')).code).toBe(0);

      run.kill('SIGKILL');
      await exited(run);
    } finally {
      fs.writeFileSync(gate, '');
    }
    expect(io.out).toMatch(/^installed hello 1\.0\.0 \(from the cache\)/m);
    const h = await s.jux('history');
    expect(h.stdout).toMatch(/^3 {2}\S+ {2}jux build -j 2 {2}\(interrupted\)$/m);

    // An archive a killed build was writing is left half-written.
    const partial = s.cache(`${archiveOf(s, 'greet')}.${run.pid}.tmp`);
    fs.writeFileSync(partial, 'half an archive');
    // And the probe a build killed at its start leaves in the root.
    const probe = s.root(`.jux-probe-${run.pid}`);
    fs.writeFileSync(probe, '');
    const r = await s.jux('recover');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(probe)).toBe(false);
    expect(r.stderr).toMatch(/jux: recovered: transaction 3 \(jux build -j 2\) was interrupted: nothing to undo; kept install (hello, install fortune|fortune, install hello)/);
    expect(journalLines(s).slice(-2)).toEqual([expect.stringMatching(/^recovered 3 "transaction 3/), 'commit 3']);
    expect(fs.existsSync(s.state('lock'))).toBe(false);
    expect(fs.existsSync(s.root('.jux-staging'))).toBe(false);
    expect(fs.existsSync(s.root('usr/bin/hello'))).toBe(true);
    expect((await s.jux('recover')).stdout).toBe('nothing to recover\n');
    const check = await s.jux('check', '--files');
    expect(check.code, check.stdout).toBe(0);
    expectConsistent(s);
    const h2 = await s.jux('history');
    expect(h2.stdout).toMatch(/^ {4}recovered: transaction 3 /m);
  });

  it('undoes a step killed half-way, putting back the old files and records exactly', async () => {
    const s = built();
    const before = picture(s);
    // Killed right after the third rename into the root: meta.json, then
    // two of libgreet's files moved aside.
    const killed = spawnSync(process.execPath, [path.join(REPO, 'bin', 'jux.js'), 'dispel', '--force', 'libgreet'], {
      cwd: s.dir,
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--import=${KILL_HOOK}`, JUX_KILL_RENAME: '3', JUX_KILL_UNDER: s.root() },
      encoding: 'utf8',
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(journalLines(s).at(-1)).toBe(`step 2 1 remove libgreet 1.0.0 ${archiveOf(s, 'libgreet')}`);
    // Half done: a file is gone but the records still have libgreet.
    expect(compareRootAndRecords(s.root(), s.state()).length).toBeGreaterThan(0);
    expect((await s.jux('check', '--files')).code).toBe(1);

    const r = await s.jux('recover');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/recovered: transaction 2 \(jux dispel --force libgreet\) was interrupted: undid remove libgreet/);
    expect(picture(s).root).toEqual(before.root);
    expect(fs.readFileSync(s.state('libgreet.state'), 'latin1')).toBe(fs.readFileSync(template.state('libgreet.state'), 'latin1'));
    expect(fs.readFileSync(s.state('libgreet.files'), 'latin1')).toBe(fs.readFileSync(template.state('libgreet.files'), 'latin1'));
    expect((await s.jux('check', '--files')).code).toBe(0);
    expectConsistent(s);
  });

  it('undoes an install killed half-way, and the next command recovers before it does anything', async () => {
    const s = built();
    expect((await s.jux('dispel', '--force', 'libgreet')).code).toBe(0);
    const before = picture(s);
    const killed = spawnSync(process.execPath, [path.join(REPO, 'bin', 'jux.js'), 'build'], {
      cwd: s.dir,
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--import=${KILL_HOOK}`, JUX_KILL_RENAME: '6', JUX_KILL_UNDER: s.root() },
      encoding: 'utf8',
    });
    expect(killed.signal, killed.stdout + killed.stderr).toBe('SIGKILL');
    expect(fs.existsSync(s.root('.jux-staging'))).toBe(true);
    expect(compareRootAndRecords(s.root(), s.state()).length).toBeGreaterThan(0);
    // A command that changes the system recovers first, and says so.
    const r = await s.jux('dispel', 'hello');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/jux: recovered: transaction 3 \(jux build\) was interrupted: undid install libgreet/);
    expect(picture(s).root).toEqual(new Map([...before.root].filter(([p]) => p !== '/usr/bin/hello')));
    expect(fs.existsSync(s.state('libgreet.state'))).toBe(false);
    expectConsistent(s);
  });
});

describe('upgrades', () => {
  it('replaces a file by a directory and back, atomically even when killed at any rename', async () => {
    const s = built();
    const install = path.join(path.dirname(s.spellFile('hello')), 'INSTALL');
    const base = fs.readFileSync(install, 'utf8');
    // 1.0.1 has /usr/share/hello-doc as a file; 1.0.2 as a directory.
    fs.writeFileSync(install, base + 'install -d "$DESTDIR$PREFIX/share"\nprintf "doc\\n" > "$DESTDIR$PREFIX/share/hello-doc"\n');
    s.edit('hello', /Version +hello : 1\.0\.0 ;/, 'Version hello : 1.0.1 ;');
    expect((await s.jux('build')).code).toBe(0);
    expect(fs.readFileSync(s.root('usr/share/hello-doc'), 'utf8')).toBe('doc\n');
    fs.writeFileSync(install, base + 'install -d "$DESTDIR$PREFIX/share/hello-doc"\nprintf "readme\\n" > "$DESTDIR$PREFIX/share/hello-doc/README"\n');
    s.edit('hello', /Version +hello : 1\.0\.1 ;/, 'Version hello : 1.0.2 ;');
    const old = readRecords(s.state()).get('hello')!;
    const oldRoot = picture(s).root;

    let n = 1;
    for (;; n++) {
      const c = new Sandbox(s.dir);
      sandboxes.push(c);
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'jux.js'), 'build', 'hello'], {
        cwd: c.dir,
        env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--import=${KILL_HOOK}`, JUX_KILL_RENAME: String(n), JUX_KILL_UNDER: c.root() },
        encoding: 'utf8',
      });
      const rec = await c.jux('recover');
      expect(rec.code).toBe(0);
      expectConsistent(c);
      const now = readRecords(c.state()).get('hello')!;
      if (r.signal !== 'SIGKILL') {
        // Ran to the end: the new version.
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(now.version).toBe('1.0.2');
        break;
      }
      expect(rec.stderr, `killed at rename ${n}`).toMatch(/recovered: transaction 3 \(jux build hello\) was interrupted: (undid install hello|nothing to undo|nothing to undo; kept install hello)$/m);
      if (now.version === '1.0.1') {
        expect(now.filesText).toBe(old.filesText);
        expect(picture(c).root).toEqual(oldRoot);
      } else {
        expect(now.version).toBe('1.0.2');
        expect(fs.readFileSync(c.root('usr/share/hello-doc/README'), 'utf8')).toBe('readme\n');
      }
      c.remove();
    }
    expect(n).toBeGreaterThan(5);

    const up = await s.jux('build');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(fs.readFileSync(s.root('usr/share/hello-doc/README'), 'utf8')).toBe('readme\n');
    expectConsistent(s);
    const back = await s.jux('rollback');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(back.stdout).toMatch(/^restored hello 1\.0\.1 \(was 1\.0\.2\)$/m);
    expect(picture(s).root).toEqual(oldRoot);
    expectConsistent(s);
  });
});

describe('unsafe archives', () => {
  const BASE: TarEntry[] = [
    { name: 'jux/', type: '5' },
    { name: 'root/', type: '5' },
    { name: 'root/usr/', type: '5' },
    { name: 'root/usr/bin/', type: '5' },
  ];
  const outside = `jux-evil-${process.pid}`;
  const cases: [string, TarEntry[], RegExp][] = [
    ['a path with ..', [{ name: `root/usr/bin/../../../../${outside}`, data: 'x' }], /: a path with "\.\."/],
    ['an absolute path', [{ name: `/tmp/${outside}`, data: 'x' }], /\/tmp\/jux-evil-\d+: an absolute path/],
    ['a symlink pointing out', [{ name: 'root/usr/bin/hello', type: '2', link: '../../../../../../etc/passwd' }], /a symlink to \.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd, outside the root/],
    ['an absolute symlink', [{ name: 'root/usr/bin/hello', type: '2', link: '/etc/passwd' }], /a symlink to \/etc\/passwd, outside the root/],
    ['a file through a symlink', [{ name: 'root/usr/lib', type: '2', link: 'bin' }, { name: 'root/usr/lib/x', data: 'x' }], /written through the symlink root\/usr\/lib/],
    ['a character device', [{ name: 'root/usr/bin/hello', type: '3' }], /a CharacterDevice entry/],
    ['a block device', [{ name: 'root/usr/bin/hello', type: '4' }], /a BlockDevice entry/],
    ['a FIFO', [{ name: 'root/usr/bin/hello', type: '6' }], /a FIFO entry/],
    ['a file list naming ..', [{ name: 'jux/hello.files', data: `d 0755 0 - /usr\nd 0755 0 - /../../${outside}\n` }], /its file list names "\/\.\.\/\.\.\/jux-evil-\d+", which is not a plain path/],
    ['a file list that lies', [{ name: 'jux/hello.files', data: 'f 0755 3 abc /usr/bin/hello\n' }, { name: 'root/usr/bin/hello', data: 'xyz' }], /does not match its file list \(\/usr\/bin\/hello is listed but differs\)/],
  ];

  it.each(cases)('rejects %s with a clear error, status 2 and nothing written', async (_what, entries, message) => {
    const s = built();
    expect((await s.jux('dispel', 'hello')).code).toBe(0);
    const archive = archiveOf(template, 'hello');
    fs.writeFileSync(s.cache(archive), tarGz([...BASE, ...entries]));
    const before = picture(s);
    const plan = await s.jux('plan');
    expect(plan.stdout).toMatch(/^\[N\] hello 1\.0\.0 .*\[from cache\]$/m);
    const r = await s.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`package archive ${archive}`);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/nothing was installed/);
    expect(picture(s)).toEqual(before);
    expect(fs.existsSync(path.join(os.tmpdir(), outside))).toBe(false);
    expect(fs.existsSync(s.path(outside))).toBe(false);
    expect(fs.existsSync(s.path('.jux', outside))).toBe(false);
    expect(fs.readdirSync(s.root())).toEqual(['usr']);

    // A rollback that would reinstall it refuses too, before changing anything.
    const rb = await s.jux('rollback');
    expect(rb.code).toBe(2);
    expect(rb.stderr).toMatch(/cannot roll back/);
    expect(rb.stderr).toMatch(message);
    expect(picture(s)).toEqual(before);
  });
});

describe('jux check: the audit', () => {
  it('finds missing, changed, doubly owned and stray files, missing dependencies and packages no spell root has; --json; status 1', async () => {
    const s = built();
    const clean = await s.jux('check', '--files');
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toBe('11 installed packages: 0 problems\n');
    const cleanJson = JSON.parse((await s.jux('check', '--files', '--json')).stdout) as { files: unknown[]; problems: number };
    expect(cleanJson).toMatchObject({ files: [], problems: 0 });

    expect((await s.jux('dispel', '--force', 'libgreet')).code).toBe(0);
    fs.rmSync(s.root('usr/bin/hello'));
    fs.appendFileSync(s.root('usr/share/greet/message.txt'), 'changed\n');
    fs.writeFileSync(s.root('usr/bin/stray'), 'nobody owns me\n');
    const fortuneLine = fs.readFileSync(s.state('fortune.files'), 'latin1').split('\n').find((l) => l.endsWith(' /usr/bin/fortune'))!;
    fs.appendFileSync(s.state('banner.files'), fortuneLine + '\n');
    fs.rmSync(path.dirname(s.spellFile('report')), { recursive: true });

    const r = await s.jux('check', '--files');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('missing: /usr/bin/hello (of hello) is missing');
    expect(lines).toContain('changed: /usr/share/greet/message.txt (of greet-data) changed since it was installed');
    expect(lines).toContain('owned-twice: /usr/bin/fortune is claimed by banner and fortune');
    expect(lines).toContain('stray: /usr/bin/stray is not owned by any package');
    expect(lines).toContain('missing-dependency: greet needs libgreet (tight), which is not installed');
    expect(lines).toContain('missing-dependency: fortune needs libgreet (loose), which is not installed');
    expect(lines).toContain('orphan: report 1.0.0 is installed but no spell root has it any more');
    expect(r.stdout).toMatch(/^10 installed packages: 7 problems$/m);

    const j = await s.jux('check', '--files', '--json');
    expect(j.code).toBe(1);
    const json = JSON.parse(j.stdout) as { files: { kind: string; package: string | null; path: string | null }[]; problems: number };
    expect(json.problems).toBe(7);
    expect(json.files.map((f) => `${f.kind} ${f.package} ${f.path}`).sort()).toEqual(
      [
        'changed greet-data /usr/share/greet/message.txt',
        'missing hello /usr/bin/hello',
        'missing-dependency fortune null',
        'missing-dependency greet null',
        'orphan report null',
        'owned-twice banner fortune /usr/bin/fortune',
        'stray null /usr/bin/stray',
      ].sort(),
    );
    // The independent reading agrees on the files.
    expect(compareRootAndRecords(s.root(), s.state()).sort()).toEqual(
      [
        'hello: /usr/bin/hello missing',
        '/usr/bin/fortune claimed by banner and fortune',
        'greet-data: /usr/share/greet/message.txt differs (f ' +
          sha256(s.root('usr/share/greet/message.txt')).slice(0, 12) +
          ' vs recorded f ' +
          readRecords(s.state()).get('greet-data')!.files.get('/usr/share/greet/message.txt')!.hash.slice(0, 12) +
          ')',
        '/usr/bin/stray: in the root but in no record',
      ].sort(),
    );
  });
});
