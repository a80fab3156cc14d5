/**
 * Jam's glob matcher (glob.c), used by `switch`/`case` and `Glob`:
 * `*`, `?`, `[chars]`, `[a-z]`, `[^chars]` and `\` escapes.
 * Returns true on a match.
 */
export function globMatch(pattern: string, s: string): boolean {
  return glob(pattern, 0, s, 0) === 0;
}

/** 0: match, 1: no match, -1: the pattern ended with string left over. */
function glob(c: string, ci: number, s: string, si: number): number {
  for (;;) {
    if (ci >= c.length) return si < s.length ? -1 : 0;
    const ch = c[ci++]!;
    switch (ch) {
      case '?':
        if (si >= s.length) return 1;
        si++;
        break;
      case '[': {
        // Scan for the closing ']'. As in jam, the set handed to the class
        // test runs up to and including that ']'.
        const here = ci;
        do {
          if (ci >= c.length) return 1;
          ci++;
        } while (here === ci || c[ci] !== ']');
        ci++;
        const set = c.slice(here, ci);
        if (si >= s.length || !inClass(set, s.charCodeAt(si))) return 1;
        si++;
        break;
      }
      case '*': {
        const here = si;
        si = s.length;
        // Try the longest tail first, backing up one char at a time.
        while (si !== here) {
          const r = ci < c.length ? glob(c, ci, s, si) : si < s.length ? -1 : 0;
          if (r === 0) return 0;
          if (r < 0) return 1;
          --si;
        }
        break;
      }
      case '\\':
        if (ci >= c.length || si >= s.length || s[si++] !== c[ci++]) return 1;
        break;
      default:
        if (si >= s.length || s[si++] !== ch) return 1;
        break;
    }
  }
}

function inClass(set: string, code: number): boolean {
  if (code === 0) return false;
  let i = 0;
  let neg = false;
  if (set[0] === '^') {
    neg = true;
    i++;
  }
  let hit = false;
  while (i < set.length) {
    if (i + 2 < set.length && set[i + 1] === '-') {
      if (code >= set.charCodeAt(i) && code <= set.charCodeAt(i + 2)) hit = true;
      i += 3;
    } else {
      if (set.charCodeAt(i) === code) hit = true;
      i++;
    }
  }
  return neg ? !hit : hit;
}
