/**
 * A key of jux's own code: every file under its compiled source folder
 * (dist/src when built; src/ when run from the TypeScript sources, as the
 * tests do) by path, size and modification time. It changes whenever jux
 * is rebuilt or upgraded, so that what jux keeps between runs (the
 * evaluated tree, remembered answers) is never served by another version
 * of it (a changed message, a graph built another way). hashDir, which
 * makes it, also keys the remembered answers on the state and cache
 * folders (cli/memo.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file's size and modification time, as hashDir saw them. */
export interface DirStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Hash what `dir` holds (its files by path, size and modification time;
 * with `recursive`, its folders' too); `seen`, when given, is told the
 * names and the files' sizes and times.
 */
export function hashDir(
  h: crypto.Hash,
  dir: string,
  recursive: boolean,
  seen?: (names: string[], stats: Map<string, DirStamp>) => void,
): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    h.update(`${dir}:absent\n`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const stats = new Map<string, DirStamp>();
  for (const e of entries) {
    const p = dir + '/' + e.name;
    if (e.isDirectory()) {
      if (recursive) hashDir(h, p, true);
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

/** The key of the files under `dir` (recursively): path, size, modification time. */
export function codeKeyOf(dir: string): string {
  const h = crypto.createHash('sha256');
  hashDir(h, dir, true);
  return h.digest('hex');
}

let own: string | undefined;

/** The key of this jux's code (computed once a process). */
export function compiledCodeKey(): string {
  own ??= codeKeyOf(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
  return own;
}
