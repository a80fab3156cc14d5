/**
 * Splitting a large source file into runs of whole top-level statements.
 *
 * Lexing a multi-megabyte file in one piece keeps millions of token objects
 * alive at once, and the garbage collector then dominates. Jam's grammar
 * allows a cheap split: a `;` outside braces and brackets ends a top-level
 * statement (nothing else can hold one), and so does the `}` closing a
 * top-level `{ }` block, rule, loop, switch or actions (only an `if` block
 * can be continued, by `else`). The text is cut at the line end after such a
 * token and each piece lexed and parsed on its own, giving the same tree and
 * the same first error. A top-level `local` scopes the rest of its file, so
 * no cut is made after one.
 */
import { newTracker, track } from './lexer.js';

/** Statements whose closing `}` cannot be followed by more of the same statement. */
const BLOCK_HEADS = new Set(['{', 'rule', 'for', 'while', 'switch', 'actions']);

const SCAN = /[ \t\n\v\f\r]+|#[^\n]*|(?:[^ \t\n\v\f\r"\\]|\\[^]|\\(?![^])|"(?:[^"\\]|\\[^])*(?:"|(?![^])))+/y;

/** Offsets (from `from`) where pieces of at least `minChunk` characters end; the last is text.length. */
export function chunkEnds(text: string, from: number, minChunk: number): number[] {
  const ends: number[] = [];
  if (text.length - from <= minChunk) return [text.length];
  const t = newTracker();
  let depth = 0;
  let bracket = 0;
  let sawLocal = false;
  let candidate = false; // the last token ended a top-level statement
  let head = ''; // the first word of the current top-level statement
  let chunkStart = from;
  SCAN.lastIndex = from;
  while (SCAN.lastIndex < text.length) {
    const at = SCAN.lastIndex;
    if (!SCAN.test(text)) break;
    const stop = SCAN.lastIndex;
    const c = text.charCodeAt(at);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      if (candidate && !sawLocal && at - chunkStart >= minChunk) {
        const nl = text.indexOf('\n', at);
        if (nl >= 0 && nl < stop) {
          const end = nl + 1;
          ends.push(end);
          chunkStart = end;
        }
      }
      if (t.expectBody) {
        // Skip the action body up to its matching brace, as the lexer does.
        t.expectBody = false;
        let nest = 1;
        let i = at;
        for (; i < text.length; i++) {
          const ch = text.charCodeAt(i);
          if (ch === 0x7b) nest++;
          else if (ch === 0x7d && --nest === 0) break;
        }
        SCAN.lastIndex = i;
        candidate = false;
      }
      continue;
    }
    if (c === 0x23 /* # */) continue;
    // Only short words can be keywords or punctuation.
    const w = stop - at <= 9 ? text.slice(at, stop) : '';
    if (depth === 0 && bracket === 0 && t.stmtStart && t.pending === 'none') head = w;
    if (w === 'local' && depth === 0 && t.stmtStart) sawLocal = true;
    if (w === '{') depth++;
    else if (w === '}') depth--;
    else if (w === '[') bracket++;
    else if (w === ']') bracket--;
    candidate =
      depth === 0 &&
      bracket === 0 &&
      (w === ';' || (w === '}' && BLOCK_HEADS.has(head)));
    track(t, w);
  }
  ends.push(text.length);
  return ends;
}
