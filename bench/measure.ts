/** Whole-process measurements: wall time and peak memory, median of runs. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Sample {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly status: number;
  /** The command's standard error (without time(1)'s lines). */
  readonly stderr?: string;
}

/**
 * Run a command under /usr/bin/time; standard output is discarded (or
 * written to `stdoutFile`), standard error returned.
 */
export function timeCommand(
  argv: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
  opts: { stdoutFile?: string } = {},
): Sample {
  const fd = opts.stdoutFile ? fs.openSync(opts.stdoutFile, 'w') : null;
  let out;
  try {
    out = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', fd ?? 'ignore', 'pipe'],
      maxBuffer: 1 << 30,
    });
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  const lines = out.stderr.toString().replace(/\n$/, '').split('\n');
  const last = lines.pop() ?? '';
  // time(1) prints "Command exited with non-zero status N" before the figures.
  if (/^Command (exited with non-zero status|terminated by signal)/.test(lines[lines.length - 1] ?? '')) lines.pop();
  const [secs, kb] = last.split(' ');
  return {
    seconds: Number(secs),
    maxRssMb: Number(kb) / 1024,
    status: out.status ?? -1,
    stderr: lines.join('\n'),
  };
}

/** Run a command and keep its output (not timed by time(1)). */
export function runCapture(
  argv: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): { status: number; stdout: string; stderr: string; seconds: number } {
  const t0 = performance.now();
  const out = spawnSync(argv[0]!, argv.slice(1), { cwd, env: env ?? process.env, maxBuffer: 1 << 30 });
  return {
    status: out.status ?? -1,
    stdout: out.stdout?.toString() ?? '',
    stderr: out.stderr?.toString() ?? String(out.error ?? ''),
    seconds: (performance.now() - t0) / 1000,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The median of `runs` samples; the status is the first non-zero one (else 0). */
export function medianSample(runs: number, f: (i: number) => Sample): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(f(i));
  return {
    seconds: median(samples.map((s) => s.seconds)),
    maxRssMb: median(samples.map((s) => s.maxRssMb)),
    status: samples.find((s) => s.status !== 0)?.status ?? 0,
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

export function fmtMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) + ' ms' : Math.round(ms) + ' ms';
}

export function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

/** Temporary directories made by the bench; removed by `removeTemp`, or at exit. */
const temps = new Set<string>();

export function makeTemp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.add(dir);
  return dir;
}

export function removeTemp(dir: string): void {
  rmrf(dir);
  temps.delete(dir);
}

process.on('exit', () => {
  for (const d of temps) rmrf(d);
});

/** `uptime`'s load averages, for the record (the machine is shared). */
export function loadNote(): string {
  const [a, b, c] = os.loadavg().map((x) => x.toFixed(2));
  return `load average ${a}, ${b}, ${c} (${os.availableParallelism?.() ?? os.cpus().length} cores)`;
}

/** "yes"/"NO" for a target. */
export function met(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}
