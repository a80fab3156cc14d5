/**
 * A key of jux's own code: every file under its compiled source folder
 * (dist/src when built; src/ when run from the TypeScript sources, as the
 * tests do) by path, size and modification time. It changes whenever jux
 * is rebuilt or upgraded, so that what jux keeps between runs (the
 * evaluated tree, remembered answers) is never served by another version
 * of it (a changed message, a graph built another way).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The key of the files under `dir` (recursively): path, size, modification time. */
export function codeKeyOf(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      h.update(`${d}:absent\n`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p, { throwIfNoEntry: false });
        h.update(st ? `${p}\0${st.size}\0${st.mtimeMs}\n` : `${p}\0gone\n`);
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}

let own: string | undefined;

/** The key of this jux's code (computed once a process). */
export function compiledCodeKey(): string {
  own ??= codeKeyOf(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
  return own;
}
