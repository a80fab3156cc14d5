/**
 * `npm run stress`: fault injection at length (see faultKit.ts). Runs
 * --runs N SIGKILLs at seeded random moments (default 500, seed from
 * --seed or JUX_FAULT_SEED), then, unless --no-sweep, a kill before and
 * after every rename each operation makes. Prints the numbers and every
 * failure with what replays it; exits 1 if any run failed.
 *
 *   node dist/test/stress/faults.js [--runs N] [--seed S] [--no-sweep]
 */
import { killAtRename, prepare, randomKills, type RunOutcome, summarise } from './faultKit.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const runs = Number(option('--runs', '500'));
const seed = Number(option('--seed', process.env.JUX_FAULT_SEED ?? '20261122'));
const sweep = !process.argv.includes('--no-sweep');

const t0 = Date.now();
const { scenarios, cleanup } = await prepare();
try {
  for (const sc of scenarios) {
    process.stdout.write(`scenario ${sc.name}: jux ${sc.args.join(' ')} (${sc.duration.toFixed(0)} ms, transaction from ${sc.begins.toFixed(0)} ms, ${sc.renames} renames)\n`);
  }
  const random = await randomKills(scenarios, runs, seed);
  process.stdout.write(`random kills (seed ${seed}): ${summarise(random)}\n`);
  let swept: RunOutcome[] = [];
  if (sweep) {
    for (const sc of scenarios) {
      for (let n = 1; n <= sc.renames; n++) {
        for (const when of ['before', 'after'] as const) swept.push(await killAtRename(sc, n, when));
      }
    }
    process.stdout.write(`a kill at every rename: ${summarise(swept)}\n`);
  }
  const failed = [...random, ...swept].filter((o) => o.problems.length).length;
  process.stdout.write(`${random.length + swept.length} runs, ${failed} failed, in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  process.exitCode = failed ? 1 : 0;
} finally {
  cleanup();
}
