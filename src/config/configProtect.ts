/**
 * Config protection (like Portage's CONFIG_PROTECT and pacman's .pacnew):
 * which paths in the root hold configuration the administrator may have
 * changed. An install never overwrites such a file when it differs from
 * what was recorded for it (or when no package owns it): the user's file
 * stays and the package's version is written beside it as PATH.juxnew.
 *
 * `protect` and `mask` are folders (or files) in the root, "/etc" style.
 * The longest match wins; a mask wins a tie, so `mask: [/etc/skel]` under
 * `protect: [/etc]` unprotects /etc/skel and everything below it.
 */

/** The suffix of the package's new version of a protected file the user changed. */
export const JUXNEW = '.juxnew';

export interface ConfigProtection {
  readonly protect: readonly string[];
  readonly mask: readonly string[];
}

export const DEFAULT_PROTECTION: ConfigProtection = { protect: ['/etc'], mask: [] };

/** "etc/", "/etc//x/" → "/etc", "/etc/x"; null for a path with "." or ".." components. */
export function normaliseProtectPath(p: string): string | null {
  const parts = p.split('/').filter((c) => c !== '');
  if (parts.some((c) => c === '.' || c === '..')) return null;
  return '/' + parts.join('/');
}

function longestMatch(list: readonly string[], p: string): number {
  let best = -1;
  for (const prefix of list) {
    const hit = prefix === '/' || p === prefix || p.startsWith(prefix + '/');
    if (hit && prefix.length > best) best = prefix.length;
  }
  return best;
}

/** Is the root path `p` ("/etc/foo.conf") protected? */
export function isProtected(protection: ConfigProtection, p: string): boolean {
  const protect = longestMatch(protection.protect, p);
  return protect >= 0 && protect > longestMatch(protection.mask, p);
}
