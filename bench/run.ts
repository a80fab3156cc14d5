/**
 * `npm run bench [-- SECTION... --runs N --quick]`: prints the benchmark
 * tables. Sections: jam (engine vs real jam). Real jam is used when
 * installed (apt-get install jam).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchJamEngine } from './jamEngine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..');
const JUX = path.join(REPO, 'bin', 'jux.js');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : quick ? 1 : 5;
const sections = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const want = (s: string): boolean => sections.length === 0 || sections.includes(s);

if (want('jam')) benchJamEngine({ sizes: quick ? [10_000] : [10_000, 100_000], runs, jux: JUX });
