/**
 * Putting a package's just-built staged tree (DESTDIR) into an install
 * step's staging folder, instead of extracting the archive that was made
 * from it: the same files, links and hard links, with the modes and times
 * extraction would give them (tar's portable mode, less the umask; the
 * modification time in whole seconds), each file hashed as it is copied
 * and checked against the package's file list. The archive was written
 * from that same list and checked against the tree as it was written, so
 * what is installed, what is recorded and what a later reinstall or
 * rollback gets agree.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JuxError } from '../errors.js';
import type { FileEntry } from '../state/files.js';

/**
 * A package's staged tree and the list made of it when it was built, from
 * which its archive was written (and checked, entry by entry: see
 * createArchive).
 */
export interface StagedTree {
  /** The staged root (DESTDIR). */
  readonly dir: string;
  readonly files: readonly FileEntry[];
}

/** The mode node-tar gives an extracted file of mode `mode` from a portable archive, before the umask. */
function extractedMode(mode: number): number {
  return ((mode & 0o7777) | 0o600) & ~0o22;
}

/** Copy `from` to a new file `to` with mode `mode`; the sha256 and size of what was written. */
function copyHashed(from: string, to: string, mode: number, buf: Buffer): { hash: string; size: number; fd: number } {
  const h = crypto.createHash('sha256');
  const src = fs.openSync(from, 'r');
  let size = 0;
  try {
    const dst = fs.openSync(to, 'wx', mode);
    try {
      for (;;) {
        const n = fs.readSync(src, buf, 0, buf.length, null);
        if (n <= 0) break;
        const chunk = buf.subarray(0, n);
        h.update(chunk);
        let off = 0;
        while (off < n) off += fs.writeSync(dst, chunk, off, n - off);
        size += n;
      }
    } catch (e) {
      fs.closeSync(dst);
      throw e;
    }
    return { hash: h.digest('hex'), size, fd: dst };
  } finally {
    fs.closeSync(src);
  }
}

/**
 * Copy the staged tree's listed entries into `dest` (created unless there are none) as
 * dest/PATH. Throws a JuxError (the caller removes `dest`) when an entry
 * is not what the list says: the tree changed after it was listed.
 */
export function copyStagedTree(staged: StagedTree, dest: string, what: string): void {
  if (!staged.files.length) return; // an empty package: nothing to stage
  fs.mkdirSync(dest, { recursive: true });
  const buf = Buffer.allocUnsafe(1 << 16);
  const now = new Date();
  const linked = new Map<string, FileEntry & { readonly at: string }>();
  const differs = (p: string): JuxError =>
    new JuxError(`${what}: ${p} changed after the staged tree was listed; nothing was installed`);
  for (const e of staged.files) {
    const parts = e.path.split('/');
    if (!e.path.startsWith('/') || parts.slice(1).some((c) => c === '' || c === '.' || c === '..') || e.path.includes('\0')) {
      throw new JuxError(`${what}: the file list names ${JSON.stringify(e.path)}, which is not a plain path in the root; nothing was installed`);
    }
    const from = path.join(staged.dir, e.path);
    const to = path.join(dest, e.path);
    const st = fs.lstatSync(from, { throwIfNoEntry: false });
    if (e.type === 'd') {
      if (!st?.isDirectory()) throw differs(e.path);
      fs.mkdirSync(to);
    } else if (e.type === 'l') {
      if (!st?.isSymbolicLink() || fs.readlinkSync(from) !== e.hash) throw differs(e.path);
      fs.symlinkSync(e.hash, to);
    } else {
      if (!st?.isFile() || st.size !== e.size) throw differs(e.path);
      // Hard links stay links, as tar keeps them.
      const key = st.nlink > 1 ? `${st.dev}:${st.ino}` : null;
      const first = key === null ? undefined : linked.get(key);
      if (first !== undefined) {
        if (first.hash !== e.hash || first.size !== e.size) throw differs(e.path);
        fs.linkSync(first.at, to);
        continue;
      }
      const c = copyHashed(from, to, extractedMode(st.mode), buf);
      try {
        if (c.hash !== e.hash || c.size !== e.size) throw differs(e.path);
        fs.futimesSync(c.fd, now, Math.floor(st.mtimeMs / 1000));
      } finally {
        fs.closeSync(c.fd);
      }
      if (key !== null) linked.set(key, { ...e, at: to });
    }
  }
}
