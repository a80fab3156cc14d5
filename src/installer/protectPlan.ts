/**
 * What config protection (configProtect.ts) does to one install: for each
 * protected file the new version has, and each protected file the old
 * version had and the new one drops, whether the file on disk is the
 * user's to keep. Decided from the disk and the records before the step is
 * journalled, so the step's meta.json can say exactly where every new file
 * goes (and recovery can undo it without touching the user's file).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileEntry } from '../state/files.js';
import { changed, sameContent } from './changed.js';
import { type ConfigProtection, isProtected } from '../config/configProtect.js';

/** One protected file the user's version of which an install keeps. */
export interface ProtectedFile {
  readonly path: string;
  /**
   * `juxnew`: the new version differs from what was installed; it goes to
   * PATH.juxnew. `same`: the new version is the one installed before;
   * nothing to merge. `dropped`: the new version no longer has the file;
   * it stays where it is, no longer recorded.
   */
  readonly outcome: 'juxnew' | 'same' | 'dropped';
  /** No package owned the file before: the administrator made it. */
  readonly unowned: boolean;
}

function nonDirectory(p: string): boolean {
  try {
    return !fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The protected files an install keeps. `newFiles` and `oldFiles` are the
 * two versions' non-directory entries; `dropped` says whether an old file
 * the new version lacks would be removed (not also another package's).
 */
export function planProtection(
  root: string,
  protection: ConfigProtection,
  oldFiles: readonly FileEntry[],
  newFiles: readonly FileEntry[],
  dropped: (e: FileEntry) => boolean,
): ProtectedFile[] {
  const out: ProtectedFile[] = [];
  const old = new Map(oldFiles.filter((e) => e.type !== 'd').map((e) => [e.path, e]));
  const abs = (p: string): string => path.join(root, p);
  for (const e of newFiles) {
    if (e.type === 'd' || !isProtected(protection, e.path) || !nonDirectory(abs(e.path))) continue;
    const before = old.get(e.path);
    // Unchanged since it was installed, or already the new version: replaced as any file.
    if (before !== undefined && !changed(abs(e.path), before)) continue;
    if (!changed(abs(e.path), e)) continue;
    const outcome = before !== undefined && sameContent(before, e) ? 'same' : 'juxnew';
    out.push({ path: e.path, outcome, unowned: before === undefined });
  }
  const kept = new Set(newFiles.map((e) => e.path));
  for (const e of old.values()) {
    if (kept.has(e.path) || !isProtected(protection, e.path) || !dropped(e)) continue;
    if (nonDirectory(abs(e.path)) && changed(abs(e.path), e)) out.push({ path: e.path, outcome: 'dropped', unowned: false });
  }
  return out;
}
