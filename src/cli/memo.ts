/**
 * Remembered answers of read-only commands (plan, why, list, info, search,
 * graph). An answer is kept under a key made of everything it can depend
 * on: the command line, the working directory and JUX_* environment, the
 * resolved configuration, every file under the spell roots, the state
 * directory and the package cache (names, sizes, modification times), and
 * jux itself. When nothing changed since the last run, the command answers
 * without loading the tree at all. Files written within a clock tick of
 * the key are checked by content as well (util/racy.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Config } from '../config/config.js';
import { archiveDirs } from '../installer/archiveLocation.js';
import { primeWalk, walkRoots } from '../graph/treeCache.js';
import { colorEnabled } from '../render/style.js';
import { compiledCodeKey, hashDir } from '../util/codeKey.js';
import { primeStateDir } from '../state/stateListing.js';
import { type ContentCheck, contentsUnchanged, racyChecks } from '../util/racy.js';

export interface Answer {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** What an answer is kept under: the key, and the files it cannot vouch for (util/racy.ts; null: too many, keep nothing). */
export interface AnswerKey {
  readonly key: string;
  readonly racy: readonly ContentCheck[] | null;
}

/** An answer as kept: with the content checks of the key it was kept under. */
interface KeptAnswer extends Answer {
  readonly racy?: readonly ContentCheck[];
}

const MAX_ENTRIES = 64;

let codeKey: string | undefined;
/** jux's own code: its compiled files and rules. */
function juxKey(config: Config): string {
  if (codeKey === undefined) {
    const h = crypto.createHash('sha256');
    // dist/src (not the compiled tests and benchmarks beside it).
    h.update(compiledCodeKey());
    hashDir(h, config.rulesDir, true);
    codeKey = h.digest('hex');
  }
  return codeKey;
}

/** The last key made, for the same command line and configuration (see rememberedAnswer). */
let lastKey: { readonly argv: string; readonly config: string; readonly key: AnswerKey } | null = null;

export function answerKey(config: Config, argv: readonly string[]): AnswerKey {
  const argvText = JSON.stringify(argv);
  const configText = JSON.stringify(config);
  if (lastKey && lastKey.argv === argvText && lastKey.config === configText) return lastKey.key;
  const key = makeKey(config, argv);
  lastKey = { argv: argvText, config: configText, key };
  return key;
}

function makeKey(config: Config, argv: readonly string[]): AnswerKey {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify(argv)).update(process.cwd()).update(process.version);
  h.update(String(colorEnabled()));
  for (const [k, v] of Object.entries(process.env).sort()) if (k.startsWith('JUX_')) h.update(`${k}=${v}\n`);
  h.update(JSON.stringify(config));
  h.update(juxKey(config));
  const walk = walkRoots(config.roots);
  primeWalk(config.roots, walk);
  // One string for the lot: a hash update per file costs more than the text.
  let text = '';
  for (const f of walk.all) text += `${f.root}\0${f.path}\0${f.size}\0${f.mtimeMs}\n`;
  h.update(text);
  const stateRead = Date.now();
  let racyState: ContentCheck[] | null = [];
  hashDir(h, config.state, false, (names, stats) => {
    primeStateDir(config.state, names, stats);
    racyState = racyChecks(
      [...stats].map(([name, st]) => ({ path: path.join(config.state, name), mtimeMs: st.mtimeMs })),
      stateRead,
    );
  });
  // The built packages (files only: statDir skips CACHE/sources/ and CACHE/index/).
  for (const dir of archiveDirs(config.cache)) hashDir(h, dir, false);
  const racyTree = racyChecks(walk.all, walk.at);
  return { key: h.digest('hex'), racy: racyTree !== null && racyState !== null ? [...racyTree, ...racyState] : null };
}

function memoDir(config: Config): string {
  return path.join(config.cache, 'index', 'answers');
}

export function recall(config: Config, key: AnswerKey): Answer | null {
  let kept: KeptAnswer;
  try {
    kept = JSON.parse(fs.readFileSync(path.join(memoDir(config), `${key.key}.json`), 'utf8')) as KeptAnswer;
  } catch {
    return null;
  }
  if (!contentsUnchanged(kept.racy)) return null;
  return { stdout: kept.stdout, stderr: kept.stderr, status: kept.status };
}

export function remember(config: Config, key: AnswerKey, answer: Answer): void {
  if (key.racy === null) return; // too many files written too recently to vouch for
  try {
    const dir = memoDir(config);
    fs.mkdirSync(dir, { recursive: true });
    // A torn answer does not parse. (write-file-atomic is loaded here, not at
    // start-up: a remembered answer is printed without it.)
    const writeFileAtomic = createRequire(import.meta.url)('write-file-atomic') as typeof import('write-file-atomic');
    const kept: KeptAnswer = key.racy.length ? { ...answer, racy: key.racy } : answer;
    writeFileAtomic.sync(path.join(dir, `${key.key}.json`), JSON.stringify(kept), { fsync: false });
    const files = fs.readdirSync(dir);
    if (files.length > MAX_ENTRIES) {
      const aged = files
        .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
        .sort((a, b) => a.t - b.t);
      for (const { f } of aged.slice(0, files.length - MAX_ENTRIES)) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // only costs time
  }
}

/** Options that change the configuration or the output's form (global options, help). */
const GLOBAL = new Set(['--config', '--spell-root', '--root', '--state', '--cache-dir', '--plain', '--version', '--help', '-h', '--']);

/** Whether `argv` holds none of the global options (alone, or as --option=value). */
export function withoutGlobalOptions(argv: readonly string[]): boolean {
  return !argv.some((a) => {
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    return GLOBAL.has(eq < 0 ? a : a.slice(0, eq));
  });
}

/**
 * The remembered answer to `argv`, found before the command line parser is
 * even loaded (building jux's commands with commander costs a remembered
 * answer about a fifth of its time). Only for the plain case: a command
 * whose answers main.ts remembers (plan, why, graph, list, info, search)
 * with none of the global options, so that the configuration is jux.yaml's
 * and the environment's alone, as the parser would make it.
 * The key is the one the parser's way makes (the same argv, configuration
 * and files), and an answer is only ever stored by that way, after the
 * parser accepted the command line. Null: not that case, or nothing
 * remembered — the caller goes the parser's way (which reuses the key).
 */
export async function rememberedAnswer(argv: readonly string[]): Promise<Answer | null> {
  if (process.env.JUX_NO_MEMO) return null;
  if (!withoutGlobalOptions(argv)) return null;
  try {
    const { loadConfig } = await import('../config/config.js');
    const config = await loadConfig({});
    return recall(config, answerKey(config, argv));
  } catch {
    return null; // the parser's way reports it
  }
}
