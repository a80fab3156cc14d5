/**
 * A fast reader for state files as jux writes them (stateFile.ts): rule
 * invocations whose arguments are plain or quoted words, one statement per
 * line, and comments. That subset is read here without the language front
 * end (Chevrotain's lexer and parser cost far more than the reading on a
 * large installed tree).
 *
 * The reader agrees with the front end on everything it accepts: the same
 * words (quotes and backslash escapes resolved as grammar/lexer.ts
 * decodeWord does), the same lists, the same statement lines. Anything
 * else — a keyword other than `:` and `;` (unquoted), an unterminated
 * quote or statement, a backslash at the end of the text — makes it
 * return null, and the caller reads the text with the front end, which
 * reports exactly where a corrupt or truncated file goes wrong.
 */
import { JAM_KEYWORDS } from './keywords.js';

/** One statement of a state file: a rule invoked with lists of words. */
export interface StateInvocation {
  readonly rule: string;
  readonly args: string[][];
  /** Line of the rule name (1-based). */
  readonly line: number;
}

// Character codes.
const NL = 10;
const QUOTE = 34;
const HASH = 35;
const BACKSLASH = 92;
const COLON = 58;
const SEMICOLON = 59;

/** Jam's blanks: space, \t, \n, \v, \f, \r. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** A word's value: quotes removed, backslash escapes resolved (as decodeWord). */
function decode(src: Buffer, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c === QUOTE) continue;
    if (c === BACKSLASH) {
      if (i + 1 < end) out += String.fromCharCode(src[++i]!);
    } else out += String.fromCharCode(c);
  }
  return out;
}

/**
 * The statements of the file content `src[start, end)` (read as latin1,
 * like every file the engine reads), or null when it is outside
 * the subset this reader knows. Every word is a string of its own (not a
 * slice of the file's text, which would keep the whole text alive).
 */
export function readStateRecords(src: Buffer, start = 0, end = src.length): StateInvocation[] | null {
  const out: StateInvocation[] = [];
  const n = end;
  let line = 1;
  let i = start;
  /** The statement being read (null between statements). */
  let args: string[][] | null = null;
  let rule = '';
  let ruleLine = 0;
  while (i < n) {
    let c = src[i]!;
    if (isBlank(c)) {
      if (c === NL) line++;
      i++;
      continue;
    }
    if (c === HASH) {
      // A comment, where a word would begin: to the end of the line.
      while (i < n && src[i] !== NL) i++;
      continue;
    }
    // A word: up to the next blank outside quotes.
    const from = i;
    const startLine = line;
    let plain = true;
    while (i < n) {
      c = src[i]!;
      if (isBlank(c)) break;
      if (c === BACKSLASH) {
        if (i + 1 >= n) return null;
        plain = false;
        if (src[i + 1] === NL) line++;
        i += 2;
      } else if (c === QUOTE) {
        plain = false;
        i++;
        for (;;) {
          if (i >= n) return null; // unterminated quote
          const q = src[i]!;
          if (q === QUOTE) {
            i++;
            break;
          }
          if (q === BACKSLASH) {
            if (i + 1 >= n) return null;
            if (src[i + 1] === NL) line++;
            i += 2;
          } else {
            if (q === NL) line++;
            i++;
          }
        }
      } else i++;
    }
    if (plain && i - from === 1 && (src[from] === COLON || src[from] === SEMICOLON)) {
      if (args === null) return null; // a statement cannot begin with a keyword here
      if (src[from] === COLON) args.push([]);
      else {
        out.push({ rule, args, line: ruleLine });
        args = null;
      }
      continue;
    }
    const value = plain ? src.toString('latin1', from, i) : decode(src, from, i);
    if (plain && i - from <= 9 && JAM_KEYWORDS.has(value)) return null; // any other keyword: not a plain invocation
    if (args === null) {
      rule = value;
      ruleLine = startLine;
      args = [[]];
    } else args[args.length - 1]!.push(value);
  }
  return args === null ? out : null; // a statement without its `;`: truncated
}
