/**
 * Built packages as archives in the cache: CACHE/packages/
 * NAME-VERSION-FINGERPRINT.tar.gz, readable with GNU tar, holding
 *
 *   root/...          the staged install tree
 *   jux/package       what was built (name, version, fingerprint, inputs,
 *                     options, provides, dependencies), in spell syntax
 *   jux/NAME.files    its file list
 *   jux/spell/...     the spell and the scripts that produced it
 *
 * Extraction checks every entry first and writes nothing if any would land
 * outside the destination (`..`, absolute paths, links leading out) or is a
 * device, FIFO or socket.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { linkStaysInside } from '../builder/manifest.js';
import { JuxError } from '../errors.js';

export function packagesDir(cacheDir: string): string {
  return path.join(cacheDir, 'packages');
}

/** Pack `pkgDir` (holding root/ and jux/) into the archive, atomically. */
export async function createArchive(pkgDir: string, archive: string): Promise<void> {
  fs.mkdirSync(path.dirname(archive), { recursive: true });
  const tmp = `${archive}.${process.pid}.tmp`;
  await tar.c({ gzip: true, file: tmp, cwd: pkgDir, portable: true, noDirRecurse: false }, ['jux', 'root']);
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, archive);
}

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** Check every entry of an archive; throws a JuxError naming the first bad one. */
export async function checkArchive(archive: string): Promise<void> {
  let bad: string | null = null;
  await tar.t({
    file: archive,
    onReadEntry: (e) => {
      if (bad !== null) return;
      const p = e.path;
      const parts = p.split('/');
      if (p.startsWith('/')) bad = `${p}: an absolute path`;
      else if (parts.includes('..')) bad = `${p}: a path with ".."`;
      else if (!ALLOWED.has(e.type)) bad = `${p}: a ${e.type} entry (only files, directories and links are allowed)`;
      else if ((e.type === 'SymbolicLink' || e.type === 'Link') && e.linkpath !== undefined) {
        const inRoot = p.replace(/^root\//, '');
        const target = e.linkpath;
        if (e.type === 'Link' && (target.startsWith('/') || target.split('/').includes('..'))) {
          bad = `${p}: a hard link to ${target}`;
        } else if (e.type === 'SymbolicLink' && !linkStaysInside('/' + inRoot, target)) {
          bad = `${p}: a symlink to ${target}, outside the root`;
        }
      }
    },
  });
  if (bad !== null) throw new JuxError(`unsafe package archive ${path.basename(archive)}: ${bad}; nothing was installed`);
}

/** Extract an archive into `dest` (created), after checking it. */
export async function extractArchive(archive: string, dest: string): Promise<void> {
  await checkArchive(archive);
  fs.mkdirSync(dest, { recursive: true });
  await tar.x({ file: archive, cwd: dest, preservePaths: false, strict: true, preserveOwner: false });
}
