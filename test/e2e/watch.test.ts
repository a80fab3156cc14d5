/**
 * jux watch end to end: the real binary watches a copy of the bundled
 * grimoire while the test changes, adds and deletes spell files, and the
 * printed plan follows; a syntax error is reported, then cleared; a burst
 * of changes is handled once; Ctrl-C (SIGINT) stops it with status 0.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Example } from '../helpers/example.js';
import { startJux } from '../helpers/run.js';

class Watch {
  out = '';
  err = '';
  private readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }
  /** Wait until the output after `from` matches; returns the new end of output. */
  async until(re: RegExp, from = 0, ms = 30_000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const text = this.out.slice(from);
      const m = re.exec(text);
      if (m) return from + m.index + m[0].length;
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}; output so far:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async stop(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

const running: Watch[] = [];
afterEach(() => {
  for (const w of running.splice(0)) w.child.kill('SIGKILL');
});

function watch(ex: Example, ...args: string[]): Watch {
  const w = new Watch(startJux(['watch', ...args], { cwd: ex.dir, env: { JUX_JOBS: '2' } }));
  running.push(w);
  return w;
}

describe('jux watch', () => {
  it('follows changes, additions and deletions, and reports and clears errors', async () => {
    const ex = new Example();
    expect((await ex.jux('build')).code).toBe(0);
    const w = watch(ex, '--debounce', '200');
    let at = await w.until(/^Watching 12 spells in spells \(Ctrl-C to stop\)\nNothing to build: everything is up to date\.\n/m);

    // A version change: one package into the plan, with why.
    ex.edit('libcolor', /Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.2.1 ;');
    at = await w.until(/spells\/libs\/libcolor\/libcolor\.jux changed — re-planned in \d+ ms\n/, at);
    at = await w.until(/^\+ \[U\] libcolor 1\.2\.0 → 1\.2\.1  version 1\.2\.0 → 1\.2\.1\n1 to build \(was 0\); 10 up to date\n/m, at);

    // An ABI change as well: the loose dependants follow, the line for libcolor stays.
    ex.edit('libcolor', /Version libcolor : 1\.2\.1 ;/, 'Version libcolor : 2.0.0 ;');
    ex.edit('libcolor', /Abi +libcolor : 1\.2 ;/, 'Abi libcolor : 2 ;');
    at = await w.until(/^~ \[U\] libcolor 1\.2\.0 → 2\.0\.0 .*\n/m, at);
    const block = w.out.slice(at);
    at = await w.until(/^3 to build \(was 1\); 8 up to date\n/m, at);
    expect(w.out).toMatch(/^\+ \[R\] banner 2\.0\.1  loose dependency libcolor rebuilt with ABI 2 \(built against 1\.2\)$/m);
    expect(block + w.out.slice(at)).not.toMatch(/^- /m);

    // A new spell, then its removal.
    const dir = ex.path('spells', 'apps', 'newapp');
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/newapp.jux`, 'Spell newapp ;\nVersion newapp : 0.1 ;\nLooseDepends newapp : libgreet ;\n');
    at = await w.until(/^\+ \[N\] newapp 0\.1  not installed\n4 to build \(was 3\)/m, at);
    fs.rmSync(dir, { recursive: true });
    at = await w.until(/spells\/apps\/newapp\/newapp\.jux \(removed\) changed.*\n- newapp  no longer in any spell root\n3 to build \(was 4\)/, at);

    // A syntax error (a forgotten colon) is shown with its position; the plan waits.
    const banner = ex.spellFile('banner');
    const good = fs.readFileSync(banner, 'utf8');
    fs.writeFileSync(banner, good.replace(/Version +banner : 2\.0\.1 ;/, 'Version banner 2.0.2 ;'));
    // (What changed comes first, then what is wrong with it.)
    at = await w.until(
      /banner\.jux changed — re-planned in \d+ ms\n\S*banner\.jux:9:1: error: Version takes 2 arguments separated by " : ", got 1 \(a missing colon\?\)\n/,
      at,
    );
    at = await w.until(/^1 error in the spell tree: the plan above stands until they are fixed\n/m, at);
    fs.writeFileSync(banner, good.replace(/Version +banner : 2\.0\.1 ;/, 'Version banner : 2.0.2 ;'));
    at = await w.until(/^The spell tree has no errors any more\.\n/m, at);
    at = await w.until(/^~ \[U\] banner 2\.0\.1 → 2\.0\.2 /m, at);
    await w.until(/^3 to build; 8 up to date\n/m, at);

    expect(await w.stop()).toBe(0);
    expect(w.out).toMatch(/Stopped watching\.\n$/);
    expect(w.err).toBe('');
  });

  it('handles a burst of changes once, and a change outside the spell files (a script)', async () => {
    const ex = new Example();
    expect((await ex.jux('build')).code).toBe(0);
    const w = watch(ex, '--debounce', '400');
    let at = await w.until(/^Nothing to build: everything is up to date\.\n/m);
    const before = (w.out.match(/re-planned in/g) ?? []).length;
    for (const [spell, v] of [['hello', '1.0.1'], ['fortune', '1.1.1'], ['mathlib', '0.3.2']] as const) {
      ex.edit(spell, new RegExp(`Version +${spell} : [0-9.]+ ;`), `Version ${spell} : ${v} ;`);
    }
    at = await w.until(/^3 to build \(was 0\); 8 up to date\n/m, at);
    expect((w.out.match(/re-planned in/g) ?? []).length - before).toBe(1);
    expect(w.out).toMatch(/spells\/apps\/fortune\/fortune\.jux, spells\/apps\/hello\/hello\.jux, spells\/libs\/mathlib\/mathlib\.jux changed/);

    // Editing a phase script (not a .jux file) changes the spell's inputs.
    fs.appendFileSync(`${ex.spellDir('greet')}/BUILD`, '\n# a comment\n');
    at = await w.until(/^\+ \[R\] greet 1\.0\.0  changed scripts\n/m, at);
    expect(await w.stop()).toBe(0);
  });

  it('builds what the plan holds with --build', async () => {
    const ex = new Example();
    const w = watch(ex, '--build', '--debounce', '200', 'hello');
    let at = await w.until(/^\[N\] hello 1\.0\.0  not installed\n/m);
    at = await w.until(/^Build finished\.\n/m, at);
    expect(fs.readFileSync(ex.state('hello.state'), 'utf8')).toMatch(/^Installed +hello : 1\.0\.0 /m);
    at = await w.until(/^- hello  up to date\n0 to build \(was 1\)/m, at);
    ex.edit('hello', /Version +hello : 1\.0\.0 ;/, 'Version hello : 1.0.1 ;');
    at = await w.until(/^\+ \[U\] hello 1\.0\.0 → 1\.0\.1 /m, at);
    at = await w.until(/^installed hello 1\.0\.1/m, at);
    await w.until(/^Build finished\.\n/m, at);
    expect(fs.readFileSync(ex.state('hello.state'), 'utf8')).toMatch(/^Installed +hello : 1\.0\.1 /m);
    expect(await w.stop()).toBe(0);
  });
});
