/**
 * Removing a folder and everything in it, like
 * fs.rmSync(p, { recursive: true, force: true }) (a missing path is no
 * error), with one readdir per folder and no rmdir tried before the folder
 * is empty: Node's version tries rmdir on every folder first, which costs a
 * failing system call per folder — the staging of every install step of a
 * transaction goes this way when it commits.
 */
import fs from 'node:fs';
import path from 'node:path';

export function removeTree(p: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(p, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') return fs.rmSync(p, { force: true });
    throw e;
  }
  for (const d of entries) {
    const c = path.join(p, d.name);
    if (d.isDirectory()) removeTree(c);
    else fs.unlinkSync(c);
  }
  fs.rmdirSync(p);
}
