/**
 * Writing a package archive (see archive.ts) directly: a gzip-compressed
 * POSIX ustar archive, with pax extended headers where a field does not
 * fit (long or non-ASCII paths and link targets, huge sizes), written the
 * way node-tar's portable mode writes one — modes made portable (owner can
 * read and write, nobody else can write), no owners, folders without times,
 * a file's later hard links as links to its first — so GNU tar, node-tar
 * and jux's own checks read it as before. It is made from the package's
 * file list instead of walking and stating the staged tree again (node-tar
 * stats every entry, and every entry's parents, on the main thread), and
 * small archives are compressed on the thread pool. Each entry of the
 * staged tree is checked against the list as it is written (type, size,
 * the sha256 of the bytes written, link target), so an archive that is
 * written holds exactly what the list says, without reading it back; the
 * jux/ entries made in memory (jux/package, jux/NAME.files) are never
 * written to disk on their own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { JuxError } from '../errors.js';
import type { FileEntry } from '../state/files.js';

/** One entry of the archive, in the order written. */
export type TarEntry =
  | {
      /** Path in the archive ("root/usr/bin/x"; folders without the trailing slash). */
      readonly name: string;
      readonly type: 'f' | 'd' | 'l';
      /** Where a file's content or a link's target is read from. */
      readonly source: string;
      /**
       * What the package's file list says of it: the entry is checked
       * against it as it is written (type, size, sha256 of the bytes
       * written, link target), so the archive holds exactly the list.
       */
      readonly listed?: FileEntry;
    }
  | {
      /** A file or folder made in memory (jux/package, jux/NAME.files). */
      readonly name: string;
      readonly type: 'f' | 'd';
      readonly data: Buffer;
      readonly mode: number;
    };

const BLOCK = 512;
/** Archives with less content than this are built in memory and compressed on the thread pool. */
const IN_MEMORY = 4 << 20;
const gzipAsync = promisify(zlib.gzip);
const writeFileAsync = promisify(fs.writeFile);

/** node-tar's modeFix for a portable archive. */
function portableMode(mode: number, dir: boolean): number {
  let m = ((mode & 0o7777) | 0o600) & ~0o22;
  if (dir) {
    if (m & 0o400) m |= 0o100;
    if (m & 0o40) m |= 0o10;
    if (m & 0o4) m |= 0o1;
  }
  return m;
}

function octal(n: number, size: number): string {
  return n.toString(8).padStart(size - 1, '0') + '\0';
}

const ASCII = /^[\x20-\x7e]*$/;

/** The longest prefix of `s` of at most `n` printable ASCII characters ("?" for the rest). */
function asciiPrefix(s: string, n: number): string {
  return s.slice(0, n).replace(/[^\x20-\x7e]/g, '?');
}

/** The ustar name and prefix for a path, or null when it needs a pax header. */
function splitName(p: string): { name: string; prefix: string } | null {
  if (!ASCII.test(p)) return null;
  if (p.length <= 100) return { name: p, prefix: '' };
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
    if (i <= 155 && p.length - i - 1 <= 100 && p.length - i - 1 > 0) return { name: p.slice(i + 1), prefix: p.slice(0, i) };
  }
  return null;
}

interface Header {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number | null;
  /** '0' file, '1' hard link, '2' symlink, '5' folder, 'x' pax. */
  readonly flag: string;
  readonly linkpath: string;
}

function ustar(h: Header, name: { name: string; prefix: string }, link: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name.name, 0, 100, 'latin1');
  b.write(octal(h.mode, 8), 100, 8, 'latin1');
  // uid, gid: left empty (portable)
  b.write(octal(h.size, 12), 124, 12, 'latin1');
  if (h.mtime !== null) b.write(octal(h.mtime, 12), 136, 12, 'latin1');
  b.write(h.flag, 156, 1, 'latin1');
  b.write(link, 157, 100, 'latin1');
  b.write('ustar\u000000', 257, 8, 'latin1');
  b.write(name.prefix, 345, 155, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(octal(sum, 7) + ' ', 148, 8, 'latin1');
  return b;
}

function padding(size: number): Buffer {
  const r = size % BLOCK;
  return Buffer.alloc(r ? BLOCK - r : 0);
}

/** The header blocks of an entry: a pax header first when a field does not fit. */
function headerBlocks(h: Header): Buffer[] {
  const name = splitName(h.path);
  const linkFits = ASCII.test(h.linkpath) && h.linkpath.length <= 100;
  const sizeFits = h.size < 8 ** 11;
  if (name && linkFits && sizeFits) return [ustar(h, name, h.linkpath)];
  let body = '';
  const record = (key: string, value: string): void => {
    const text = ` ${key}=${value}\n`;
    const bytes = Buffer.byteLength(text);
    let len = bytes + String(bytes).length;
    if (String(len).length !== String(bytes).length) len = bytes + String(len).length;
    body += `${len}${text}`;
  };
  if (!name) record('path', h.path);
  if (!linkFits) record('linkpath', h.linkpath);
  if (!sizeFits) record('size', String(h.size));
  const data = Buffer.from(body, 'utf8');
  const paxName = ('PaxHeader/' + path.posix.basename(h.path)).slice(0, 99);
  const pax = ustar(
    { path: paxName, mode: 0o644, size: data.length, mtime: h.mtime, flag: 'x', linkpath: '' },
    { name: ASCII.test(paxName) ? paxName : 'PaxHeader/entry', prefix: '' },
    '',
  );
  const fallback = splitName(h.path) ?? { name: asciiPrefix(h.path, 100) || 'entry', prefix: '' };
  return [
    pax,
    data,
    padding(data.length),
    // The fields that do not fit hold what fits of them (readers check them before applying the pax header).
    ustar({ ...h, size: sizeFits ? h.size : 0 }, fallback, linkFits ? h.linkpath : asciiPrefix(h.linkpath, 100)),
  ];
}

/** The error for an entry that is not what the file list says. */
function differs(e: FileEntry): JuxError {
  return new JuxError(`${e.path} changed after the staged tree was listed; nothing was installed`);
}

/** Every chunk of the archive, uncompressed. */
async function* chunks(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  const links = new Map<string, { name: string; listed: FileEntry | undefined }>();
  const buf = Buffer.allocUnsafe(1 << 16);
  const now = Math.floor(Date.now() / 1000);
  for (const e of entries) {
    if ('data' in e) {
      if (e.type === 'd') yield* headerBlocks({ path: `${e.name}/`, mode: portableMode(e.mode, true), size: 0, mtime: null, flag: '5', linkpath: '' });
      else {
        yield* headerBlocks({ path: e.name, mode: portableMode(e.mode, false), size: e.data.length, mtime: now, flag: '0', linkpath: '' });
        yield e.data;
        yield padding(e.data.length);
      }
      continue;
    }
    const listed = e.listed;
    const st = fs.lstatSync(e.source, { throwIfNoEntry: false });
    if (st === undefined) throw listed ? differs(listed) : new JuxError(`${e.source} went while it was being archived`);
    if (listed && (e.type === 'd' ? !st.isDirectory() : e.type === 'l' ? !st.isSymbolicLink() : !st.isFile())) throw differs(listed);
    if (e.type === 'd') {
      yield* headerBlocks({ path: `${e.name}/`, mode: portableMode(st.mode, true), size: 0, mtime: null, flag: '5', linkpath: '' });
      continue;
    }
    const mtime = Math.floor(st.mtimeMs / 1000);
    if (e.type === 'l') {
      const target = fs.readlinkSync(e.source);
      if (listed && target !== listed.hash) throw differs(listed);
      yield* headerBlocks({ path: e.name, mode: portableMode(st.mode, false), size: 0, mtime, flag: '2', linkpath: target });
      continue;
    }
    if (listed && st.size !== listed.size) throw differs(listed);
    const key = st.nlink > 1 ? `${st.dev}:${st.ino}` : null;
    const first = key === null ? undefined : links.get(key);
    if (first !== undefined) {
      // A later hard link to a file already written: the same content.
      if (listed && first.listed && (first.listed.hash !== listed.hash || first.listed.size !== listed.size)) throw differs(listed);
      yield* headerBlocks({ path: e.name, mode: portableMode(st.mode, false), size: 0, mtime, flag: '1', linkpath: first.name });
      continue;
    }
    if (key !== null) links.set(key, { name: e.name, listed });
    yield* headerBlocks({ path: e.name, mode: portableMode(st.mode, false), size: st.size, mtime, flag: '0', linkpath: '' });
    const hash = listed ? crypto.createHash('sha256') : null;
    const fd = fs.openSync(e.source, 'r');
    try {
      let left = st.size;
      while (left > 0) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), null);
        if (n <= 0) throw listed ? differs(listed) : new JuxError(`${e.source} shrank while it was being archived`);
        left -= n;
        const chunk = Buffer.from(buf.subarray(0, n));
        hash?.update(chunk);
        yield chunk;
      }
    } finally {
      fs.closeSync(fd);
    }
    if (listed && hash!.digest('hex') !== listed.hash) throw differs(listed);
    yield padding(st.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** Write the entries as a gzip-compressed tar archive to `file` (created or replaced; not synced). */
export async function writeTarGz(file: string, entries: readonly TarEntry[], contentSize: number): Promise<void> {
  if (contentSize < IN_MEMORY) {
    const parts: Buffer[] = [];
    for await (const c of chunks(entries)) parts.push(c);
    // Creating the file can wait on the file system's journal: on the thread pool.
    // (The callback API: fs.promises' file handle costs the main thread more.)
    await writeFileAsync(file, await gzipAsync(Buffer.concat(parts)));
    return;
  }
  await pipeline(Readable.from(chunks(entries)), zlib.createGzip(), fs.createWriteStream(file));
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The entries of a folder on disk under `name` in the archive (the spell's
 * folder as jux/spell), walked in name order: files, folders and links as
 * they are; anything else is refused. Returns their content size too.
 */
export function folderEntries(name: string, dir: string): { entries: TarEntry[]; size: number } {
  const entries: TarEntry[] = [];
  let size = 0;
  const walk = (rel: string, abs: string): void => {
    entries.push({ name: rel, type: 'd', source: abs });
    for (const d of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name))) {
      const r = `${rel}/${d.name}`;
      const x = path.join(abs, d.name);
      if (d.isDirectory()) walk(r, x);
      else if (d.isSymbolicLink()) entries.push({ name: r, type: 'l', source: x });
      else if (d.isFile()) {
        entries.push({ name: r, type: 'f', source: x });
        size += fs.statSync(x).size;
      } else throw new JuxError(`cannot pack ${x}: a FIFO, socket or device`);
    }
  };
  walk(name, dir);
  return { entries, size };
}

/** What a package archive holds besides root/: its jux/ entries, in order. */
export interface PackageContents {
  /** The staged tree (DESTDIR) and its file list: root/ in the archive. */
  readonly root: string;
  readonly files: readonly FileEntry[];
  /** jux/... entries (written first, in the order given) and the size of their content. */
  readonly jux: { readonly entries: readonly TarEntry[]; readonly size: number };
}

/**
 * The entries of a package archive: jux/ then root/ from the staged tree's
 * file list, each root entry checked against the list as it is written.
 */
export function packageEntries(contents: PackageContents): { entries: TarEntry[]; size: number } {
  const entries: TarEntry[] = [...contents.jux.entries];
  let size = contents.jux.size;
  entries.push({ name: 'root', type: 'd', source: contents.root });
  for (const f of contents.files) {
    entries.push({ name: `root${f.path}`, type: f.type, source: path.join(contents.root, f.path), listed: f });
    size += f.size;
  }
  return { entries, size };
}
