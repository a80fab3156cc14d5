/**
 * Extracting a tarball with node-tar, every entry checked by the guard
 * before it is written. gzip is node-tar's own; xz, bzip2 and zstd are
 * decompressed by the system tools through a pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ReadEntry, Unpack } from 'tar';
import type { ArchiveEntry, EntryGuard, EntryKind } from './archiveGuard.js';
import { UnpackError } from './errors.js';

export type Compression = 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'none';

const TOOLS: Record<'xz' | 'bzip2' | 'zstd', string> = { xz: 'xz', bzip2: 'bzip2', zstd: 'zstd' };

/** Extract `archive` into the existing folder `dir` (no stripping). */
export async function extractTar(archive: string, compression: Compression, dir: string, guard: EntryGuard): Promise<void> {
  const name = path.basename(archive);
  let violation: UnpackError | null = null;
  const problems: string[] = [];
  const unpack = new Unpack({
    cwd: dir,
    preserveOwner: false,
    // Node 20's zlib has no zstd: .tar.zst goes through the zstd tool.
    zstd: false,
    filter: (_p, entry) => {
      // After an unsafe entry nothing more is written; the rest is read through.
      if (violation !== null || !(entry instanceof ReadEntry)) return false;
      try {
        guard.admit(toArchiveEntry(entry));
        return true;
      } catch (e) {
        if (!(e instanceof UnpackError)) throw e;
        violation = e;
        return false;
      }
    },
    onwarn: (code, message) => {
      problems.push(`${code}: ${message}`);
    },
  });
  unpack.on('error', (e: Error) => problems.push(e.message));
  const closed = new Promise<void>((resolve) => unpack.on('close', () => resolve()));

  let ended = false;
  const endUnpack = (): void => {
    if (!ended) {
      ended = true;
      unpack.end();
    }
  };
  let input: Readable;
  let child: ChildProcess | null = null;
  let childDone: Promise<string | null> = Promise.resolve(null);
  if (compression === 'gzip' || compression === 'none') {
    input = fs.createReadStream(archive);
  } else {
    const tool = TOOLS[compression];
    const c = spawn(tool, ['-d', '-c', path.resolve(archive)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    childDone = new Promise((resolve) => {
      c.on('error', (e) => {
        endUnpack();
        resolve((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${tool} is not installed` : `cannot run ${tool}: ${e.message}`);
      });
      c.on('close', (code, signal) => {
        if (code === 0) resolve(null);
        else resolve(`${tool} failed (${signal ?? `exit status ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
      });
    });
    input = c.stdout as Readable; // stdio[1] is 'pipe'
  }
  input.on('error', (e) => {
    problems.push(`cannot read ${name}: ${e.message}`);
    endUnpack();
  });
  input.on('end', () => {
    ended = true;
  });
  input.pipe(unpack);
  const [toolProblem] = await Promise.all([childDone, closed]);
  if (child !== null && child.exitCode === null) child.kill();
  if (violation !== null) throw violation;
  if (toolProblem !== null) throw new UnpackError(`${name}: ${toolProblem}`, archive);
  if (problems.length > 0) throw new UnpackError(`${name}: cannot unpack: ${problems.join('; ')}`, archive);
}

function toArchiveEntry(e: ReadEntry): ArchiveEntry {
  let kind: EntryKind;
  switch (e.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      kind = 'file';
      break;
    case 'Directory':
    case 'GNUDumpDir':
      kind = 'dir';
      break;
    case 'SymbolicLink':
      kind = 'symlink';
      break;
    case 'Link':
      kind = 'hardlink';
      break;
    case 'CharacterDevice':
    case 'BlockDevice':
    case 'FIFO':
      kind = 'special';
      break;
    default:
      kind = 'unsupported';
  }
  return { path: e.path, kind, typeName: e.type, linkpath: e.linkpath };
}
