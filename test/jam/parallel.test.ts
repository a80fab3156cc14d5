/**
 * What the corpus cannot show: real parallelism, failures under -j, and
 * interruption.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunResult, runJux, startJux, tempDir, writeFiles } from '../helpers/run.js';

/** Both failure tests: `bad` fails, `mid` (on bad) and `top` (on mid) are skipped. */
function expectBadChainSkipped(r: RunResult): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('...failed Fail bad ...');
  expect(r.stdout).toContain('...skipped mid for lack of bad...');
  expect(r.stdout).toContain('...skipped top for lack of mid...');
}

function expectNone(dir: string, targets: readonly string[]): void {
  for (const t of targets) expect(fs.existsSync(path.join(dir, t))).toBe(false);
}

/**
 * Run jux in `dir` until a command touches `started`, then send `signal`:
 * its exit code, its standard output, and how long it took to exit.
 */
async function interruptOnceStarted(dir: string, args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; out: string; ms: number }> {
  const child = startJux(args, { cwd: dir });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const started = path.join(dir, 'started');
  for (let i = 0; i < 200 && !fs.existsSync(started); i++) await new Promise((r) => setTimeout(r, 50));
  expect(fs.existsSync(started)).toBe(true);
  const t0 = Date.now();
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, out, ms: Date.now() - t0 };
}

describe('jux jam -j', () => {
  it('runs two commands at the same time', async () => {
    const dir = tempDir();
    // Each command writes its marker, then waits for the other's: they can
    // only both finish if they run at once.
    writeFiles(dir, {
      Jamfile: `
actions Meet { touch $(<).mark ; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 ; do [ -f $(OTHER).mark ] && break ; sleep 0.1 ; done ; [ -f $(OTHER).mark ] && touch $(<) }
OTHER on a = b ; OTHER on b = a ;
Meet a ; Meet b ;
Depends all : a b ;
NotFile all ;
`,
    });
    const r = await runJux(['jam', '-j2'], { cwd: dir });
    expect(r.stdout).toContain('...updated 2 target(s)...');
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'a'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'b'))).toBe(true);
    // With one job the same build cannot finish.
    const dir1 = tempDir();
    writeFiles(dir1, { Jamfile: fs.readFileSync(path.join(dir, 'Jamfile'), 'utf8') });
    const r1 = await runJux(['jam', '-j1'], { cwd: dir1 });
    expect(r1.code).toBe(1);
    expect(r1.stdout).toContain('...failed Meet a ...');
  });

  it('skips exactly the dependants of a failed action and builds the rest', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      Jamfile: `
actions Make { sleep 0.1 ; echo made $(<) > $(<) }
actions Fail { exit 3 }
Depends all : top other chain ;
Depends top : mid ; Depends mid : bad ;
Depends chain : ok1 ; Depends ok1 : ok2 ;
Fail bad ;
for t in mid top other chain ok1 ok2 { Make $(t) ; }
NotFile all ;
`,
    });
    const r = await runJux(['jam', '-j2'], { cwd: dir });
    expectBadChainSkipped(r);
    expect(r.stdout).toContain('...skipped 2 target(s)...');
    expect(r.stdout).toContain('...updated 4 target(s)...');
    for (const t of ['other', 'chain', 'ok1', 'ok2']) expect(fs.existsSync(path.join(dir, t))).toBe(true);
    expectNone(dir, ['top', 'mid', 'bad']);
  });

  it('never interleaves the output of parallel commands', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      Jamfile: `
actions Say { for i in 1 2 3 4 5 ; do echo $(<)-$i ; sleep 0.02 ; done }
for t in a b c d { Say $(t) ; }
Depends all : a b c d ; NotFile all a b c d ; Always a b c d ;
`,
    });
    const r = await runJux(['jam', '-j4'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^[abcd]-\d$/.test(l));
    // Each target's five lines are together.
    for (let i = 0; i < lines.length; i += 5) {
      const t = lines[i]![0];
      expect(lines.slice(i, i + 5)).toEqual([1, 2, 3, 4, 5].map((n) => `${t}-${n}`));
    }
    expect(lines.length).toBe(20);
  });

  it('queues short commands on its workers but never runs more than -j at once', async () => {
    const dir = tempDir();
    // Each command is in run/ from its first step to its last; the glob
    // counts the commands running with it. The commands are short (one
    // process each), so they are queued on the workers. One-line and
    // several-line command texts, with quotes, backslashes and dollars, and
    // their output.
    const targets = Array.from({ length: 120 }, (_, i) => `t${i}`);
    writeFiles(dir, {
      Jamfile: `
actions Count { : > run/$(<) ; set -- run/* ; echo $# >> counts ; rm run/$(<) ; printf '%s|%s\\n' "$(<)" 'a\\b $x "q"' }
actions Lines {
  : > run/$(<)
  set -- run/*
  echo $# >> counts
  rm run/$(<)
  echo "$(<)" lines
}
for t in ${targets.join(' ')} { if $(t) in t7 t77 { Lines $(t) ; } else { Count $(t) ; } }
Depends all : ${targets.join(' ')} ; NotFile all ${targets.join(' ')} ; Always ${targets.join(' ')} ;
`,
      'run/.keep': '',
    });
    fs.rmSync(path.join(dir, 'run', '.keep'));
    const r = await runJux(['jam', '-j2'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('...updated 120 target(s)...');
    const counts = fs.readFileSync(path.join(dir, 'counts'), 'utf8').trim().split('\n').map(Number);
    expect(counts.length).toBe(120);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    for (const t of targets) {
      const want = t === 't7' || t === 't77' ? `${t} lines` : `${t}|a\\b $x "q"`;
      expect(r.stdout.split('\n').filter((l) => l === want)).toHaveLength(1);
    }
  });

  it('skips exactly the dependants of a failed short command among queued ones', async () => {
    const dir = tempDir();
    const ok = Array.from({ length: 60 }, (_, i) => `ok${i}`);
    writeFiles(dir, {
      Jamfile: `
actions Make { echo $(<) > $(<) }
actions Fail { exit 3 }
Fail bad ; for t in mid top ${ok.join(' ')} { Make $(t) ; }
Depends mid : bad ; Depends top : mid ;
Depends all : top ${ok.join(' ')} ;
NotFile all ;
`,
    });
    const r = await runJux(['jam', '-j2'], { cwd: dir });
    expectBadChainSkipped(r);
    expect(r.stdout).toContain('...failed updating 1 target(s)...');
    expect(r.stdout).toContain('...skipped 2 target(s)...');
    expect(r.stdout).toContain('...updated 60 target(s)...');
    for (const t of ok) expect(fs.readFileSync(path.join(dir, t), 'utf8')).toBe(`${t}\n`);
    expectNone(dir, ['top', 'mid', 'bad']);
  });

  it('on SIGINT with short commands queued stops everything and removes the half-written target', async () => {
    const dir = tempDir();
    const quick = Array.from({ length: 200 }, (_, i) => `q${i}`);
    writeFiles(dir, {
      Jamfile: `
actions Quick { touch $(<) }
actions Slow { echo partial > $(<) ; touch started ; sleep 30 ; echo done >> $(<) }
Quick ${quick.slice(0, 100).join(' ')} ; Slow big ; Quick ${quick.slice(100).join(' ')} ;
Depends all : ${quick.slice(0, 100).join(' ')} big ${quick.slice(100).join(' ')} ;
NotFile all ;
`,
    });
    const { code, out, ms } = await interruptOnceStarted(dir, ['jam', '-j2'], 'SIGINT');
    expect(ms).toBeLessThan(10_000);
    expect(code).not.toBe(0);
    expect(fs.existsSync(path.join(dir, 'big'))).toBe(false);
    expect(out).toContain('...interrupted');
    expect(out).toContain('...removing big');
    // Nothing goes on running after jux: the folder stays as it was left.
    const left = fs.readdirSync(dir).sort();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fs.readdirSync(dir).sort()).toEqual(left);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} stops, removes the half-written target and exits non-zero`, async () => {
      const dir = tempDir();
      writeFiles(dir, {
        Jamfile: `
actions Slow { echo partial > $(<) ; touch started ; sleep 30 ; echo done >> $(<) }
actions Later { echo later > $(<) }
Slow big ; Later after ; Depends after : big ;
Depends all : after ;
NotFile all ;
`,
      });
      const { code, out, ms } = await interruptOnceStarted(dir, ['jam'], signal);
      expect(ms).toBeLessThan(10_000);
      expect(code).not.toBe(0);
      expect(fs.existsSync(path.join(dir, 'big'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'after'))).toBe(false);
      expect(out).toContain('...interrupted');
      expect(out).toContain('...removing big');
    });
  }
});
