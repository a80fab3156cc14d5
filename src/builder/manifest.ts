/**
 * Scanning a staged tree (DESTDIR) into file entries, and checking it is
 * safe to merge: regular files, directories and symlinks only, nothing that
 * would lead out of the root.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JuxError } from '../errors.js';
import type { FileEntry } from '../state/files.js';

export function sha256File(p: string): string {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * True when `target`, a symlink at root-relative `linkPath`, stays inside
 * the root. An absolute target would point outside a root other than `/`
 * (the installer refuses it too): packages use relative links.
 */
export function linkStaysInside(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const parts = path.posix.dirname(linkPath).split('/').filter(Boolean);
  for (const seg of target.split('/')) {
    if (seg === '..') {
      if (parts.length === 0) return false;
      parts.pop();
    } else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return true;
}

/** Every entry under `dir`, sorted, as root-relative paths ("/usr/bin/x"). */
export function scanTree(dir: string, what: string): FileEntry[] {
  const out: FileEntry[] = [];
  const walk = (abs: string, rel: string): void => {
    const names = fs.readdirSync(abs).sort();
    for (const n of names) {
      const a = path.join(abs, n);
      const r = `${rel}/${n}`;
      const st = fs.lstatSync(a);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.push({ path: r, type: 'd', mode, size: 0, hash: '-' });
        walk(a, r);
      } else if (st.isFile()) {
        out.push({ path: r, type: 'f', mode, size: st.size, hash: sha256File(a) });
      } else if (st.isSymbolicLink()) {
        const target = fs.readlinkSync(a);
        if (!linkStaysInside(r, target)) {
          throw new JuxError(
            `${what}: symlink ${r} -> ${target} points outside the root` + (target.startsWith('/') ? ' (make it relative)' : ''),
          );
        }
        out.push({ path: r, type: 'l', mode: 0o777, size: 0, hash: target });
      } else {
        throw new JuxError(`${what}: ${r} is a device, FIFO or socket; packages may only hold files, directories and symlinks`);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}
