/**
 * Where a source may be fetched from: its own addresses, then the mirrors;
 * and what kind of address each one is.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A mirror with `{file}` / `{sha256}` filled in, or MIRROR/FILE for a plain prefix. */
export function expandMirror(mirror: string, file: string, sha256: string | null): string | null {
  const usesFile = mirror.includes('{file}');
  const usesSha = mirror.includes('{sha256}');
  if (usesSha && sha256 === null) return null;
  const isUrl = /^(https?|file):\/\//i.test(mirror);
  const name = isUrl ? encodeURIComponent(file) : file;
  if (!usesFile && !usesSha) return `${mirror.replace(/\/+$/, '')}/${name}`;
  return mirror.replaceAll('{file}', name).replaceAll('{sha256}', sha256 ?? '');
}

/** The source's own addresses in order, then each mirror; without repeats. */
export function candidateAddresses(urls: readonly string[], mirrors: readonly string[], file: string, sha256: string | null): string[] {
  const out: string[] = [];
  const add = (a: string | null): void => {
    if (a !== null && a !== '' && !out.includes(a)) out.push(a);
  };
  for (const u of urls) add(u);
  for (const m of mirrors) add(expandMirror(m, file, sha256));
  return out;
}

export type Address =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

/**
 * http://, https://, file:///absolute, file:relative (against the spell's
 * folder), a bare path (relative: against the spell's folder); anything
 * else (ftp:, git:, svn_http:, ...) is unsupported.
 */
export function classifyAddress(address: string, spellDir: string | null): Address {
  const scheme = /^([A-Za-z][A-Za-z0-9+._-]*):/.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    try {
      return { kind: 'http', url: new URL(address).href };
    } catch {
      return { kind: 'unsupported', reason: 'not a valid URL' };
    }
  }
  if (scheme === 'file') {
    const rest = address.slice('file:'.length);
    if (rest.startsWith('/')) {
      try {
        return { kind: 'file', path: fileURLToPath(rest.startsWith('//') ? address : `file://${rest}`) };
      } catch (e) {
        return { kind: 'unsupported', reason: (e as Error).message };
      }
    }
    return relative(rest, spellDir);
  }
  if (scheme !== undefined) return { kind: 'unsupported', reason: `unsupported scheme ${scheme}:` };
  if (path.isAbsolute(address)) return { kind: 'file', path: address };
  return relative(address, spellDir);
}

function relative(p: string, spellDir: string | null): Address {
  if (p === '') return { kind: 'unsupported', reason: 'an empty path' };
  if (spellDir === null) return { kind: 'unsupported', reason: 'a relative path, but the spell has no folder to resolve it against' };
  return { kind: 'file', path: path.resolve(spellDir, p) };
}
