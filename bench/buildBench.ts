/**
 * Benchmark `build`: `jux build -j 2` (whole tree, empty root, state and
 * cache every run) of generated trees whose spells have no sources and
 * one phase script, BUILD = `#!/bin/sh` + `true` (a spell with some scripts
 * runs only those phases: no configure, test or install script runs, and
 * nothing is fetched). Per package jux still does its own work: a fresh
 * build directory, the BUILD script, scanning the (empty) staging tree,
 * packing the binary package into CACHE/, and the install
 * transaction (journal, state record). Beside it: real `jam -j2` on the
 * equivalent Jamfile, one `true` action (and Always) per package with the
 * same dependency edges.
 */
import path from 'node:path';
import fs from 'node:fs';
import { generateSpellTree } from './genSpellTree.js';
import { juxEnv } from './planBench.js';
import {
  fmtMb,
  fmtS,
  hasCommand,
  loadNote,
  makeTemp,
  medianSample,
  met,
  printTable,
  removeTemp,
  rmrf,
  type Sample,
  timeCommand,
} from './measure.js';
import { spellsToJamfile } from './spellsToJamfile.js';

export async function benchBuild(opts: { runs: number; quick: boolean; full: boolean; jux: string }): Promise<void> {
  const jam = hasCommand('jam');
  // 1,000 is the quick check; the target is about 10,000 (several minutes a run).
  const sizes = opts.quick ? [1_000] : opts.full ? [1_000, 10_000] : [10_000];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const n of sizes) {
    // 10,000 packages take minutes with jux: one run (say so in the table).
    const runs = n >= 10_000 ? 1 : opts.runs;
    const dir = makeTemp('jux-bench-build-');
    try {
      const tree = path.join(dir, 'tree');
      const s = generateSpellTree(tree, n, { seed: 11, buildScript: true });
      const work = path.join(dir, 'w');
      fs.writeFileSync(
        path.join(dir, 'jux.yaml'),
        `roots: [tree]\nlogs: w/logs\nbuild: w/build\n`,
      );
      const jf = spellsToJamfile(tree, path.join(dir, 'Jamfile'), { actions: true });
      const argv = [
        process.execPath, opts.jux,
        '--root', path.join(work, 'root'), '--state', path.join(work, 'state'), '--cache-dir', path.join(work, 'cache'),
        'build', '-j', '2',
      ];
      const out = path.join(dir, 'build.out');
      const jux = medianSample(runs, (i) => {
        rmrf(work);
        return timeCommand(argv, dir, juxEnv(), i === 0 ? { stdoutFile: out } : {});
      });
      const summary = fs.readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('Summary:')).pop() ?? '(no summary)';
      rmrf(work);
      let jamS: Sample | null = null;
      let jamOut = '';
      if (jam) {
        const jout = path.join(dir, 'jam.out');
        jamS = medianSample(runs, (i) => timeCommand(['jam', '-j2', '-f', 'Jamfile'], dir, undefined, i === 0 ? { stdoutFile: jout } : {}));
        jamOut = fs.readFileSync(jout, 'utf8').split('\n').filter((l) => l.startsWith('...updated')).pop() ?? '(no ...updated line)';
      }
      const ratio = jamS ? jux.seconds / jamS.seconds : NaN;
      rows.push([
        n.toLocaleString('en'),
        runs,
        fmtS(jux.seconds),
        fmtMb(jux.maxRssMb),
        jux.status,
        jamS ? fmtS(jamS.seconds) : 'n/a',
        jamS ? fmtMb(jamS.maxRssMb) : 'n/a',
        jamS ? jamS.status : 'n/a',
        jamS ? ratio.toFixed(2) + 'x' : 'n/a',
        jamS ? `<= 1.5x: ${met(ratio <= 1.5)}` : '',
      ]);
      notes.push(
        `${n.toLocaleString('en')} spells (${(s.edges / n).toFixed(2)} deps/spell; Jamfile ${jf.statements.toLocaleString('en')} statements): ` +
          `jux: "${summary}"; jam: "${jamOut}"`,
      );
    } finally {
      removeTemp(dir);
    }
  }
  printTable(
    'build: `jux build -j 2` of a generated tree (no sources; every spell has only a BUILD script `true`), fresh root/state/cache each run, ' +
      'beside `jam -j2` running one `true` action per package on the equivalent Jamfile (median wall time, peak RSS)',
    ['spells', 'runs', 'jux build', 'jux mem', 'exit', 'jam -j2', 'jam mem', 'exit', 'ratio', 'target'],
    rows,
  );
  console.log('');
  for (const x of notes) console.log(`- ${x}`);
  console.log(
    '- the 10,000-spell case is measured once (one jux run takes minutes); the 1,000-spell check runs with --quick or --full; ' +
      'runs = how many runs each median is of',
  );
  console.log(`- ${loadNote()}`);
}
