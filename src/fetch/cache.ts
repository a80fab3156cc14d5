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

/** Locks this process holds, removed should it exit while holding them. */
const held = new Set<string>();
let exitHook = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockPid(lock: string): number | null {
  try {
    const n = Number(fs.readFileSync(lock, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Hold `<file>.lock` (created exclusively, holding the pid) while a source
 * is fetched into the cache, so that two jux fetching the same source (a
 * `jux fetch` beside a `jux build`) do not write the same .part: the second
 * waits, then finds the file in the cache. A lock whose process is gone is
 * removed. (Should two processes remove the same dead lock at once, both may
 * go on; the checksum still keeps a mixed-up download out of the cache.)
 * Returns the function that releases it.
 */
export async function lockCacheFile(file: string, waiting: (pid: number) => void): Promise<() => void> {
  const lock = `${file}.lock`;
  await fs.promises.mkdir(path.dirname(lock), { recursive: true });
  let told = false;
  for (;;) {
    try {
      const fd = fs.openSync(lock, 'wx');
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      held.add(lock);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const l of held) if (lockPid(l) === process.pid) fs.rmSync(l, { force: true });
        });
      }
      return () => {
        if (!held.delete(lock)) return;
        if (lockPid(lock) === process.pid) fs.rmSync(lock, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = lockPid(lock);
    let stale = pid !== null && !alive(pid);
    if (pid === null) {
      // Empty: being written, or its creator died before writing it.
      try {
        stale = Date.now() - fs.statSync(lock).mtimeMs > 5000;
      } catch {
        continue; // released meanwhile
      }
    }
    if (stale) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    if (!told && pid !== null) {
      told = true;
      waiting(pid);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
