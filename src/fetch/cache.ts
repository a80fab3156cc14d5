/**
 * The source cache, CACHE/sources/:
 *
 *   sha256/<hex>/<file>          a source with a checksum (verified)
 *   by-name/<file>               a source without one
 *   <either>.part                a download in progress (resumable)
 *   <either>.part.from           the address the .part came from
 *   rejected/<file>.<timestamp>  a file whose checksum was wrong, kept for
 *                                inspection and never used
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FetchError } from './errors.js';

export function sourcesDir(cacheDir: string): string {
  return path.join(cacheDir, 'sources');
}

/** The checksum in lower case, or a FetchError when it is not 64 hex digits. */
export function normalizeSha256(file: string, sha256: string | null): string | null {
  if (sha256 === null) return null;
  const s = sha256.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(s)) throw new FetchError(`${file}: the Sha256 checksum "${sha256}" is not 64 hexadecimal digits`, file, 'invalid');
  return s;
}

/** A source's file name must be a plain name: it becomes a file in the cache. */
export function checkFileName(file: string): void {
  if (file === '' || file === '.' || file === '..' || /[/\\\0]/.test(file)) {
    throw new FetchError(`"${file}" is not a valid source file name (it must be a plain file name)`, file, 'invalid');
  }
}

/** Where a source lives in the cache, relative to CACHE/sources. */
export function cacheKey(file: string, sha256: string | null): string {
  return sha256 === null ? `by-name/${file}` : `sha256/${sha256}/${file}`;
}

export function cachePath(cacheDir: string, file: string, sha256: string | null): string {
  return path.join(sourcesDir(cacheDir), ...cacheKey(file, sha256).split('/'));
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Move a file with a wrong checksum to rejected/<file>.<timestamp>; returns where. */
export async function rejectFile(cacheDir: string, file: string, from: string): Promise<string> {
  const dir = path.join(sourcesDir(cacheDir), 'rejected');
  await fs.promises.mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '');
  let dest = path.join(dir, `${file}.${stamp}`);
  for (let n = 1; await exists(dest); n++) dest = path.join(dir, `${file}.${stamp}-${n}`);
  await fs.promises.rename(from, dest);
  return dest;
}
