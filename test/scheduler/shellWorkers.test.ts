/**
 * The shell workers' own contract: answers in the order commands were
 * sent, each captured output from its own command (a queued command runs
 * while jux reads the last one's), one-line and several-line texts exact,
 * at most `max` workers, and after signal() nothing that waited starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ShellWorkers } from '../../src/scheduler/shellWorkers.js';
import { tempDir } from '../helpers/run.js';

const pools: ShellWorkers[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});
function pool(max: number, quickMs?: number): ShellWorkers {
  const p = new ShellWorkers(execa, max, quickMs);
  pools.push(p);
  return p;
}

describe('shell workers', () => {
  it('queues a short command behind another on one worker, each with its own output and status', async () => {
    // "Short" is anything under a minute here: a loaded machine cannot make the test flaky.
    const w = pool(1, 60_000);
    // A first short command makes the worker count as running short ones.
    expect((await w.run('true', true, true)).exitCode).toBe(0);
    const texts = [
      `printf '%s\\n' 'one $x "q" \\ back'`,
      'echo two; exit 3',
      'echo three\necho "and more"\n',
      'exit 0',
      'echo five >&2',
    ];
    const got: { exitCode: number | null; output: Buffer | null }[] = [];
    for (let i = 0; i < texts.length; i += 2) {
      const first = w.run(texts[i]!, true, true);
      // Sent while the first runs: the one worker takes it as well.
      const second = i + 1 < texts.length ? (expect(w.canTake(true)).toBe(true), w.run(texts[i + 1]!, true, true)) : null;
      got.push(await first);
      if (second) got.push(await second);
    }
    expect(got.map((r) => r.exitCode)).toEqual([0, 3, 0, 0, 0]);
    expect(got.map((r) => r.output?.toString())).toEqual(['one $x "q" \\ back\n', 'two\n', 'three\nand more\n', '', 'five\n']);
  });

  it('never starts more than max workers, and after signal() nothing that waited starts', async () => {
    const dir = tempDir('jux-workers-');
    const w = pool(1);
    const long = w.run(`touch ${path.join(dir, 'long')}; sleep 20`, true, true);
    // The worker runs a long command: another cannot be queued behind it.
    for (let i = 0; i < 100 && !fs.existsSync(path.join(dir, 'long')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(w.canTake(true)).toBe(false);
    const waiting = w.run(`touch ${path.join(dir, 'never')}`, true, true);
    w.signal('SIGINT');
    const [a, b] = await Promise.all([long, waiting]);
    expect(a.exitCode === 0).toBe(false);
    expect(b).toEqual({ exitCode: null, output: null, signal: 'SIGINT' });
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });
});
