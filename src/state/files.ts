/**
 * NAME.files: every path a package installed, with its type, mode, size and
 * sha256 — one line each, kept apart from NAME.state so planning never reads
 * it:
 *
 *   f 0755 16384 9f86d0...  /usr/bin/greet
 *   l 0777 0 libgreet.so.1  /usr/lib/libgreet.so
 *   d 0755 0 -              /usr/share/greet
 *
 * Paths are relative to the root, start with '/', and have newlines and
 * backslashes escaped (\n, \\); a symlink's target is in the hash column.
 */
import fs from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { JuxError } from '../errors.js';

export type FileType = 'f' | 'l' | 'd';

export interface FileEntry {
  /** Path in the root, starting with '/'. */
  readonly path: string;
  readonly type: FileType;
  readonly mode: number;
  readonly size: number;
  /** sha256 of a regular file, target of a symlink, '-' for a directory. */
  readonly hash: string;
}

function escape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/ /g, '\\s');
}
function unescape(s: string): string {
  return s.replace(/\\(\\|n|s)/g, (_, c: string) => (c === 'n' ? '\n' : c === 's' ? ' ' : '\\'));
}

export function formatFiles(name: string, version: string, entries: readonly FileEntry[]): string {
  let out = `# jux file list of ${name} ${version}: type mode size sha256-or-target path\n`;
  for (const e of entries) {
    out += `${e.type} ${e.mode.toString(8).padStart(4, '0')} ${e.size} ${e.type === 'd' ? '-' : escape(e.hash)} ${escape(e.path)}\n`;
  }
  return out;
}

export function parseFiles(path: string, text: string): FileEntry[] {
  const out: FileEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const m = /^([fld]) ([0-7]{3,4}) (\d+) (\S+) (\S+)$/.exec(line);
    if (!m) throw new JuxError('corrupt file list line', { file: path, line: i + 1, col: 1 });
    out.push({
      type: m[1] as FileType,
      mode: parseInt(m[2]!, 8),
      size: Number(m[3]),
      hash: m[1] === 'd' ? '-' : unescape(m[4]!),
      path: unescape(m[5]!),
    });
  });
  return out;
}

export function readFiles(path: string): FileEntry[] | null {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return parseFiles(path, text);
}

export function writeFilesAtomic(path: string, name: string, version: string, entries: readonly FileEntry[]): void {
  writeFileAtomic.sync(path, formatFiles(name, version, entries), { fsync: true });
}
