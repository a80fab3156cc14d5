/**
 * Remembered answers of read-only commands (plan, why, list, info, search,
 * graph). An answer is kept under a key made of everything it can depend
 * on: the command line, the working directory and JUX_* environment, the
 * resolved configuration, every file under the spell roots, the state
 * directory and the package cache (names, sizes, modification times), and
 * jux itself. When nothing changed since the last run, the command answers
 * without loading the tree at all.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { archiveDirs } from '../installer/archiveLocation.js';
import { primeWalk, walkRoots } from '../graph/treeCache.js';
import { colorEnabled } from '../render/style.js';
import { type FileStamp, primeStateDir } from '../state/stateListing.js';

export interface Answer {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

const MAX_ENTRIES = 64;

/** Hash what `dir` holds; `seen`, when given, is told the names and the files' sizes and times. */
function statDir(h: crypto.Hash, dir: string, recursive: boolean, seen?: (names: string[], stats: Map<string, FileStamp>) => void): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    h.update(`${dir}:absent\n`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const stats = new Map<string, FileStamp>();
  for (const e of entries) {
    const p = dir + '/' + e.name;
    if (e.isDirectory()) {
      if (recursive) statDir(h, p, true);
      continue;
    }
    try {
      const st = fs.statSync(p);
      h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      stats.set(e.name, { size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      h.update(`${p}\0gone\n`);
    }
  }
  seen?.(
    entries.map((e) => e.name),
    stats,
  );
}

let codeKey: string | undefined;
/** jux's own code: its compiled files and rules. */
function juxKey(config: Config): string {
  if (codeKey === undefined) {
    const h = crypto.createHash('sha256');
    const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    statDir(h, dist, true);
    statDir(h, config.rulesDir, true);
    codeKey = h.digest('hex');
  }
  return codeKey;
}

export function answerKey(config: Config, argv: readonly string[]): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify(argv)).update(process.cwd()).update(process.version);
  h.update(String(colorEnabled()));
  for (const [k, v] of Object.entries(process.env).sort()) if (k.startsWith('JUX_')) h.update(`${k}=${v}\n`);
  h.update(JSON.stringify(config));
  h.update(juxKey(config));
  const walk = walkRoots(config.roots);
  primeWalk(config.roots, walk);
  for (const f of walk.all) h.update(`${f.root}\0${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  statDir(h, config.state, false, (names, stats) => primeStateDir(config.state, names, stats));
  // The built packages (files only: statDir skips CACHE/sources/ and CACHE/index/).
  for (const dir of archiveDirs(config.cache)) statDir(h, dir, false);
  return h.digest('hex');
}

function memoDir(config: Config): string {
  return path.join(config.cache, 'index', 'answers');
}

export function recall(config: Config, key: string): Answer | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(memoDir(config), `${key}.json`), 'utf8')) as Answer;
  } catch {
    return null;
  }
}

export function remember(config: Config, key: string, answer: Answer): void {
  try {
    const dir = memoDir(config);
    fs.mkdirSync(dir, { recursive: true });
    // A torn answer does not parse. (write-file-atomic is loaded here, not at
    // start-up: a remembered answer is printed without it.)
    const writeFileAtomic = createRequire(import.meta.url)('write-file-atomic') as typeof import('write-file-atomic');
    writeFileAtomic.sync(path.join(dir, `${key}.json`), JSON.stringify(answer), { fsync: false });
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
