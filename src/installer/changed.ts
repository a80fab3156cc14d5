/** Comparing a file in the root with what a file list records for it. */
import fs from 'node:fs';
import { sha256File } from '../builder/manifest.js';
import type { FileEntry } from '../state/files.js';

/** Has the installed file changed since it was recorded? */
export function changed(p: string, e: FileEntry): boolean {
  try {
    const st = fs.lstatSync(p);
    if (e.type === 'l') return !st.isSymbolicLink() || fs.readlinkSync(p) !== e.hash;
    if (e.type === 'f') return !st.isFile() || st.size !== e.size || sha256File(p) !== e.hash;
    return !st.isDirectory();
  } catch {
    return true;
  }
}

/** Do two records describe the same content (type, size, hash or link target; the mode aside)? */
export function sameContent(a: FileEntry, b: FileEntry): boolean {
  return a.type === b.type && a.size === b.size && a.hash === b.hash;
}
