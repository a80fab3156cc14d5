/**
 * The scanner for Jam source text.
 *
 * Text is handled as a byte string (every char is one byte, as read with the
 * 'latin1' encoding), like jam's own C strings.
 *
 * Jam's scanner splits its input at blanks only: a token is a blank-separated
 * word (double quotes keep blanks, a backslash escapes the next character),
 * a `#` beginning a token comments out the rest of the line, and a word is a
 * keyword only when the whole word equals one. The one exception is the body
 * of an `actions` definition, read as raw text up to the matching `}`; the
 * scanner knows where such bodies start by tracking, token by token, whether
 * it is at the start of a statement, and treats the `{` that ends an
 * `actions` header (begun at a statement start) as the start of a body.
 *
 * This is a hand-written loop rather than a Chevrotain `Lexer`: the language
 * has no token patterns to speak of, and Chevrotain's lexer (regexp per
 * token, a custom matcher called at every blank for the bodies) cost several
 * times this loop on large files. It produces Chevrotain tokens of the types
 * in tokens.ts for the Chevrotain parser, with the same images, offsets,
 * lines and columns the Chevrotain lexer gave (test/grammar/scanner.test.ts
 * compares the two on the conformance corpus and on fuzzed programs).
 */
import { createToken, Lexer, type IToken, type TokenType } from './chevrotain.js';
import { Actions, For, KEYWORDS, LBrace, LBracket, Local, RBrace, RBracket, Rule, Semicolon, Switch, While, Word } from './tokens.js';

/** Per-tokenize state of the statement-start tracker. */
export interface Tracker {
  processed: number;
  stmtStart: boolean;
  pending: 'none' | 'actionsHeader' | 'onArg' | 'onBracket' | 'caseWord' | 'caseColon';
  bracketDepth: number;
  prev: string;
  expectBody: boolean;
  unterminatedBodies: Set<number>;
}
export function newTracker(): Tracker {
  return {
    processed: 0,
    stmtStart: true,
    pending: 'none',
    bracketDepth: 0,
    prev: '',
    expectBody: false,
    unterminatedBodies: new Set(),
  };
}

export function track(t: Tracker, w: string): void {
  switch (t.pending) {
    case 'actionsHeader':
      if (w === '{') {
        t.expectBody = true;
        t.pending = 'none';
        t.stmtStart = false;
      } else if (w === ';' || w === '}') {
        t.pending = 'none';
        t.stmtStart = true;
      }
      t.prev = w;
      return;
    case 'onArg':
      if (w === '[') {
        t.pending = 'onBracket';
        t.bracketDepth = 1;
      } else {
        t.pending = 'none';
        t.stmtStart = true;
      }
      t.prev = w;
      return;
    case 'onBracket':
      if (w === '[') t.bracketDepth++;
      else if (w === ']' && --t.bracketDepth === 0) {
        t.pending = 'none';
        t.stmtStart = true;
      }
      t.prev = w;
      return;
    case 'caseWord':
      t.pending = 'caseColon';
      t.prev = w;
      return;
    case 'caseColon':
      t.pending = 'none';
      t.stmtStart = w === ':';
      t.prev = w;
      return;
    case 'none':
      break;
  }
  if (t.stmtStart && w === 'actions') {
    t.pending = 'actionsHeader';
    t.stmtStart = false;
  } else if (t.stmtStart && w === 'on') {
    t.pending = 'onArg';
    t.stmtStart = false;
  } else if (t.stmtStart && w === 'case') {
    t.pending = 'caseWord';
    t.stmtStart = false;
  } else if (w === ';' || w === '{' || w === '}') {
    t.stmtStart = true;
  } else if (w === 'else' && t.prev === '}') {
    t.stmtStart = true;
  } else {
    t.stmtStart = false;
  }
  t.prev = w;
}

/** The raw text of an `actions` body, between `{` and the matching `}`. */
export const ActionBody = createToken({ name: 'ActionBody', pattern: Lexer.NA, line_breaks: true });

export interface LexResult {
  tokens: IToken[];
  /** Start offsets of action bodies that reached the end of the input. */
  unterminatedBodies: Set<number>;
}

function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Set by wordEnd: the word holds a quote or a backslash (so it may span lines). */
let quotedOrEscaped = false;

/** Bit N of entry C: some keyword of N characters begins with character C. */
const KEYWORD_LENGTHS = new Uint16Array(256);
for (const word of KEYWORDS.keys()) KEYWORD_LENGTHS[word.charCodeAt(0)]! |= 1 << word.length;

/**
 * The end of the word starting at `i`, or `i` if no word starts there (only
 * a `"` whose quoted text ends in a backslash at the end of the input).
 * A word is a run of non-blanks in which a backslash escapes the next
 * character (a lone one at the end of the input stands for itself) and a
 * double quote opens a quoted part that keeps blanks and runs to the next
 * quote or the end of the input.
 */
function wordEnd(text: string, i: number): number {
  const n = text.length;
  quotedOrEscaped = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) break;
    if (c === 0x5c /* \ */) {
      quotedOrEscaped = true;
      i += i + 1 < n ? 2 : 1;
    } else if (c === 0x22 /* " */) {
      quotedOrEscaped = true;
      let j = i + 1;
      for (;;) {
        if (j >= n) break; // runs to the end of the input
        const q = text.charCodeAt(j);
        if (q === 0x22) {
          j++;
          break;
        }
        if (q === 0x5c) {
          if (j + 1 >= n) return i; // no way to close it: the word ends before the quote
          j += 2;
        } else j++;
      }
      i = j;
    } else i++;
  }
  return i;
}

/** Split source text into tokens, with keywords classified. */
export function tokenize(text: string): LexResult {
  return scan(text, 0, 1, Infinity);
}

/** Tokens of a piece of a file (tokenizePiece). */
export interface LexPiece extends LexResult {
  /** Where the piece ends (the next one starts): the end of the text, or just after a line end. */
  readonly end: number;
  /** The line number at `end`. */
  readonly line: number;
}

/** Statements whose closing `}` cannot be followed by more of the same statement. */
const BLOCK_HEADS = new Set<TokenType>([LBrace, Rule, For, While, Switch, Actions]);

/**
 * Tokens of the text from `from` (on line `line`) to the end of the first
 * line, at least `minChunk` characters on, that ends a top-level statement
 * — or to the end of the text. Offsets, lines and columns are the text's.
 *
 * Lexing a multi-megabyte file in one piece keeps millions of token objects
 * alive at once, and the garbage collector then dominates. Jam's grammar
 * allows a cheap split: a `;` outside braces and brackets ends a top-level
 * statement (nothing else can hold one), and so does the `}` closing a
 * top-level `{ }` block, rule, loop, switch or actions (only an `if` block
 * can be continued, by `else`). Each piece parses on its own to the same
 * tree and the same first error. A top-level `local` scopes the rest of its
 * file, so no cut is made after one; nor after characters the scanner had
 * to skip.
 */
export function tokenizePiece(text: string, from: number, line: number, minChunk: number): LexPiece {
  return scan(text, from, line, minChunk);
}

function scan(text: string, from: number, firstLine: number, minChunk: number): LexPiece {
  const t = newTracker();
  const tokens: IToken[] = [];
  const n = text.length;
  let line = firstLine;
  let lineStart = from > 0 ? text.lastIndexOf('\n', from - 1) : -1; // offset of the last newline before `i`
  let i = from;
  // Where a piece may end (see tokenizePiece).
  const chunked = minChunk !== Infinity;
  let depth = 0;
  let bracket = 0;
  let head: TokenType | null = null; // the first token of the current top-level statement
  let candidate = false; // the last token ended a top-level statement
  let noCut = false;

  const push = (image: string, at: number, type: TokenType): void => {
    tokens.push({ image, startOffset: at, startLine: line, startColumn: at - lineStart, tokenTypeIdx: type.tokenTypeIdx!, tokenType: type });
  };
  /** Count the newlines of text[from, to) into line / lineStart. */
  const lines = (from: number, to: number): void => {
    for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k;
    }
  };
  /** Feed the tracker every token read so far. */
  const feed = (): void => {
    while (t.processed < tokens.length) {
      const tok = tokens[t.processed++]!;
      if (tok.tokenType !== ActionBody) track(t, tok.image);
    }
  };
  /**
   * Feed the tracker; if an action body starts at `at`, its end (the
   * matching `}`, or the end of the input), else -1.
   */
  const bodyEnd = (at: number): number => {
    feed();
    if (!t.expectBody) return -1;
    t.expectBody = false;
    let nest = 1;
    let k = at;
    for (; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c === 0x7b /* { */) nest++;
      else if (c === 0x7d /* } */ && --nest === 0) break;
    }
    if (k >= n) t.unterminatedBodies.add(at);
    return k;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) {
      if (candidate && !noCut && i - from >= minChunk) {
        const nl = text.indexOf('\n', i);
        let k = i;
        while (k < nl && isBlank(text.charCodeAt(k))) k++;
        if (k === nl) return { tokens, unterminatedBodies: t.unterminatedBodies, end: nl + 1, line: line + 1 };
      }
      const end = bodyEnd(i);
      if (end >= 0) {
        push(text.slice(i, end), i, ActionBody);
        lines(i, end);
        i = end;
        candidate = false;
        continue;
      }
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x0a) {
          line++;
          lineStart = i;
        } else if (!isBlank(d)) break;
      }
    } else if (c === 0x23 /* # */) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else {
      const end = wordEnd(text, i);
      if (end > i) {
        const quoted = quotedOrEscaped;
        const image = text.slice(i, end);
        const kw = c < 0x100 && end - i <= 9 && (KEYWORD_LENGTHS[c]! >> (end - i)) & 1 ? KEYWORDS.get(image) : undefined;
        const type = kw ?? Word;
        if (chunked) {
          feed();
          if (depth === 0 && bracket === 0 && t.stmtStart && t.pending === 'none') head = type;
          if (type === Local && depth === 0 && t.stmtStart) noCut = true;
          if (type === LBrace) depth++;
          else if (type === RBrace) depth--;
          else if (type === LBracket) bracket++;
          else if (type === RBracket) bracket--;
          candidate = depth === 0 && bracket === 0 && (type === Semicolon || (type === RBrace && head !== null && BLOCK_HEADS.has(head)));
        }
        push(image, i, type);
        // Only a quote or a backslash can take a word across a line.
        if (quoted) lines(i, end);
        i = end;
      } else {
        // Nothing matches here: skip to where something does, as Chevrotain's
        // lexer did. Its check for a resumption point gave a pending action
        // body the first try, which used the body up without reading it.
        noCut = true;
        for (i++; bodyEnd(i) < 0 && i < n; i++) {
          const d = text.charCodeAt(i);
          if (isBlank(d) || d === 0x23 || wordEnd(text, i) > i) break;
        }
      }
    }
  }
  return { tokens, unterminatedBodies: t.unterminatedBodies, end: n, line };
}

/** The value of a word: quotes removed, backslash escapes resolved. */
export function decodeWord(image: string): { value: string; unterminatedQuote: boolean } {
  if (image.indexOf('"') < 0 && image.indexOf('\\') < 0) return { value: image, unterminatedQuote: false };
  let out = '';
  let inquote = false;
  for (let i = 0; i < image.length; i++) {
    const c = image[i]!;
    if (c === '"') inquote = !inquote;
    else if (c === '\\') {
      if (i + 1 < image.length) out += image[++i];
    } else out += c;
  }
  return { value: out, unterminatedQuote: inquote };
}
