/**
 * jux build end to end: the real binary builds the bundled grimoire (real
 * C code, the machine's compiler) in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Example } from '../helpers/example.js';
import { runJux } from '../helpers/run.js';

const ALL = ['banner', 'fortune', 'gencolors', 'greet', 'greet-data', 'hello', 'libcolor', 'libgreet', 'mathlib', 'minicalc', 'report'];

function run(bin: string, args: string[] = [], input?: string): string {
  return execFileSync(bin, args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, ...(input !== undefined ? { input } : {}) });
}

describe('jux build', () => {
  it('builds the whole example, then has nothing to do', async () => {
    const ex = new Example();
    const r = await ex.jux('build');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(Example.installed(r)).toEqual(ALL);
    expect(r.stdout).toMatch(/Summary: 11 built, 0 up to date/);
    // Files in the root, programs that run.
    expect(run(ex.root('usr/bin/greet'))).toBe('\x1b[32mHello, world!\x1b[0m\nHave a nice day.\n');
    expect(run(ex.root('usr/bin/fortune'))).toBe('Hello, fortune seeker!\nYou will build from source and be happy.\n');
    expect(run(ex.root('usr/bin/hello'))).toBe('Hello from jux!\n');
    expect(run(ex.root('usr/bin/banner'), ['Hi'])).toBe('+----+\n| Hi |\n+----+\n');
    fs.writeFileSync(ex.path('numbers'), '1\n2\n3\n4\n5\n');
    expect(run(ex.root('usr/bin/report'), [ex.path('numbers')])).toBe('count: 5\nsum: 15\nmean: 3\nsquares: 55\ncalc: minicalc\n');
    expect(fs.readlinkSync(ex.root('usr/lib/libgreet.so'))).toMatch(/^libgreet\.so\.1/);
    // State: records and file lists.
    for (const p of ALL) {
      expect(fs.readFileSync(ex.state(`${p}.state`), 'utf8')).toMatch(new RegExp(`^Installed +${p} : `, 'm'));
      expect(fs.existsSync(ex.state(`${p}.files`))).toBe(true);
    }
    const files = fs.readFileSync(ex.state('greet.files'), 'utf8');
    expect(files).toMatch(/^f 0755 \d+ [0-9a-f]{64} \/usr\/bin\/greet$/m);
    expect(fs.readFileSync(ex.state('greet.state'), 'utf8')).toMatch(/^BuiltAgainst greet : libgreet : 1\.0\.0 : 1 : /m);
    expect(fs.existsSync(ex.path('.jux', 'logs', 'libgreet', 'test.log'))).toBe(true);
    const journal = fs.readFileSync(ex.state('journal'), 'utf8');
    expect(journal.match(/^step /gm)).toHaveLength(11);
    expect(journal.trimEnd().split('\n').pop()).toBe('commit 1');

    const again = await ex.jux('build');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Nothing to build: everything is up to date.\n');
    expect(fs.readFileSync(ex.state('journal'), 'utf8')).toBe(journal);
  });

  it('rebuilds only what a change requires', async () => {
    const ex = new Example();
    expect((await ex.jux('build')).code).toBe(0);

    // A patch release of the library the loose consumer uses: the library only.
    ex.edit('libcolor', /Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.2.1 ;');
    let r = await ex.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Example.installed(r)).toEqual(['libcolor']);

    // An ABI change: the loose (and optional) consumers too.
    ex.edit('libcolor', /Version +libcolor : 1\.2\.1 ;/, 'Version libcolor : 1.3.0 ;');
    ex.edit('libcolor', /Abi +libcolor : 1\.2 ;/, 'Abi libcolor : 1.3 ;');
    r = await ex.jux('build');
    expect(Example.installed(r)).toEqual(['banner', 'greet', 'libcolor']);

    // Rebuilding the tightly linked library rebuilds the program (not the loose fortune).
    r = await ex.jux('build', '--rebuild', 'libgreet');
    expect(r.code).toBe(0);
    expect(Example.installed(r)).toEqual(['greet', 'libgreet']);

    // A build-only tool: nothing else.
    ex.edit('gencolors', /Version +gencolors : 1\.0\.0 ;/, 'Version gencolors : 1.0.1 ;');
    r = await ex.jux('build');
    expect(Example.installed(r)).toEqual(['gencolors']);
  });

  it('reports a failed build: dependants skipped, the rest built, status 1, failure recorded', async () => {
    const ex = new Example();
    const build = `${ex.spellDir('libgreet')}/BUILD`;
    fs.writeFileSync(build, '#!/bin/bash\necho "compiling libgreet"\necho "greet.c:1: error: broken on purpose" >&2\nexit 3\n');
    const r = await ex.jux('build');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED libgreet 1\.0\.0: build phase, exit status 3/);
    expect(r.stdout).toContain('  | greet.c:1: error: broken on purpose');
    expect(r.stdout).toContain('  log: .jux/logs/libgreet/build.log');
    expect(r.stdout).toMatch(/skipped fortune \(needs libgreet\)/);
    expect(r.stdout).toMatch(/skipped greet \(needs libgreet\)/);
    expect(Example.installed(r)).toEqual(ALL.filter((p) => !['libgreet', 'greet', 'fortune'].includes(p)));
    expect(r.stdout).toMatch(/Summary: 8 built, 0 up to date, 1 failed, 2 skipped/);
    expect(r.stdout).toContain('Failed:\n  libgreet 1.0.0: build phase, exit status 3 — log: .jux/logs/libgreet/build.log');
    expect(r.stdout).toContain('Skipped:\n  fortune (needs libgreet)\n  greet (needs libgreet)');
    expect(r.stdout).toContain('Most damaging failures:\n  libgreet blocked 2 packages');
    expect(ex.read('.jux', 'logs', 'libgreet', 'build.log')).toBe('compiling libgreet\ngreet.c:1: error: broken on purpose\n');
    // The failed build's folder stays, as the script left it; those that built went.
    expect(fs.readdirSync(ex.path('.jux', 'build'))).toEqual(['libgreet']);
    expect(fs.readdirSync(ex.path('.jux', 'build', 'libgreet', 'src')).sort()).toEqual(fs.readdirSync(`${ex.spellDir('libgreet')}/src`).sort());
    // Recorded, and told by info and plan.
    expect(fs.readFileSync(ex.state('libgreet.failed'), 'utf8')).toMatch(/^Failed +libgreet : 1\.0\.0 : [0-9a-f]{16} : 20\d\d-.* : build : "exit status 3" : \S+build\.log ;$/m);
    expect(fs.existsSync(ex.state('libgreet.state'))).toBe(false);
    const info = await ex.jux('info', 'libgreet');
    expect(info.stdout).toMatch(/failed to build at 20\d\d-\S+: build, exit status 3, see \S+build\.log/);
    const plan = await ex.jux('plan', 'libgreet');
    expect(plan.stdout).toMatch(/\[N\] libgreet 1\.0\.0 .*\(failed to build at 20\d\d-\S+: build, exit status 3, see \S+build\.log\)/);
    // Beside another version, the failure names the version that failed.
    ex.edit('libgreet', /Version +libgreet : 1\.0\.0 ;/, 'Version libgreet : 1.0.1 ;');
    expect((await ex.jux('plan', 'libgreet')).stdout).toMatch(/\[N\] libgreet 1\.0\.1 .*\(1\.0\.0 failed to build at 20\d\d-\S+: build, exit status 3, see /);
    ex.edit('libgreet', /Version libgreet : 1\.0\.1 ;/, 'Version     libgreet : 1.0.0 ;');
    // Fixed: the failure record goes.
    fs.writeFileSync(build, '#!/bin/bash\nset -e\nmake -j"$JOBS"\n');
    fs.chmodSync(build, 0o755);
    const fixed = await ex.jux('build');
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(Example.installed(fixed)).toEqual(['fortune', 'greet', 'libgreet']);
    expect(fs.existsSync(ex.state('libgreet.failed'))).toBe(false);
  });

  it('removes the build folders of packages that built, unless told to keep them', async () => {
    const ex = new Example();
    const r = await ex.jux('build');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fs.readdirSync(ex.path('.jux', 'build'))).toEqual([]);

    const kept = await ex.jux('build', '--rebuild', 'hello', '--keep-build');
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(fs.readdirSync(ex.path('.jux', 'build'))).toEqual(['hello']);
    expect(fs.readdirSync(ex.path('.jux', 'build', 'hello')).sort()).toEqual(['build', 'dest', 'home', 'sources', 'src', 'tmp']);
    expect(fs.readdirSync(ex.path('.jux', 'build', 'hello', 'src'))).toContain('hello.sh');

    fs.rmSync(ex.path('.jux', 'build', 'hello'), { recursive: true });
    const env = await runJux(['build', '--rebuild', 'greet'], { cwd: ex.dir, env: { JUX_KEEP_BUILD: '1' } });
    expect(env.code, env.stdout + env.stderr).toBe(0);
    expect(fs.readdirSync(ex.path('.jux', 'build'))).toEqual(['greet']);
  });

  it('stops at the first failure with -q', async () => {
    const ex = new Example();
    fs.writeFileSync(`${ex.spellDir('gencolors')}/BUILD`, '#!/bin/bash\nexit 1\n');
    const r = await ex.jux('build', '-q', '-j', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED gencolors/);
    expect(Example.installed(r).length).toBeLessThan(9);
    expect(r.stdout).toMatch(/\(stopped\)/);
  });
});

describe('jux build on bad input', () => {
  it('refuses a script that is not executable, changing nothing', async () => {
    const ex = new Example();
    fs.chmodSync(`${ex.spellDir('hello')}/INSTALL`, 0o644);
    const r = await ex.jux('build');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hello: the install script \S+INSTALL is not executable \(chmod \+x it\)/);
    expect(fs.existsSync(ex.path('.jux', 'state', 'journal'))).toBe(false);
    expect(fs.readdirSync(ex.root())).toEqual([]);
  });

  it('refuses a script that is missing (a dangling link)', async () => {
    const ex = new Example();
    const s = `${ex.spellDir('hello')}/INSTALL`;
    fs.rmSync(s);
    fs.symlinkSync('nowhere/INSTALL', s);
    const r = await ex.jux('build', 'hello');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hello: the install script \S+INSTALL is missing/);
  });

  it('catches a build that writes into the root instead of DESTDIR', async () => {
    const ex = new Example();
    fs.writeFileSync(
      `${ex.spellDir('hello')}/INSTALL`,
      '#!/bin/bash\nmkdir -p "$ROOT/usr/bin"\necho oops > "$ROOT/usr/bin/stray"\nmkdir -p "$DESTDIR$PREFIX/bin"\necho hi > "$DESTDIR$PREFIX/bin/hello"\n',
    );
    const r = await ex.jux('build', 'hello');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED hello 1\.0\.0: install phase, wrote outside DESTDIR/);
    expect(r.stdout).toMatch(/created \/usr\/bin\/stray/);
    expect(fs.existsSync(ex.root('usr/bin/stray'))).toBe(false);
    expect(fs.existsSync(ex.root('usr/bin/hello'))).toBe(false);
    expect(fs.existsSync(ex.state('hello.state'))).toBe(false);
  });

  it('refuses an unwritable root', async () => {
    const ex = new Example();
    fs.mkdirSync(ex.path('.jux'), { recursive: true });
    fs.writeFileSync(ex.path('.jux', 'root'), 'a file, not a directory');
    const r = await ex.jux('build');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the root \S+ is not a writable directory .*nothing was built/);
  });

  it('refuses a cycle of build dependencies', async () => {
    const ex = new Example();
    fs.appendFileSync(ex.spellFile('gencolors'), '\nBuildDepends gencolors : libcolor ;\n');
    const r = await ex.jux('build');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/build dependencies form a cycle: gencolors -> libcolor -> gencolors/);
    expect(fs.existsSync(ex.path('.jux', 'state', 'journal'))).toBe(false);
  });
});
