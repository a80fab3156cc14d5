/**
 * The evaluated spell tree, cached between runs as the package graph it
 * produces. The cache key covers every file under the spell roots (path,
 * size, modification time: spells, scripts, in-tree sources), jux's rule
 * library, Node's version and jux's own code (util/codeKey.ts): if anything differs (a file added,
 * removed, edited or touched), the whole tree is evaluated again. Files
 * written within a clock tick of the walk are checked by content as well
 * (util/racy.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { buildPackageGraph, type PackageGraph, PHASES, type Phase, type Spell } from './packageGraph.js';
import { collectGarbage } from '../util/heap.js';
import { DirectDisk } from './spellDisk.js';
import { compiledCodeKey } from '../util/codeKey.js';
import { type ContentCheck, contentsUnchanged, racyChecks } from '../util/racy.js';
import { evaluateTree, type TreeFile, vocabularyFiles } from './spellTree.js';

const FORMAT = 8;

/**
 * The cache file is a run of records, each a 4-byte length and a v8
 * serialisation: a head, the spells a slice at a time (in order), and the
 * key again at the end (a cache whose end was not written is no cache).
 * Serialising the whole graph at once held a buffer of over 100 MB (and
 * its growth copies) beside the graph at 100,000 spells: the process's
 * peak memory. Slices keep that to a few megabytes.
 */
interface CacheHead {
  readonly format: number;
  readonly key: string;
  /** Files the key cannot vouch for (util/racy.ts): the cache serves while they hash the same. */
  readonly racy: readonly ContentCheck[];
  readonly roots: PackageGraph['roots'];
  readonly providers: PackageGraph['providers'];
  readonly diagnostics: PackageGraph['diagnostics'];
  readonly echoes: readonly string[];
  readonly spells: number;
}
type CacheSlice = [string, Spell][];
interface CacheEnd {
  readonly end: string;
}

/** From this many spells, the evaluation's garbage is collected at once (see util/heap.ts). */
const COLLECT_FROM = 20_000;

/** Spells per record. */
const SLICE = 2000;

/** Write the graph to `file` (a temporary file renamed into place; no fsync, see the caller). */
function writeCache(file: string, key: string, racy: readonly ContentCheck[], graph: PackageGraph, echoes: readonly string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const record = (value: CacheHead | CacheSlice | CacheEnd): void => {
      const body = v8.serialize(value);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(body.length);
      fs.writeSync(fd, len);
      fs.writeSync(fd, body);
    };
    const { roots, providers, diagnostics, spells } = graph;
    record({ format: FORMAT, key, racy, roots, providers, diagnostics, echoes, spells: spells.size });
    let slice: CacheSlice = [];
    for (const entry of spells) {
      slice.push(entry);
      if (slice.length === SLICE) {
        record(slice);
        slice = [];
      }
    }
    if (slice.length) record(slice);
    record({ end: key });
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** The graph in `file` if it is whole and made for `key`, else null. */
function readCache(file: string, key: string): { graph: PackageGraph; echoes: readonly string[] } | null {
  const data = fs.readFileSync(file);
  let at = 0;
  const record = (): unknown => {
    if (at + 4 > data.length) throw new Error('truncated');
    const len = data.readUInt32LE(at);
    if (at + 4 + len > data.length) throw new Error('truncated');
    const value: unknown = v8.deserialize(data.subarray(at + 4, at + 4 + len));
    at += 4 + len;
    return value;
  };
  const head = record() as CacheHead;
  if (head.format !== FORMAT || head.key !== key || !contentsUnchanged(head.racy)) return null;
  const spells = new Map<string, Spell>();
  while (spells.size < head.spells) for (const [name, spell] of record() as CacheSlice) spells.set(name, spell);
  if ((record() as CacheEnd).end !== key || at !== data.length) return null;
  return { graph: { roots: head.roots, spells, providers: head.providers, diagnostics: head.diagnostics }, echoes: head.echoes };
}

export interface GraphLoadResult {
  readonly graph: PackageGraph;
  readonly echoes: readonly string[];
  /** True when the cached evaluation was used. */
  readonly cached: boolean;
  /** The cache key (it identifies the tree's content). */
  readonly key: string;
}

export interface TreeWalk {
  /** Spell files (*.jux), by root then path. */
  readonly files: TreeFile[];
  /** Every file. */
  readonly all: TreeFile[];
  /** What each folder holds (names), as read on the way. */
  readonly listings: ReadonlyMap<string, ReadonlySet<string>>;
  /** When the walk began (Date.now()): files stamped since shortly before are racy (util/racy.ts). */
  readonly at: number;
}

/** Every file under the roots; spell files (*.jux) are marked. */
export function walkRoots(roots: readonly string[]): TreeWalk {
  const at = Date.now();
  const files: TreeFile[] = [];
  const all: TreeFile[] = [];
  const listings = new Map<string, ReadonlySet<string>>();
  roots.forEach((root, index) => {
    const found: TreeFile[] = [];
    const walk = (dir: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      listings.set(dir, new Set(entries.map((e) => e.name)));
      for (const e of entries) {
        const p = dir + '/' + e.name;
        if (e.isDirectory()) walk(p);
        else {
          try {
            const st = fs.statSync(p);
            if (st.isFile()) found.push({ path: p, root: index, size: st.size, mtimeMs: st.mtimeMs });
          } catch {
            // vanished, or a dangling link
          }
        }
      }
    };
    walk(root);
    found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of found) {
      all.push(f);
      if (f.path.endsWith('.jux')) files.push(f);
    }
  });
  return { files, all, listings, at };
}

let primed: { readonly key: string; readonly walk: TreeWalk } | null = null;

/**
 * A walk just made by the caller (the remembered-answer key), handed to the
 * next loadPackageGraph of the same roots, once, so that a one-shot
 * command walks the tree once.
 */
export function primeWalk(roots: readonly string[], walk: TreeWalk): void {
  primed = { key: JSON.stringify(roots), walk };
}

function takeWalk(roots: readonly string[]): TreeWalk {
  const p = primed;
  primed = null;
  return p !== null && p.key === JSON.stringify(roots) ? p.walk : walkRoots(roots);
}

/** A hash of jux's rule library: vocabulary and default phase scripts. */
export function rulesHash(rulesDir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of vocabularyFiles(rulesDir)) h.update(f).update(fs.readFileSync(f));
  for (const p of PHASES) {
    const f = path.join(rulesDir, 'phases', p.toUpperCase());
    if (fs.existsSync(f)) h.update(f).update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

function keyOf(roots: readonly string[], all: readonly TreeFile[], rules: string, code: string): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify(roots)).update(rules).update(process.version).update(code);
  for (const f of all) h.update(`${f.root}\0${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  return h.digest('hex');
}

/** Load the package graph, from the cache when nothing changed. `cacheFile` null disables the cache. */
export async function loadPackageGraph(
  roots: readonly string[],
  rulesDir: string,
  defaultScripts: Readonly<Partial<Record<Phase, string>>>,
  cacheFile: string | null,
  /** jux's own code (see util/codeKey.ts): another version of jux never uses this one's cache. */
  code: string = compiledCodeKey(),
): Promise<GraphLoadResult> {
  const walk = takeWalk(roots);
  const { files, all, listings } = walk;
  const key = keyOf(roots, all, rulesHash(rulesDir), code);
  if (cacheFile !== null) {
    try {
      const c = readCache(cacheFile, key);
      if (c !== null) return { ...c, cached: true, key };
    } catch {
      // missing or unreadable: evaluate
    }
  }
  // Hashed before the files are read for the evaluation: a file that
  // changes in between only costs the next run an evaluation.
  const racy = cacheFile !== null ? racyChecks(all, walk.at) : null;
  // (The evaluated facts are garbage once the graph is built: out of scope
  // before the cache is written, they can be collected meanwhile.)
  const { graph, echoes } = await evaluateGraph(roots, files, rulesDir, defaultScripts, listings);
  if (graph.spells.size >= COLLECT_FROM) collectGarbage();
  if (cacheFile !== null && racy !== null) {
    try {
      // No fsync: a cache torn by a crash does not deserialise or lacks
      // its end, and costs only an evaluation; waiting for the disk would
      // cost every cold run.
      writeCache(cacheFile, key, racy, graph, echoes);
    } catch {
      // a cache that cannot be written only costs time
    }
  }
  return { graph, echoes, cached: false, key };
}

async function evaluateGraph(
  roots: readonly string[],
  files: readonly TreeFile[],
  rulesDir: string,
  defaultScripts: Readonly<Partial<Record<Phase, string>>>,
  listings: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<{ graph: PackageGraph; echoes: readonly string[] }> {
  const tree = await evaluateTree(roots, files, rulesDir);
  return { graph: buildPackageGraph(tree, { defaultScripts, disk: new DirectDisk(listings) }), echoes: tree.echoes };
}
