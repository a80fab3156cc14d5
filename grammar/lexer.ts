/**
 * The Chevrotain lexer for Jam source text.
 *
 * Text is handled as a byte string (every char is one byte, as read with the
 * 'latin1' encoding), like jam's own C strings.
 *
 * Jam scans an `actions` body as raw text up to the matching `}`. The lexer
 * has to know where such bodies start, so it tracks, token by token, whether
 * it is at the start of a statement, and treats the `{` that ends an
 * `actions` header (begun at a statement start) as the start of a body.
 */
import { createToken, Lexer, type IToken } from './chevrotain.js';
import { Comment, KEYWORDS, WHITESPACE, WhiteSpace, Word } from './tokens.js';

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

let tracker: Tracker = newTracker();

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

/**
 * Custom matcher for action bodies. Chevrotain calls it at every blank
 * (every token is followed by one), which also lets it feed the tracker.
 */
function matchActionBody(text: string, offset: number, matched: IToken[]): [string] | null {
  const t = tracker;
  while (t.processed < matched.length) {
    const tok = matched[t.processed++]!;
    if (tok.tokenType === Word) track(t, tok.image);
  }
  if (!t.expectBody) return null;
  t.expectBody = false;
  let nest = 1;
  let i = offset;
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) nest++;
    else if (c === 0x7d /* } */ && --nest === 0) break;
  }
  if (i >= n) t.unterminatedBodies.add(offset);
  return [text.slice(offset, i)];
}

/** The raw text of an `actions` body, between `{` and the matching `}`. */
export const ActionBody = createToken({
  name: 'ActionBody',
  pattern: { exec: matchActionBody },
  line_breaks: true,
  start_chars_hint: WHITESPACE,
});

let lexerInstance: Lexer | undefined;
function lexer(): Lexer {
  lexerInstance ??= new Lexer([ActionBody, WhiteSpace, Comment, Word], {
    positionTracking: 'onlyStart',
    lineTerminatorsPattern: /\n/g,
    lineTerminatorCharacters: ['\n'],
    ensureOptimizations: true,
  });
  return lexerInstance;
}

export interface LexResult {
  tokens: IToken[];
  /** Start offsets of action bodies that reached the end of the input. */
  unterminatedBodies: Set<number>;
}

/** Split source text into tokens, with keywords classified. */
export function tokenize(text: string): LexResult {
  tracker = newTracker();
  const result = lexer().tokenize(text);
  const tokens = result.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.tokenType === Word && tok.image.length <= 9) {
      const kw = KEYWORDS.get(tok.image);
      if (kw !== undefined) {
        tok.tokenType = kw;
        tok.tokenTypeIdx = kw.tokenTypeIdx!;
      }
    }
  }
  return { tokens, unterminatedBodies: tracker.unterminatedBodies };
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
