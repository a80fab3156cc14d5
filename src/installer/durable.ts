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
  // thread pool. The renames stay synchronous, in order (fault injection
  // kills jux at each of them).
  const open: { fh: fs.promises.FileHandle | null; tmp: string; path: string }[] = [];
  try {
    await Promise.all(
      files.map(async (f) => {
        const tmp = `${f.path}.${process.pid}${++serial}`;
        // A new file: 0666 less the umask.
        const st = fs.statSync(f.path, { throwIfNoEntry: false });
        const mode = st === undefined ? null : st.mode & 0o7777;
        const o: { fh: fs.promises.FileHandle | null; tmp: string; path: string } = { fh: null, tmp, path: f.path };
        open.push(o);
        o.fh = await fs.promises.open(tmp, 'w', mode ?? 0o666);
        await o.fh.writeFile(Buffer.from(f.data, f.encoding ?? 'utf8'));
        if (mode !== null) await o.fh.chmod(mode); // the umask may have narrowed it
        await o.fh.sync();
      }),
    );
    await Promise.all(extraSync);
    for (const o of open) {
      await o.fh!.close();
      o.fh = null;
    }
    // In the order given (open[] is in the order the files were started).
    for (const f of files) {
      const o = open.find((x) => x.path === f.path)!;
      fs.renameSync(o.tmp, o.path);
      o.tmp = '';
    }
  } finally {
    for (const o of open) {
      if (o.fh) await o.fh.close().catch(() => undefined);
      if (o.tmp) fs.rmSync(o.tmp, { force: true });
    }
  }
}
