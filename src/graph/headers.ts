/**
 * Header scanning (jam's headers.c): when a bound target has HDRSCAN and
 * HDRRULE, each line of its file (as fgets reads it: with its newline, at
 * most 1023 characters) is matched against the HDRSCAN regexps, and HDRRULE
 * is invoked with the target and the first () group of every match.
 */
import { compileRegexp, RegexpError, type JamRegexp } from '../interpreter/regexp.js';
import type { List } from '../interpreter/variables.js';

const MAXINC = 10;
const FGETS_MAX = 1023;

/** Split text the way successive fgets(buf, 1024) calls would. */
export function fgetsLines(text: string): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? text.length : nl + 1;
    const stop = Math.min(end, i + FGETS_MAX);
    lines.push(text.slice(i, stop));
    i = stop;
  }
  return lines;
}

export interface HeaderScanResult {
  readonly headers: string[];
  readonly errors: string[];
}

/** The names HDRSCAN finds in `text` (empty when nothing matches). */
export function scanHeaders(text: string, hdrscan: List): HeaderScanResult {
  const res: (JamRegexp | null)[] = [];
  const errors: string[] = [];
  for (const p of hdrscan.slice(0, MAXINC)) {
    try {
      res.push(compileRegexp(p));
    } catch (e) {
      if (!(e instanceof RegexpError)) throw e;
      errors.push(e.message);
      res.push(null);
    }
  }
  const headers: string[] = [];
  for (const line of fgetsLines(text)) {
    for (const re of res) {
      if (re === null) {
        errors.push('NULL parameter');
        continue;
      }
      const m = re.re.exec(line);
      if (m !== null && m[1] !== undefined) headers.push(m[1]);
    }
  }
  return { headers, errors };
}
