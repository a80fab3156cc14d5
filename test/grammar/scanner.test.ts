/**
 * The hand-written scanner (grammar/lexer.ts) against the Chevrotain lexer
 * it replaced, kept here as the reference: on every program of the
 * conformance corpus, on thousands of mutations of it, and on random strings
 * dense in the characters that matter (quotes, backslashes, braces, blanks,
 * comments, `actions`), both must give the same tokens — type, image,
 * offset, line and column — and the same unterminated action bodies.
 */
import { describe, expect, it } from 'vitest';
import { createToken, Lexer, type IToken } from '../../grammar/chevrotain.js';
import { ActionBody, newTracker, tokenize, tokenizePiece, track, type Tracker } from '../../grammar/lexer.js';
import { jamParser } from '../../grammar/parser.js';
import { KEYWORDS } from '../../grammar/tokens.js';
import { seededRandom } from '../../src/util/random.js';
import { corpusFiles, mutate } from '../helpers/jamFuzz.js';

// ---- the reference: the Chevrotain lexer as it was ----

const BLANKS = [' ', '\t', '\n', '\v', '\f', '\r'];

function sticky(re: RegExp): { exec(text: string, offset: number): [string] | null } {
  const y = new RegExp(re.source, 'y');
  return {
    exec(text: string, offset: number): [string] | null {
      y.lastIndex = offset;
      return y.test(text) ? [text.substring(offset, y.lastIndex)] : null;
    },
  };
}

let tracker: Tracker = newTracker();

function matchActionBody(text: string, offset: number, matched: IToken[]): [string] | null {
  const t = tracker;
  while (t.processed < matched.length) {
    const tok = matched[t.processed++]!;
    if (tok.tokenType === RefWord) track(t, tok.image);
  }
  if (!t.expectBody) return null;
  t.expectBody = false;
  let nest = 1;
  let i = offset;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) nest++;
    else if (c === 0x7d && --nest === 0) break;
  }
  if (i >= text.length) t.unterminatedBodies.add(offset);
  return [text.slice(offset, i)];
}

const RefBody = createToken({
  name: 'ActionBody',
  pattern: { exec: matchActionBody },
  line_breaks: true,
  start_chars_hint: BLANKS,
});
const RefBlank = createToken({
  name: 'Blank',
  pattern: sticky(/[ \t\n\v\f\r]+/),
  group: Lexer.SKIPPED,
  line_breaks: true,
  start_chars_hint: BLANKS,
});
const RefComment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });
const RefWord = createToken({
  name: 'Word',
  pattern: sticky(/(?:[^ \t\n\v\f\r"\\]|\\[^]|\\(?![^])|"(?:[^"\\]|\\[^])*(?:"|(?![^])))+/),
  line_breaks: true,
  start_chars_hint: Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).filter(
    (c) => !BLANKS.includes(c) && c !== '#',
  ),
});
const reference = new Lexer([RefBody, RefBlank, RefComment, RefWord], {
  positionTracking: 'onlyStart',
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ['\n'],
  ensureOptimizations: true,
});

function referenceTokens(text: string): { tokens: string[]; bodies: number[] } {
  tracker = newTracker();
  const tokens = reference.tokenize(text).tokens.map((t) => {
    const type = t.tokenType === RefWord ? (t.image.length <= 9 ? KEYWORDS.get(t.image)?.name : undefined) ?? 'Word' : t.tokenType.name;
    return show(type, t);
  });
  return { tokens, bodies: [...tracker.unterminatedBodies].sort((a, b) => a - b) };
}

function show(type: string, t: IToken): string {
  return `${type} ${t.startOffset} ${t.startLine}:${t.startColumn} ${JSON.stringify(t.image)}`;
}

function scannerTokens(text: string): { tokens: string[]; bodies: number[] } {
  const r = tokenize(text);
  return {
    tokens: r.tokens.map((t) => show(t.tokenType.name, t)),
    bodies: [...r.unterminatedBodies].sort((a, b) => a - b),
  };
}

function same(text: string): void {
  const want = referenceTokens(text);
  const got = scannerTokens(text);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    // Show the input and the first difference.
    expect({ input: text, ...got }).toEqual({ input: text, ...want });
  }
}

describe('scanner', () => {
  it('reads the edge cases as the Chevrotain lexer did', () => {
    for (const text of [
      '',
      'Echo a ;',
      'actions A { echo $(<) }\nEcho ;',
      'actions A {',
      'actions A { ',
      'actions A { echo { nested }',
      '"abc\\',
      'ab"cd\\',
      'x "a\\',
      'actions x {"\\',
      'actions x { "a\\',
      'Echo "\\',
      '"" "\\ "" "',
      'a\\\nb # c\n#d\n "q\nq" e',
      'on x [ actions ] ; actions y { z }',
      'case a : actions b { c }',
      '}else actions { x }',
      '\\',
      '#',
      '"',
    ]) {
      same(text);
    }
  });

  it('reads the conformance corpus as the Chevrotain lexer did', () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(80);
    for (const text of files) same(text);
  });

  it('reads 3,000 mutated programs as the Chevrotain lexer did', () => {
    const files = corpusFiles();
    const r = seededRandom(20261122);
    for (let i = 0; i < 3000; i++) same(mutate(files, r));
  });

  it('reads 20,000 random strings of the characters that matter as the Chevrotain lexer did', () => {
    const pieces = ['"', '\\', '{', '}', ' ', '\n', '\t', '#', 'a', ';', 'actions', 'on', 'case', ':', '[', ']', 'else', 'x'];
    const r = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const n = Math.floor(r() * 24);
      for (let k = 0; k < n; k++) text += pieces[Math.floor(r() * pieces.length)];
      same(text);
    }
  });

  it('gives action bodies their own token type', () => {
    const toks = tokenize('actions A { x }').tokens;
    expect(toks.map((t) => t.tokenType)).toContain(ActionBody);
  });
});

// ---- pieces: large files are scanned and parsed a piece at a time ----

/** The whole text's parse: its statements, or the position of its first error. */
function parseWhole(text: string): string {
  const p = jamParser();
  p.input = tokenize(text).tokens;
  p.fileName = 'f';
  p.recover = false;
  const body = p.program();
  const e = p.errors[0];
  p.input = [];
  return e ? `error at ${e.token.startOffset}` : JSON.stringify(body);
}

/** The same, a piece at a time, as the interpreter reads a large file (reading on past an error, for the tokens). */
function parsePieces(text: string, minChunk: number): { result: string; pieces: number; tokens: string[] } {
  const p = jamParser();
  const all: unknown[] = [];
  const tokens: string[] = [];
  let start = 0;
  let line = 1;
  let pieces = 0;
  let result: string | null = null; // the first error, if any
  for (;;) {
    const lex = tokenizePiece(text, start, line, minChunk);
    pieces++;
    for (const t of lex.tokens) tokens.push(show(t.tokenType.name, t));
    p.input = lex.tokens;
    p.fileName = 'f';
    p.recover = false;
    const body = p.program();
    const e = p.errors[0];
    p.input = [];
    if (e && result === null) result = `error at ${e.token.startOffset}`;
    all.push(...(body ?? []));
    expect(lex.line).toBe(1 + (text.slice(0, lex.end).match(/\n/g)?.length ?? 0));
    start = lex.end;
    line = lex.line;
    if (start >= text.length) break;
  }
  return { result: result ?? JSON.stringify(all), pieces, tokens };
}

describe('pieces of a large file', () => {
  it('parse to the same statements as the whole, on the corpus joined into one file', () => {
    const files = corpusFiles().filter((f) => !parseWhole(f).startsWith('error'));
    const text = files.join('\n');
    const whole = parseWhole(text);
    const pieces = parsePieces(text, 64);
    expect(pieces.pieces).toBeGreaterThan(100);
    expect(pieces.result).toBe(whole);
    expect(pieces.tokens).toEqual(scannerTokens(text).tokens);
  });

  it('give the same tokens and the same first error as the whole, on 2,000 mutated files', () => {
    const files = corpusFiles();
    const r = seededRandom(11);
    let cut = 0;
    for (let i = 0; i < 2000; i++) {
      let text = mutate(files, r);
      for (let k = 0; k < 3; k++) text += '\n' + mutate(files, r);
      const got = parsePieces(text, 1 + Math.floor(r() * 200));
      if (got.pieces > 1) cut++;
      const whole = parseWhole(text);
      if (got.result !== whole || JSON.stringify(got.tokens) !== JSON.stringify(scannerTokens(text).tokens)) {
        expect({ input: text, result: got.result }).toEqual({ input: text, result: whole });
        expect(got.tokens).toEqual(scannerTokens(text).tokens);
      }
    }
    expect(cut).toBeGreaterThan(1000);
  });

  it('are cut only after a top-level statement, never after a top-level local', () => {
    const text = 'rule R { Echo a ; }\nR ;\nif x { Echo b ; }\nelse { Echo c ; }\nlocal L = 1 ;\nEcho $(L) ;\nEcho d ;\n';
    const ends: number[] = [];
    for (let start = 0, line = 1; start < text.length; ) {
      const lex = tokenizePiece(text, start, line, 1);
      ends.push(lex.end);
      start = lex.end;
      line = lex.line;
    }
    // After `rule R { ... }`, `R ;` and the whole if/else; nothing after `local`.
    expect(ends.map((e) => text.slice(0, e).split('\n').length - 1)).toEqual([1, 2, 4, 7]);
  });
});
