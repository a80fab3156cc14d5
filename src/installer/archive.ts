/**
 * Built packages as archives in the cache: CACHE/NAME-VERSION-KEY.tar.gz
 * (see archiveLocation.ts), readable with GNU tar, holding
 *
 *   root/...          the staged install tree
 *   jux/package       what was built (name, version, fingerprint, inputs,
 *                     options, provides, dependencies), in spell syntax
 *   jux/NAME.files    its file list
 *   jux/spell/...     the spell and the scripts that produced it
 *
 * Extraction checks every entry first and writes nothing if any would land
 * outside the destination (`..`, absolute paths, symlinks that are absolute
 * or lead out, hard links leading out, entries written through a symlink)
 * or is a device, FIFO or socket.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { JuxError } from '../errors.js';
import { type FileEntry, parseFiles } from '../state/files.js';
import { syncFile } from './durable.js';
import { packageEntries, type PackageContents, writeTarGz } from './tarWriter.js';

export { archiveDirs, archivePath, findArchive } from './archiveLocation.js';

/**
 * Pack a package (its jux/ entries, then the staged tree as its file list
 * says, checked entry by entry: see tarWriter.ts) into the archive,
 * atomically: written to a temporary name, synced, renamed. Throws a
 * JuxError, leaving no archive, when the staged tree is not what the list
 * says.
 */
export async function createArchive(archive: string, contents: PackageContents): Promise<void> {
  fs.mkdirSync(path.dirname(archive), { recursive: true });
  const tmp = `${archive}.${process.pid}.tmp`;
  try {
    const { entries, size } = packageEntries(contents);
    await writeTarGz(tmp, entries, size);
    await syncFile(tmp); // on the thread pool: the main thread goes on with other packages
    fs.renameSync(tmp, archive);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof JuxError) throw new JuxError(`package archive ${path.basename(archive)}: ${e.message}`);
    throw e;
  }
}

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
/** Metadata entries tar writes that create nothing on disk. */
const METADATA = new Set(['ExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'NextFileHasLongLinkpath', 'OldExtendedHeader']);

/** A symlink at `linkPath` (relative to the archive's top) with a relative `target` that stays below the top. */
function relativeLinkInside(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const parts = path.posix.dirname(linkPath).split('/').filter((c) => c !== '' && c !== '.');
  // A link under root/ may not climb out of root/.
  const floor = parts[0] === 'root' ? 1 : 0;
  for (const seg of target.split('/')) {
    if (seg === '..') {
      if (parts.length <= floor) return false;
      parts.pop();
    } else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return true;
}

/** What an archive really holds under root/, as file-list entries (modes aside). */
interface Actual {
  readonly type: 'f' | 'l' | 'd';
  readonly size: number;
  readonly hash: string;
}

/** The archive's own jux/NAME.files checked against what it holds under root/. */
function checkFileList(where: string, listName: string, text: string, actual: ReadonlyMap<string, Actual>): FileEntry[] {
  const listed = parseFiles(`${where}:${listName}`, text);
  for (const e of listed) {
    const parts = e.path.split('/');
    if (!e.path.startsWith('/') || parts.slice(1).some((c) => c === '' || c === '.' || c === '..') || e.path.includes('\0')) {
      throw new JuxError(`unsafe package archive ${where}: its file list names ${JSON.stringify(e.path)}, which is not a plain path in the root; nothing was installed`);
    }
  }
  const seen = new Set<string>();
  for (const e of listed) {
    seen.add(e.path);
    const a = actual.get(e.path);
    const same = a !== undefined && a.type === e.type && (e.type === 'd' || (a.size === e.size && a.hash === e.hash));
    if (!same) {
      throw new JuxError(`package archive ${where} does not match its file list (${e.path} is listed but ${a ? 'differs' : 'missing'}); nothing was installed`);
    }
  }
  for (const p of actual.keys()) {
    if (!seen.has(p)) throw new JuxError(`package archive ${where} does not match its file list (${p} is not listed); nothing was installed`);
  }
  return listed;
}

/**
 * Check every entry of an archive; throws a JuxError naming the first bad
 * one: an absolute path, a ".." component, a device, FIFO or other special
 * entry, a symlink that is absolute or climbs out of the root, a hard link
 * leading out, or an entry written through a symlink the archive made.
 * The file list it carries (jux/NAME.files) must name plain paths and match
 * what the archive holds, hash for hash. Returns that list (null if none).
 */
export async function checkArchive(archive: string): Promise<FileEntry[] | null> {
  const where = path.basename(archive);
  let bad: string | null = null;
  const links: string[] = [];
  const actual = new Map<string, Actual>();
  const lists: { name: string; text: string }[] = [];
  try {
    await tar.t({
      file: archive,
      strict: true,
      onReadEntry: (e) => {
        if (bad !== null) return;
        const p = e.path;
        const parts = p.split('/');
        const clean = parts.filter((c) => c !== '' && c !== '.').join('/');
        if (METADATA.has(e.type)) return;
        if (p.startsWith('/')) bad = `${p}: an absolute path`;
        else if (parts.includes('..')) bad = `${p}: a path with ".."`;
        else if (p.includes('\0')) bad = `${JSON.stringify(p)}: a path with a NUL byte`;
        else if (!ALLOWED.has(e.type)) bad = `${p}: a ${e.type} entry (only files, directories and links are allowed)`;
        else if (links.some((l) => clean.startsWith(l + '/'))) bad = `${p}: written through the symlink ${links.find((l) => clean.startsWith(l + '/'))}`;
        else if (e.type === 'Link') {
          const target = e.linkpath ?? '';
          if (target.startsWith('/') || target.split('/').includes('..')) bad = `${p}: a hard link to ${target}`;
        } else if (e.type === 'SymbolicLink') {
          const target = e.linkpath ?? '';
          if (!relativeLinkInside(clean, target)) bad = `${p}: a symlink to ${target}, outside the root`;
          else links.push(clean);
        }
        if (bad !== null) return;
        const inRoot = clean.startsWith('root/') ? clean.slice(4) : null;
        if (inRoot !== null) {
          if (e.type === 'Directory') actual.set(inRoot, { type: 'd', size: 0, hash: '-' });
          else if (e.type === 'SymbolicLink') actual.set(inRoot, { type: 'l', size: 0, hash: e.linkpath ?? '' });
          else if (e.type === 'Link') {
            const t = actual.get('/' + (e.linkpath ?? '').split('/').filter((c) => c !== '' && c !== '.').slice(1).join('/'));
            if (t) actual.set(inRoot, t);
          } else {
            const h = crypto.createHash('sha256');
            let size = 0;
            e.on('data', (d: Buffer) => {
              h.update(d);
              size += d.length;
            });
            e.on('end', () => actual.set(inRoot, { type: 'f', size, hash: h.digest('hex') }));
          }
        } else if (/^jux\/[^/]+\.files$/.test(clean) && e.type !== 'Directory') {
          const chunks: Buffer[] = [];
          e.on('data', (d: Buffer) => chunks.push(d));
          e.on('end', () => lists.push({ name: clean, text: Buffer.concat(chunks).toString('utf8') }));
        }
      },
    });
  } catch (e) {
    if (e instanceof JuxError) throw e;
    throw new JuxError(`unreadable package archive ${where}: ${(e as Error).message}; nothing was installed`);
  }
  if (bad !== null) throw new JuxError(`unsafe package archive ${where}: ${bad}; nothing was installed`);
  if (lists.length > 1) throw new JuxError(`package archive ${where} holds ${lists.length} file lists; nothing was installed`);
  if (!lists.length) return null;
  return checkFileList(where, lists[0]!.name, lists[0]!.text, actual);
}

/** Extract an archive into `dest` (created), after checking it. */
export async function extractArchive(archive: string, dest: string): Promise<void> {
  await checkArchive(archive);
  fs.mkdirSync(dest, { recursive: true });
  try {
    await tar.x({ file: archive, cwd: dest, preservePaths: false, strict: true, preserveOwner: false });
  } catch (e) {
    throw new JuxError(`cannot unpack package archive ${path.basename(archive)}: ${(e as Error).message}; nothing was installed`);
  }
}
