/** Benchmark: `jux jam` against real jam on generated Jamfiles. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateJamfile } from './genJamfile.js';
import { fmtMb, fmtS, hasCommand, medianSample, printTable, rmrf, type Sample } from './measure.js';

/**
 * `-n` at every size; `-j2` (one `true` action per target, the slow part:
 * about 10 s a run for jam itself at 10,000) only up to `j2Max` targets,
 * at most 3 runs.
 */
export function benchJamEngine(opts: { sizes: number[]; runs: number; jux: string; j2Max?: number }): void {
  const jam = hasCommand('jam');
  const rows: (string | number)[][] = [];
  for (const n of opts.sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-bench-jam-'));
    generateJamfile(path.join(dir, 'Jamfile'), n);
    const modes: [string, string[]][] = [
      ['-n', ['-n']],
      ['-j2 (true actions)', ['-j2']],
    ];
    for (const [label, args] of modes) {
      if (args[0] === '-j2' && n > (opts.j2Max ?? Infinity)) {
        rows.push([n.toLocaleString('en'), `${label}: not run (npm run bench -- jam --full)`, '', '', '', '', '', '']);
        continue;
      }
      const runs = args[0] === '-j2' ? Math.min(opts.runs, 3) : opts.runs;
      const juxS: Sample = medianSample(runs, () =>
        timeCmd([process.execPath, opts.jux, 'jam', '-f', 'Jamfile', ...args], dir),
      );
      let jamS: Sample | null = null;
      if (jam) jamS = medianSample(runs, () => timeCmd(['jam', '-f', 'Jamfile', ...args], dir));
      rows.push([
        n.toLocaleString('en'),
        label,
        runs,
        fmtS(juxS.seconds),
        fmtMb(juxS.maxRssMb),
        jamS ? fmtS(jamS.seconds) : 'n/a',
        jamS ? fmtMb(jamS.maxRssMb) : 'n/a',
        jamS ? (juxS.seconds / jamS.seconds).toFixed(2) + 'x' : 'n/a',
      ]);
    }
    rmrf(dir);
  }
  printTable(
    'jux jam vs jam 2.6.1 on generated Jamfiles (NotFile targets, ~4.8 dependencies each; median wall time)',
    ['targets', 'run', 'runs', 'jux jam', 'jux mem', 'jam', 'jam mem', 'ratio'],
    rows,
  );
}

function timeCmd(argv: string[], cwd: string): Sample {
  return medianSample(1, () => {
    const { timeCommand } = measure;
    return timeCommand(argv, cwd);
  });
}
import * as measure from './measure.js';
