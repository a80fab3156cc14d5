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
 * small archives are compressed on the thread pool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { JuxError } from '../errors.js';
import type { FileEntry } from '../state/files.js';

/** One entry of the archive, in the order written. */
export interface TarEntry {
  /** Path in the archive ("root/usr/bin/x"; folders without the trailing slash). */
  readonly name: string;
  readonly type: 'f' | 'd' | 'l';
  /** Where a file's content or a link's target is read from. */
  readonly source: string;
}

const BLOCK = 512;
/** Archives with less content than this are built in memory and compressed on the thread pool. */
const IN_MEMORY = 4 << 20;
const gzipAsync = promisify(zlib.gzip);

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

/** Every chunk of the archive, uncompressed. */
async function* chunks(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  const buf = Buffer.allocUnsafe(1 << 16);
  for (const e of entries) {
    const st = fs.lstatSync(e.source);
    if (e.type === 'd') {
      yield* headerBlocks({ path: `${e.name}/`, mode: portableMode(st.mode, true), size: 0, mtime: null, flag: '5', linkpath: '' });
      continue;
    }
    const mtime = Math.floor(st.mtimeMs / 1000);
    if (e.type === 'l') {
      yield* headerBlocks({ path: e.name, mode: portableMode(st.mode, false), size: 0, mtime, flag: '2', linkpath: fs.readlinkSync(e.source) });
      continue;
    }
    const key = st.nlink > 1 ? `${st.dev}:${st.ino}` : null;
    const first = key === null ? undefined : links.get(key);
    if (first !== undefined) {
      yield* headerBlocks({ path: e.name, mode: portableMode(st.mode, false), size: 0, mtime, flag: '1', linkpath: first });
      continue;
    }
    if (key !== null) links.set(key, e.name);
    yield* headerBlocks({ path: e.name, mode: portableMode(st.mode, false), size: st.size, mtime, flag: '0', linkpath: '' });
    const fd = fs.openSync(e.source, 'r');
    try {
      let left = st.size;
      while (left > 0) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), null);
        if (n <= 0) throw new JuxError(`${e.source} shrank while it was being archived`);
        left -= n;
        yield Buffer.from(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
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
    await fs.promises.writeFile(file, await gzipAsync(Buffer.concat(parts)));
    return;
  }
  await pipeline(Readable.from(chunks(entries)), zlib.createGzip(), fs.createWriteStream(file));
}

/**
 * The entries of a package archive: jux/ (walked: a few small files) then
 * root/ from the staged tree's file list.
 */
export function packageEntries(pkgDir: string, files: readonly FileEntry[]): { entries: TarEntry[]; size: number } {
  const entries: TarEntry[] = [];
  let size = 0;
  const walk = (rel: string): void => {
    const abs = path.join(pkgDir, rel);
    entries.push({ name: rel, type: 'd', source: abs });
    for (const d of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const r = `${rel}/${d.name}`;
      if (d.isDirectory()) walk(r);
      else if (d.isSymbolicLink()) entries.push({ name: r, type: 'l', source: path.join(pkgDir, r) });
      else {
        entries.push({ name: r, type: 'f', source: path.join(pkgDir, r) });
        size += fs.statSync(path.join(pkgDir, r)).size;
      }
    }
  };
  walk('jux');
  entries.push({ name: 'root', type: 'd', source: path.join(pkgDir, 'root') });
  for (const f of files) {
    entries.push({ name: `root${f.path}`, type: f.type, source: path.join(pkgDir, 'root', f.path) });
    size += f.size;
  }
  return { entries, size };
}
