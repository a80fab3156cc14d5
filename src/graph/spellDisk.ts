/**
 * What building the package graph reads from a spell's folder: which
 * phase scripts and in-tree sources it has, the scripts' text, and content
 * hashes of in-tree source folders. One readdir per spell folder replaces a
 * stat per phase and source. The cached variant keeps the answers between
 * re-plans (jux watch) and forgets those under a path that changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './hash.js';

export interface SpellDisk {
  /** Names in a folder; null when it cannot be read. */
  list(dir: string): ReadonlySet<string> | null;
  /** A file's text (latin1); '' when it cannot be read. */
  read(file: string): string;
  /** True when something (even a dangling link) is at p. */
  lexists(p: string): boolean;
  /** True when p exists (links followed). */
  exists(p: string): boolean;
  /** Content hash of a file or folder: names, modes, contents, link targets. */
  treeHash(p: string): string;
}

export class DirectDisk implements SpellDisk {
  /** `known`: folder listings already read (by the walk over the roots). */
  constructor(private readonly known?: ReadonlyMap<string, ReadonlySet<string>>) {}

  list(dir: string): ReadonlySet<string> | null {
    const seen = this.known?.get(dir);
    if (seen !== undefined) return seen;
    try {
      return new Set(fs.readdirSync(dir));
    } catch {
      return null;
    }
  }
  read(file: string): string {
    try {
      return fs.readFileSync(file, 'latin1');
    } catch {
      return '';
    }
  }
  lexists(p: string): boolean {
    try {
      fs.lstatSync(p);
      return true;
    } catch {
      return false;
    }
  }
  exists(p: string): boolean {
    return fs.existsSync(p);
  }
  treeHash(p: string): string {
    return hashTree(p);
  }
}

/** DirectDisk with memory; `invalidate` forgets what a changed path can affect. */
export class CachedDisk implements SpellDisk {
  private readonly direct = new DirectDisk();
  private readonly lists = new Map<string, ReadonlySet<string> | null>();
  private readonly texts = new Map<string, string>();
  private readonly stats = new Map<string, boolean>();
  private readonly hashes = new Map<string, string>();

  list(dir: string): ReadonlySet<string> | null {
    return memo(this.lists, dir, () => this.direct.list(dir));
  }
  read(file: string): string {
    return memo(this.texts, file, () => this.direct.read(file));
  }
  lexists(p: string): boolean {
    return memo(this.stats, 'l' + p, () => this.direct.lexists(p));
  }
  exists(p: string): boolean {
    return memo(this.stats, 'e' + p, () => this.direct.exists(p));
  }
  treeHash(p: string): string {
    return memo(this.hashes, p, () => this.direct.treeHash(p));
  }

  /** Something at `p` was added, changed or removed. */
  invalidate(p: string): void {
    const parent = path.dirname(p);
    this.lists.delete(p);
    this.lists.delete(parent);
    this.texts.delete(p);
    this.stats.delete('l' + p);
    this.stats.delete('e' + p);
    for (const k of this.hashes.keys()) if (p === k || p.startsWith(k + '/') || k.startsWith(p + '/')) this.hashes.delete(k);
    // A folder that appeared or vanished: forget everything below it.
    const below = p + '/';
    for (const m of [this.lists, this.texts] as Map<string, unknown>[]) for (const k of m.keys()) if (k.startsWith(below)) m.delete(k);
    for (const k of this.stats.keys()) if (k.startsWith('l' + below) || k.startsWith('e' + below)) this.stats.delete(k);
  }
}

function memo<V>(m: Map<string, V>, k: string, make: () => V): V {
  if (m.has(k)) return m.get(k) as V;
  const v = make();
  m.set(k, v);
  return v;
}

/** A hash of a file or folder's content: names, modes, file contents, link targets. */
export function hashTree(p: string): string {
  const parts: string[] = [];
  const walk = (abs: string, rel: string): void => {
    const st = fs.lstatSync(abs);
    if (st.isDirectory()) {
      parts.push(`d ${rel}`);
      for (const n of fs.readdirSync(abs).sort()) walk(path.join(abs, n), `${rel}/${n}`);
    } else if (st.isSymbolicLink()) parts.push(`l ${rel} ${fs.readlinkSync(abs)}`);
    else parts.push(`f ${rel} ${(st.mode & 0o111) !== 0 ? 'x' : '-'} ${sha256Hex(fs.readFileSync(abs))}`);
  };
  walk(p, '.');
  return sha256Hex(parts.join('\0')).slice(0, 16);
}
