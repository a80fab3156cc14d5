/**
 * Benchmark `reinstall`: the bundled grimoire (spells/ and jux.yaml copied
 * to a temporary directory), each run:
 *  1. `jux build -j 2` from nothing (empty root, state and cache): compiles;
 *  2. root and state removed, cache kept: `jux build -j 2` again — every
 *     package is installed from the binary package cache (checked: the plan
 *     marks every entry [from cache], the summary says "0 built, N installed
 *     from the cache");
 *  3. root and state removed: `jux build -j 2 --no-cache` — compiles again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { juxEnv } from './planBench.js';
import { fmtMb, fmtS, loadNote, makeTemp, median, printTable, removeTemp, rmrf, runCapture, type Sample, timeCommand } from './measure.js';

export async function benchReinstall(opts: { runs: number; jux: string; repo: string }): Promise<void> {
  const dir = makeTemp('jux-bench-reinstall-');
  const notes: string[] = [];
  try {
    fs.cpSync(path.join(opts.repo, 'spells'), path.join(dir, 'spells'), { recursive: true, verbatimSymlinks: true });
    fs.copyFileSync(path.join(opts.repo, 'jux.yaml'), path.join(dir, 'jux.yaml'));
    const root = path.join(dir, 'root');
    const state = path.join(dir, 'state');
    const cache = path.join(dir, 'cache');
    const global = [process.execPath, opts.jux, '--root', root, '--state', state, '--cache-dir', cache];
    const build = [...global, 'build', '-j', '2'];
    const summaryOf = (file: string): string =>
      fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('Summary:')).pop() ?? '(no summary)';
    const samples: Record<'build' | 'cache' | 'nocache', Sample[]> = { build: [], cache: [], nocache: [] };
    const summaries: Record<'build' | 'cache' | 'nocache', Set<string>> = { build: new Set(), cache: new Set(), nocache: new Set() };
    let cacheOk = true;
    let planNote = '';
    for (let i = 0; i < opts.runs; i++) {
      for (const d of [root, state, cache, path.join(dir, '.jux')]) rmrf(d);
      const out = path.join(dir, 'out');
      samples.build.push(timeCommand(build, dir, juxEnv(), { stdoutFile: out }));
      summaries.build.add(summaryOf(out));

      rmrf(root);
      rmrf(state);
      const plan = runCapture([...global, 'plan'], dir, juxEnv());
      const entries = plan.stdout.split('\n').filter((l) => /^\[[A-Z]\] /.test(l));
      const fromCache = entries.filter((l) => l.includes('[from cache]')).length;
      planNote = `jux plan before the reinstall: ${fromCache} of ${entries.length} entries [from cache] (exit ${plan.status})`;
      const s = timeCommand(build, dir, juxEnv(), { stdoutFile: out });
      samples.cache.push(s);
      const sum = summaryOf(out);
      summaries.cache.add(sum);
      const m = /Summary: (\d+) built, (\d+) installed from the cache/.exec(sum);
      if (s.status !== 0 || fromCache !== entries.length || !m || m[1] !== '0' || Number(m[2]) !== entries.length) cacheOk = false;

      rmrf(root);
      rmrf(state);
      samples.nocache.push(timeCommand([...build, '--no-cache'], dir, juxEnv(), { stdoutFile: out }));
      summaries.nocache.add(summaryOf(out));
    }
    const med = (xs: Sample[]): Sample => ({
      seconds: median(xs.map((x) => x.seconds)),
      maxRssMb: median(xs.map((x) => x.maxRssMb)),
      status: xs.find((x) => x.status !== 0)?.status ?? 0,
    });
    const b = med(samples.build);
    const rows: (string | number)[][] = [];
    for (const [key, label] of [
      ['build', 'build from nothing (compiles; empty root, state, cache)'],
      ['cache', 'reinstall: root and state removed, cache kept'],
      ['nocache', 'build --no-cache (root and state removed)'],
    ] as const) {
      const s = med(samples[key]);
      rows.push([label, opts.runs, fmtS(s.seconds), fmtMb(s.maxRssMb), s.status, (s.seconds / b.seconds).toFixed(2) + 'x', [...summaries[key]].join(' / ')]);
    }
    printTable(
      'reinstall: the bundled grimoire (spells/, jux.yaml), `jux build -j 2`, whole process, median wall time and peak RSS',
      ['run', 'runs', 'wall', 'peak mem', 'exit', 'vs build', 'jux says'],
      rows,
    );
    notes.push(planNote);
    notes.push(
      cacheOk
        ? 'every reinstall run installed every package from the cache (0 built; exit 0)'
        : 'PROBLEM: a reinstall run did not install everything from the cache (see "jux says")',
    );
  } finally {
    removeTemp(dir);
  }
  console.log('');
  for (const x of notes) console.log(`- ${x}`);
  console.log(`- ${loadNote()}`);
}
