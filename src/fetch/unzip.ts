/**
 * Extracting a zip archive with yauzl, every entry checked by the guard
 * before it is written. Unix modes (executable bits, symbolic links) are
 * honoured when the archive was made on Unix; symbolic links are created
 * last, so nothing is ever written through one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { EntryGuard, EntryKind } from './archiveGuard.js';
import { UnpackError } from './errors.js';

const S_IFMT = 0o170000;
const TYPES: ReadonlyMap<number, [EntryKind, string]> = new Map([
  [0o100000, ['file', 'file']],
  [0o040000, ['dir', 'directory']],
  [0o120000, ['symlink', 'symbolic link']],
  [0o020000, ['special', 'character device']],
  [0o060000, ['special', 'block device']],
  [0o010000, ['special', 'FIFO']],
  [0o140000, ['special', 'socket']],
]);
const MAX_LINK_TARGET = 4096;

/** Extract `archive` into the existing folder `dir` (no stripping). */
export async function extractZip(archive: string, dir: string, guard: EntryGuard): Promise<void> {
  const name = path.basename(archive);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(archive, { lazyEntries: true, decodeStrings: false, autoClose: false });
  } catch (e) {
    throw new UnpackError(`${name}: not a readable zip archive: ${(e as Error).message}`, archive);
  }
  /** Symbolic links to create at the end, by path (a later entry replaces an earlier one). */
  const links = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      // decodeStrings is off, so that the name is checked here, not by yauzl.
      const fileName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const madeBy = entry.versionMadeBy >> 8;
      const mode = madeBy === 3 || madeBy === 19 ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
      let [kind, typeName]: [EntryKind, string] = fileName.endsWith('/') ? ['dir', 'directory'] : ['file', 'file'];
      const t = TYPES.get(mode & S_IFMT);
      if (t !== undefined && !(kind === 'dir' && t[0] === 'file')) [kind, typeName] = t;
      let linkpath: string | undefined;
      if (kind === 'symlink') {
        if (entry.uncompressedSize > MAX_LINK_TARGET) throw new UnpackError(`${name}: ${fileName}: a symbolic link with an overlong target`, archive, fileName);
        linkpath = (await readAll(await zip.openReadStreamPromise(entry))).toString('utf8');
      }
      const rel = guard.admit({ path: fileName, kind, typeName, linkpath });
      if (rel === '') continue;
      const dest = path.join(dir, ...rel.split('/'));
      links.delete(rel);
      if (kind === 'dir') {
        await fs.promises.mkdir(dest, { recursive: true });
      } else if (kind === 'symlink') {
        links.set(rel, linkpath ?? '');
      } else {
        if (entry.isEncrypted()) throw new UnpackError(`${name}: ${fileName} is encrypted`, archive, fileName);
        if (!entry.canDecodeFileData()) {
          throw new UnpackError(`${name}: ${fileName} uses an unsupported compression method (${entry.compressionMethod})`, archive, fileName);
        }
        await fs.promises.mkdir(path.dirname(dest), { recursive: true });
        await fs.promises.rm(dest, { force: true });
        const perm = mode & 0o777 || 0o644;
        await pipeline(await zip.openReadStreamPromise(entry), fs.createWriteStream(dest, { mode: perm }));
        const when = entry.getLastModDate();
        await fs.promises.utimes(dest, when, when);
      }
    }
    for (const [rel, target] of links) {
      const dest = path.join(dir, ...rel.split('/'));
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      await fs.promises.rm(dest, { force: true });
      await fs.promises.symlink(target, dest);
    }
  } catch (e) {
    if (e instanceof UnpackError) throw e;
    throw new UnpackError(`${name}: cannot unpack: ${(e as Error).message}`, archive);
  } finally {
    zip.close();
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
