/**
 * Unpacking a source into SOURCE_DIR. Tarballs (.tar, .tar.gz/.tgz,
 * .tar.xz/.txz, .tar.bz2/.tbz2/.tbz, .tar.zst/.tzst) and .zip files are
 * extracted; any other file is copied as it is.
 *
 * An archive is extracted into a temporary folder next to the destination,
 * every entry checked before it is written (archiveGuard.ts); only when the
 * whole archive passed is its content moved into the destination, so an
 * unsafe or broken archive leaves nothing there. When everything sits in
 * one top-level folder, that folder is stripped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EntryGuard } from './archiveGuard.js';
import { UnpackError } from './errors.js';
import { type Compression, extractTar } from './untar.js';
import { extractZip } from './unzip.js';

export type ArchiveFormat = { readonly kind: 'tar'; readonly compression: Compression } | { readonly kind: 'zip' } | { readonly kind: 'file' };

const SUFFIXES: ReadonlyArray<[string, ArchiveFormat]> = [
  ['.tar.gz', { kind: 'tar', compression: 'gzip' }],
  ['.tgz', { kind: 'tar', compression: 'gzip' }],
  ['.tar.xz', { kind: 'tar', compression: 'xz' }],
  ['.txz', { kind: 'tar', compression: 'xz' }],
  ['.tar.bz2', { kind: 'tar', compression: 'bzip2' }],
  ['.tbz2', { kind: 'tar', compression: 'bzip2' }],
  ['.tbz', { kind: 'tar', compression: 'bzip2' }],
  ['.tar.zst', { kind: 'tar', compression: 'zstd' }],
  ['.tzst', { kind: 'tar', compression: 'zstd' }],
  ['.tar', { kind: 'tar', compression: 'none' }],
  ['.zip', { kind: 'zip' }],
];

/** What a source file is, by its name. */
export function archiveFormat(file: string): ArchiveFormat {
  const lower = path.basename(file).toLowerCase();
  for (const [suffix, format] of SUFFIXES) if (lower.endsWith(suffix) && lower !== suffix) return format;
  return { kind: 'file' };
}

/** Unpack (or copy) `archive` into `destDir`; throws an UnpackError. */
export async function unpackSource(archive: string, destDir: string): Promise<void> {
  const name = path.basename(archive);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(archive);
  } catch (e) {
    throw new UnpackError(`cannot read ${archive}: ${(e as Error).message}`, archive);
  }
  if (!st.isFile()) throw new UnpackError(`${archive} is not a file`, archive);
  const dest = path.resolve(destDir);
  const format = archiveFormat(archive);

  if (format.kind === 'file') {
    await fs.promises.mkdir(dest, { recursive: true });
    await fs.promises.copyFile(archive, path.join(dest, name));
    return;
  }

  const parent = path.dirname(dest);
  await fs.promises.mkdir(parent, { recursive: true });
  const tmp = await fs.promises.mkdtemp(path.join(parent, `.${path.basename(dest)}.unpack-`));
  try {
    const root = path.join(tmp, 'root');
    await fs.promises.mkdir(root);
    const guard = new EntryGuard(archive);
    if (format.kind === 'zip') await extractZip(archive, root, guard);
    else await extractTar(archive, format.compression, root, guard);

    let top = guard.topFolder();
    if (top !== null && !(await fs.promises.lstat(path.join(root, top))).isDirectory()) top = null;
    guard.checkLinks(top);
    await moveInto(top === null ? root : path.join(root, top), dest, archive);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/** Move the content of `from` into `dest` (which may not exist yet; what it holds must not clash). */
async function moveInto(from: string, dest: string, archive: string): Promise<void> {
  let st: fs.Stats | null = null;
  try {
    st = await fs.promises.lstat(dest);
  } catch {
    st = null;
  }
  if (st === null) {
    await fs.promises.rename(from, dest);
    return;
  }
  if (!st.isDirectory()) throw new UnpackError(`cannot unpack ${path.basename(archive)} into ${dest}: not a folder`, archive);
  const names = await fs.promises.readdir(from);
  const there = new Set(await fs.promises.readdir(dest));
  const clash = names.filter((n) => there.has(n));
  if (clash.length > 0) {
    throw new UnpackError(`cannot unpack ${path.basename(archive)} into ${dest}: it already holds ${clash.slice(0, 5).join(', ')}`, archive);
  }
  for (const n of names) await fs.promises.rename(path.join(from, n), path.join(dest, n));
}
