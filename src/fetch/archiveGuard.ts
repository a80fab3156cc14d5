/**
 * The safety check of an archive's entries, made entry by entry in archive
 * order, before each entry is written: no absolute paths, no `..`, no
 * device files or FIFOs, nothing written through a symbolic link, and no
 * link (symbolic or hard) that leads out of the unpacked tree. Symbolic
 * links are followed through the other links of the archive (a model of the
 * tree built from the entries so far), so chains cannot sneak out either.
 */
import path from 'node:path';
import { UnpackError } from './errors.js';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'special' | 'unsupported';

export interface ArchiveEntry {
  /** The entry's name as the archive spells it. */
  readonly path: string;
  readonly kind: EntryKind;
  /** The archive's own name for the type (for messages). */
  readonly typeName: string;
  /** The target of a link. */
  readonly linkpath?: string | undefined;
}

type Node = { readonly kind: 'file' } | { readonly kind: 'dir' } | { readonly kind: 'symlink'; readonly target: string };

/** How many links a path may go through before it is taken for a loop (as the kernel does). */
const MAX_HOPS = 40;

export class EntryGuard {
  /** What is at each path (relative, '/'-separated), as far as the entries so far go. */
  private readonly nodes = new Map<string, Node>();

  constructor(readonly archive: string) {}

  /**
   * Check an entry against the ones before it and record it. Returns its
   * path, normalized ('' for the archive's root folder, which is skipped);
   * throws an UnpackError naming the archive and the entry.
   */
  admit(e: ArchiveEntry): string {
    const parts = this.parts(e.path, e.path, 'an absolute path');
    if (e.kind === 'special') throw this.error(e.path, `a ${e.typeName} entry (device files, FIFOs and sockets are not allowed)`);
    if (e.kind === 'unsupported') throw this.error(e.path, `an entry of unsupported type ${e.typeName}`);
    const rel = parts.join('/');
    if (rel === '') {
      if (e.kind === 'dir') return '';
      throw this.error(e.path, 'an entry that would replace the top folder itself');
    }
    this.checkNotThroughLink(e.path, parts.slice(0, -1));
    switch (e.kind) {
      case 'file':
      case 'dir':
        this.nodes.set(rel, { kind: e.kind });
        break;
      case 'symlink': {
        const target = e.linkpath ?? '';
        if (target === '') throw this.error(e.path, 'a symbolic link without a target');
        if (target.includes('\0')) throw this.error(e.path, 'a symbolic link target with a NUL character');
        if (isAbsolute(target)) throw this.error(e.path, `a symbolic link to the absolute path ${target}, outside the unpacked tree`);
        this.nodes.set(rel, { kind: 'symlink', target });
        if (escapes(this.nodes, parts, target)) throw this.error(e.path, `a symbolic link to ${target}, which leads outside the unpacked tree`);
        break;
      }
      case 'hardlink': {
        const lp = e.linkpath ?? '';
        const lparts = this.parts(e.path, lp, `a hard link to the absolute path ${lp}, outside the unpacked tree`);
        if (lparts.length === 0) throw this.error(e.path, `a hard link to ${lp === '' ? 'nothing' : lp}`);
        this.checkNotThroughLink(e.path, lparts.slice(0, -1));
        const to = this.nodes.get(lparts.join('/'));
        if (to?.kind === 'symlink') {
          // A hard link to a symbolic link is that link again, somewhere else.
          this.nodes.set(rel, to);
          if (escapes(this.nodes, parts, to.target)) throw this.error(e.path, `a hard link to the symbolic link ${lp}, which from here leads outside the unpacked tree`);
        } else {
          this.nodes.set(rel, { kind: 'file' });
        }
        break;
      }
    }
    return rel;
  }

  /** The one top-level folder everything sits in, or null. */
  topFolder(): string | null {
    const firsts = new Set<string>();
    for (const k of this.nodes.keys()) firsts.add(k.split('/')[0] ?? k);
    if (firsts.size !== 1) return null;
    const top = [...firsts][0] ?? '';
    const n = this.nodes.get(top);
    return n === undefined || n.kind === 'dir' ? top : null;
  }

  /**
   * Check every symbolic link again with the final tree, whose root is
   * `top` when that folder is stripped: a link may leave the top folder
   * while staying inside the archive.
   */
  checkLinks(top: string | null): void {
    let nodes = this.nodes;
    let prefix = '';
    if (top !== null) {
      prefix = `${top}/`;
      nodes = new Map();
      for (const [k, v] of this.nodes) if (k.startsWith(prefix)) nodes.set(k.slice(prefix.length), v);
    }
    for (const [k, v] of nodes) {
      if (v.kind === 'symlink' && escapes(nodes, k.split('/'), v.target)) {
        throw this.error(prefix + k, `a symbolic link to ${v.target}, which leads outside the unpacked tree`);
      }
    }
  }

  private parts(entry: string, p: string, absoluteMessage: string): string[] {
    if (p.includes('\0')) throw this.error(entry, 'a name with a NUL character');
    if (isAbsolute(p)) throw this.error(entry, absoluteMessage);
    const parts = p.split('/').filter((c) => c !== '' && c !== '.');
    if (parts.includes('..')) throw this.error(entry, p === entry ? 'a path with ".." in it' : `a link to ${p}, a path with ".." in it`);
    return parts;
  }

  private checkNotThroughLink(entry: string, dirs: readonly string[]): void {
    for (let i = 1; i <= dirs.length; i++) {
      const pre = dirs.slice(0, i).join('/');
      if (this.nodes.get(pre)?.kind === 'symlink') throw this.error(entry, `a path through the symbolic link ${pre}`);
    }
  }

  private error(entry: string, what: string): UnpackError {
    return new UnpackError(`${path.basename(this.archive)}: unsafe entry ${entry}: ${what}; nothing was unpacked`, this.archive, entry);
  }
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p);
}

/**
 * Whether the link at `linkParts` with `target` leads above the root,
 * following the links in `nodes` (paths not in the model are taken as
 * plain folders or files). A loop does not escape.
 */
function escapes(nodes: ReadonlyMap<string, Node>, linkParts: readonly string[], target: string): boolean {
  const stack = linkParts.slice(0, -1);
  const queue = target.split('/');
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.shift() as string; // queue is not empty
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) return true;
      stack.pop();
      continue;
    }
    stack.push(c);
    const n = nodes.get(stack.join('/'));
    if (n?.kind === 'symlink') {
      if (++hops > MAX_HOPS) return false;
      if (isAbsolute(n.target)) return true;
      stack.pop();
      queue.unshift(...n.target.split('/'));
    }
  }
  return false;
}
