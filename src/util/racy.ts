/**
 * Files whose modification time cannot be trusted to change.
 *
 * What jux keeps between runs (the evaluated tree, remembered answers) is
 * keyed on files' sizes and modification times. A file system stamps times
 * from a clock that ticks: a few milliseconds on Linux before 6.13, two
 * seconds on FAT, the server's clock on NFS. A file written again within
 * the tick it was last written in, at the same size, keeps its time, so a
 * key made in that tick would go on matching a file that changed (git's
 * "racily clean" entries). So, as git does, the files stamped within
 * RACY_MS of the moment their times were read (or later: another clock)
 * have their content hashed too, and whatever was kept under the key is
 * used only while those files still hash the same. Almost always there
 * are none: only files written in the last two seconds count. When more
 * than MAX_RACY are (a tree just unpacked or generated), nothing is kept:
 * the checks would be paid on every later use, and a run two seconds
 * later keeps it without them.
 */
import fs from 'node:fs';
import { sha256Hex } from '../graph/hash.js';

/** How recent a modification time must be for the content to be checked too. */
export const RACY_MS = 2000;

/** More racy files than this: keep nothing (see above). */
export const MAX_RACY = 16;

/** A file and the hash of its content when its time was read. */
export interface ContentCheck {
  readonly path: string;
  readonly sha256: string;
}

/** Whether a file stamped `mtimeMs` when the time was read at `readAt` (Date.now()) could change without its time changing. */
export function isRacy(mtimeMs: number, readAt: number): boolean {
  return mtimeMs >= readAt - RACY_MS;
}

function contentHash(file: string): string {
  try {
    return sha256Hex(fs.readFileSync(file));
  } catch {
    return 'unreadable';
  }
}

/** The content checks of the files that are racy at `readAt`; null when there are too many to keep anything. */
export function racyChecks(files: Iterable<{ readonly path: string; readonly mtimeMs: number }>, readAt: number): ContentCheck[] | null {
  const racy: string[] = [];
  for (const f of files) {
    if (!isRacy(f.mtimeMs, readAt)) continue;
    if (racy.length === MAX_RACY) return null;
    racy.push(f.path);
  }
  return racy.map((path) => ({ path, sha256: contentHash(path) }));
}

/** True when every file still has the content it was checked with. */
export function contentsUnchanged(checks: readonly ContentCheck[] | undefined): boolean {
  return (checks ?? []).every((c) => contentHash(c.path) === c.sha256);
}
