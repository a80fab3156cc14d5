/**
 * Where the binary package cache keeps built packages. Apart from archive.ts
 * (which loads node-tar) so that the read-only commands that list the cache
 * (plan, the remembered answers) do not load it.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Where built packages are: CACHE/NAME-VERSION-KEY.tar.gz, beside
 * CACHE/sources/ and CACHE/index/ (folders: no archive name can be one of
 * them). Versions before this one kept them in CACHE/packages/; archives
 * there are still listed, checked and installed from, so an existing cache
 * keeps working; new archives are written to CACHE/ only.
 */
export function archivePath(cacheDir: string, name: string): string {
  return path.join(cacheDir, name);
}

/** The folders holding archives: the current one first, then the old CACHE/packages/. */
export function archiveDirs(cacheDir: string): readonly string[] {
  return [cacheDir, path.join(cacheDir, 'packages')];
}

/** The archive `name` in the cache (where it is), or null when neither folder has it. */
export function findArchive(cacheDir: string, name: string): string | null {
  if (name === '' || name.includes('/')) return null;
  for (const dir of archiveDirs(cacheDir)) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}
