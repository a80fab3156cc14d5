/**
 * A copy of the state directory's records, as last read, in one file: the
 * files' bytes one after another, then an index (name, size, modification
 * time, where its bytes are). Reading it replaces opening every NAME.state
 * of a large installed tree; a file whose size or time differs is read
 * again. The copy holds text, not parsed records: the fast reader parses
 * text faster than v8 deserialises objects, and writing text while the
 * files are read costs next to nothing.
 *
 * Layout: MAGIC, the contents, the index (JSON), the index's length (4
 * bytes, little-endian), MAGIC. Anything else (a torn or foreign file) is
 * no cache. It is written to a temporary file, renamed into place when
 * complete; a cache that cannot be read or written only costs time.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = Buffer.from('JUXSTAT1', 'latin1');

/** One file as the cache holds it. */
export interface CachedStateFile {
  readonly size: number;
  readonly mtimeMs: number;
  /** Where its bytes are in the cache's `bytes`. */
  readonly start: number;
  readonly end: number;
}

export interface StateCache {
  readonly bytes: Buffer;
  readonly files: ReadonlyMap<string, CachedStateFile>;
}

interface Index {
  readonly dir: string;
  /** [name, size, mtimeMs, start, end] per file. */
  readonly files: readonly [string, number, number, number, number][];
}

/** The cache of the state directory `dir`, or null (none, another directory's, or unreadable). */
export function readStateCache(file: string, dir: string): StateCache | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return null;
  }
  const m = MAGIC.length;
  if (bytes.length < 2 * m + 4) return null;
  if (!bytes.subarray(0, m).equals(MAGIC) || !bytes.subarray(bytes.length - m).equals(MAGIC)) return null;
  const indexLength = bytes.readUInt32LE(bytes.length - m - 4);
  const indexEnd = bytes.length - m - 4;
  const indexStart = indexEnd - indexLength;
  if (indexStart < m) return null;
  let index: Index;
  try {
    index = JSON.parse(bytes.toString('utf8', indexStart, indexEnd)) as Index;
  } catch {
    return null;
  }
  if (index === null || typeof index !== 'object' || index.dir !== dir || !Array.isArray(index.files)) return null;
  const files = new Map<string, CachedStateFile>();
  for (const e of index.files) {
    if (!Array.isArray(e) || e.length !== 5) return null;
    const [name, size, mtimeMs, start, end] = e;
    if (typeof name !== 'string' || !(start >= m && start <= end && end <= indexStart && end - start === size)) return null;
    files.set(name, { size, mtimeMs, start, end });
  }
  return { bytes, files };
}

/** Writes a cache file by appending each file's bytes as it is read. */
export class StateCacheWriter {
  private readonly tmp: string;
  private fd: number | null = null;
  private readonly stage = Buffer.allocUnsafe(1 << 20);
  private staged = 0;
  private offset = 0;
  private readonly files: [string, number, number, number, number][] = [];

  constructor(
    private readonly file: string,
    private readonly dir: string,
  ) {
    this.tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fd = fs.openSync(this.tmp, 'w');
      this.put(MAGIC, 0, MAGIC.length);
    } catch {
      this.abort();
    }
  }

  /** Add a file: `bytes[start, end)` is its content. */
  add(name: string, size: number, mtimeMs: number, bytes: Buffer, start: number, end: number): void {
    if (this.fd === null) return;
    const at = this.offset;
    this.put(bytes, start, end);
    this.files.push([name, size, mtimeMs, at, at + (end - start)]);
  }

  /** Write the index and put the cache in place. */
  finish(): void {
    if (this.fd === null) return;
    const index = Buffer.from(JSON.stringify({ dir: this.dir, files: this.files } satisfies Index), 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32LE(index.length);
    this.put(index, 0, index.length);
    this.put(length, 0, 4);
    this.put(MAGIC, 0, MAGIC.length);
    this.flush();
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
      this.fd = null;
      fs.renameSync(this.tmp, this.file);
    } catch {
      this.abort();
    }
  }

  /** Give up: nothing is written. */
  abort(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // nothing to do
      }
      this.fd = null;
    }
    try {
      fs.rmSync(this.tmp, { force: true });
    } catch {
      // only costs a stray temporary file
    }
  }

  private put(bytes: Buffer, start: number, end: number): void {
    this.offset += end - start;
    while (start < end && this.fd !== null) {
      if (this.staged === this.stage.length) this.flush();
      const n = bytes.copy(this.stage, this.staged, start, end);
      this.staged += n;
      start += n;
    }
  }

  private flush(): void {
    if (this.fd === null) return;
    try {
      let done = 0;
      while (done < this.staged) done += fs.writeSync(this.fd, this.stage, done, this.staged - done);
      this.staged = 0;
    } catch {
      this.abort();
    }
  }
}
