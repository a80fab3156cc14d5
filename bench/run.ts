/**
 * `npm run bench [-- SECTION... --runs N --quick]`: prints the benchmark
 * tables (all sections when none is named). Real jam is used when
 * installed (apt-get install jam); the real grimoire is
 * ../shared/data/grimoire-jux.tar.gz (or JUX_BENCH_GRIMOIRE).
 *
 *   jam        `jux jam` against jam 2.6.1 on generated Jamfiles
 *   frontend   lex, parse, evaluate the real grimoire in one warm process
 *   plan       `jux plan` whole-process time and memory (real, 10k, 100k spells) beside `jam -n`
 *   build      `jux build -j 2` of generated trees with one `true` BUILD script a spell, beside `jam -j2`
 *   reinstall  the bundled grimoire: build, reinstall from the package cache, build --no-cache
 *   watch      `jux watch` re-plan time after a one-file change on the real grimoire
 *
 * --quick: one run and the smaller sizes only; --runs N: N runs (default 5);
 * --full: also the slow cases left out by default (jam: -j2 at 100,000
 * targets; build: the 1,000-spell check beside 10,000).
 */
import { execSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBuild } from './buildBench.js';
import { benchFrontend } from './frontend.js';
import { benchJamEngine } from './jamEngine.js';
import { loadNote } from './measure.js';
import { benchPlan } from './planBench.js';
import { benchReinstall } from './reinstall.js';
import { benchWatch } from './watchBench.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..');
const JUX = path.join(REPO, 'bin', 'jux.js');

const SECTIONS = ['jam', 'frontend', 'plan', 'build', 'reinstall', 'watch'] as const;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const full = args.includes('--full');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : quick ? 1 : 5;
const sections = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const unknown = sections.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length || !Number.isInteger(runs) || runs < 1) {
  console.error(
    `usage: npm run bench -- [${SECTIONS.join('|')}]... [--quick] [--full] [--runs N]` +
      (unknown.length ? `\nunknown section: ${unknown.join(', ')}` : ''),
  );
  process.exit(2);
}
const want = (s: string): boolean => sections.length === 0 || sections.includes(s);

process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

let commit = '';
try {
  commit = execSync('git rev-parse --short HEAD', { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {
  // not a checkout
}
const started = Date.now();
console.log(
  `# jux benchmarks — ${new Date().toISOString()}, node ${process.version}, commit ${commit || '?'}; ` +
    `${runs} run${runs === 1 ? '' : 's'}${quick ? ', --quick' : ''}${full ? ', --full' : ''}; ${loadNote()}`,
);

const section = async (name: string, f: () => void | Promise<void>): Promise<void> => {
  if (!want(name)) return;
  const t0 = Date.now();
  await f();
  console.log(`\n(${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s; after it: ${loadNote()})`);
};

await section('jam', () =>
  benchJamEngine({ sizes: quick ? [10_000] : [10_000, 100_000], runs, jux: JUX, j2Max: full ? Infinity : 10_000 }),
);
await section('frontend', () => benchFrontend({ runs, repo: REPO }));
await section('plan', () => benchPlan({ runs, quick, jux: JUX, repo: REPO }));
await section('build', () => benchBuild({ runs, quick, full, jux: JUX }));
await section('reinstall', () => benchReinstall({ runs, jux: JUX, repo: REPO }));
await section('watch', () => benchWatch({ runs, jux: JUX, repo: REPO }));
console.log(`\n(total: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
