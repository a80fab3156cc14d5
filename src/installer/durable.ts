/**
 * Durable writes for the installer, with the disk waits overlapped and off
 * the main thread: each file is written to a temporary name beside it
 * (NAME.N, which recovery sweeps), all of them are fsynced at once (on the
 * thread pool, so a journalling file system can commit them together),
 * then each is renamed into place. Like write-file-atomic: a reader (or a
 * recovery after SIGKILL or a power loss) sees each file whole, old or new
 * (the data is on disk before the name points to it); a replaced file keeps
 * its mode.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';

const fsyncAsync = promisify(fs.fsync);
const openAsync = promisify(fs.open);
const writeAsync = promisify(fs.write);
const fchmodAsync = promisify(fs.fchmod);
const closeAsync = promisify(fs.close);

let serial = 0;

/** fsync an open descriptor on the thread pool. */
export function syncFd(fd: number): Promise<void> {
  return fsyncAsync(fd);
}

/** fsync a file by name (opened read-only; Linux syncs the file either way). */
export async function syncFile(file: string): Promise<void> {
  const fd = fs.openSync(file, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface DurableFile {
  readonly path: string;
  readonly data: string;
  /** Encoding of `data` (state files are latin1 text read back as latin1; default utf8). */
  readonly encoding?: BufferEncoding;
}

/**
 * Write every file atomically and durably (write, fsync, rename), the
 * fsyncs in parallel. Resolves once every file is renamed into place; on
 * an error the temporary files go and the error is passed on (files
 * already renamed stay: callers undo them as they would a half-done step).
 */
export async function writeDurably(files: readonly DurableFile[], extraSync: readonly Promise<void>[] = []): Promise<void> {
  // Creating a file waits for the file system's journal while another
  // commit is under way: the opens, writes, fsyncs and closes go to the
  // thread pool (through the callback API: fs.promises' file handles cost
  // the main thread several times more per call). The renames stay
  // synchronous, in order (fault injection kills jux at each of them).
  const made: { tmp: string; path: string }[] = [];
  try {
    await allOrFirstError(
      files.map(async (f) => {
        const tmp = `${f.path}.${process.pid}${++serial}`;
        // A new file: 0666 less the umask.
        const st = fs.statSync(f.path, { throwIfNoEntry: false });
        const mode = st === undefined ? null : st.mode & 0o7777;
        made.push({ tmp, path: f.path });
        const fd = await openAsync(tmp, 'w', mode ?? 0o666);
        try {
          const data = Buffer.from(f.data, f.encoding ?? 'utf8');
          for (let off = 0; off < data.length; ) off += (await writeAsync(fd, data, off, data.length - off, null)).bytesWritten;
          if (mode !== null) await fchmodAsync(fd, mode); // the umask may have narrowed it
          await fsyncAsync(fd);
        } finally {
          await closeAsync(fd);
        }
      }),
    );
    await allOrFirstError(extraSync);
    // In the order given.
    for (const f of files) {
      const o = made.find((x) => x.path === f.path)!;
      fs.renameSync(o.tmp, o.path);
      o.tmp = '';
    }
  } finally {
    for (const o of made) if (o.tmp) fs.rmSync(o.tmp, { force: true });
  }
}

/** Wait for every promise to settle (nothing left running), then throw the first error, if any. */
async function allOrFirstError(ps: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(ps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
