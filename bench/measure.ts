/** Whole-process measurements: wall time and peak memory, median of runs. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface Sample {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly status: number;
}

/** Run a command under /usr/bin/time; output is discarded. */
export function timeCommand(argv: string[], cwd: string, env?: NodeJS.ProcessEnv): Sample {
  const out = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], {
    cwd,
    env: env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 30,
  });
  const lines = out.stderr.toString().trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const [secs, kb] = last.split(' ');
  // time(1) prints "Command exited with non-zero status N" before the figures.
  return { seconds: Number(secs), maxRssMb: Number(kb) / 1024, status: out.status ?? -1 };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function medianSample(runs: number, f: () => Sample): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(f());
  return {
    seconds: median(samples.map((s) => s.seconds)),
    maxRssMb: median(samples.map((s) => s.maxRssMb)),
    status: samples[samples.length - 1]!.status,
  };
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Print a table with aligned columns. */
export function printTable(title: string, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n${title}\n`);
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r.map(String)));
}

export function fmtS(s: number): string {
  return s.toFixed(s < 10 ? 2 : 1) + ' s';
}
export function fmtMb(m: number): string {
  return Math.round(m) + ' MB';
}

export function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}
