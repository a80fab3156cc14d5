/**
 * Pointing at the word a finding is about. The engine records where a
 * statement starts (literal words carry no position, which keeps large
 * trees small); when a finding is about one word of that statement (a
 * dependency, a checksum, a source file name) `jux check` reads the
 * statement again with the real lexer and moves the position to that word.
 * This runs only for findings, never while loading a tree.
 */
import fs from 'node:fs';
import { decodeWord, tokenize } from '../../grammar/lexer.js';
import { Colon, isKeywordType, LBrace, LBracket, RBracket, Semicolon, Word } from '../../grammar/tokens.js';
import type { SourcePos } from '../events.js';
import { fsPath } from '../graph/disk.js';
import type { Diagnostic } from '../graph/spellTree.js';

/** Statements are short; never look further than this past the statement's start. */
const MAX_STATEMENT = 64 * 1024;

export class WordLocator {
  private readonly texts = new Map<string, string | null>();

  /**
   * The position of `word` in the statement starting at `at`: in argument
   * `arg` (0 = the first `:`-separated list after the rule name) when given
   * and found there, else anywhere in the statement; `at` itself when the
   * word is not written literally (it came from a variable, say).
   */
  locate(at: SourcePos, word: string, arg?: number): SourcePos {
    const text = this.text(at.file);
    if (text === null || at.line < 1 || at.col < 1) return at;
    const start = offsetOf(text, at.line, at.col);
    if (start < 0) return at;
    const { tokens } = tokenize(text.slice(start, start + MAX_STATEMENT));
    let argIndex = -1; // the rule name itself
    let depth = 0;
    let first: SourcePos | null = null;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const type = t.tokenType;
      if (depth === 0 && (type === Semicolon || type === LBrace)) break;
      if (type === LBracket) depth++;
      else if (type === RBracket) depth = Math.max(0, depth - 1);
      else if (depth === 0 && type === Colon) argIndex++;
      else if (i === 0) argIndex = 0;
      else if (depth === 0 && (type === Word || isKeywordType(type)) && decodeWord(t.image).value === word) {
        const line = t.startLine ?? 1;
        const pos: SourcePos = {
          file: at.file,
          line: at.line + line - 1,
          col: line === 1 ? at.col + (t.startColumn ?? 1) - 1 : (t.startColumn ?? 1),
        };
        if (arg === undefined || argIndex === arg) return pos;
        first ??= pos;
      }
    }
    return first ?? at;
  }

  private text(file: string): string | null {
    let t = this.texts.get(file);
    if (t === undefined) {
      try {
        // Byte strings, as the engine reads spells: columns count bytes.
        t = fs.readFileSync(fsPath(file)).toString('latin1');
      } catch {
        t = null;
      }
      this.texts.set(file, t);
    }
    return t;
  }
}

/** The offset of a 1-based line and column, or -1. */
function offsetOf(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return -1;
    off = nl + 1;
  }
  const o = off + col - 1;
  return o <= text.length ? o : -1;
}

/**
 * Findings about one word of a statement moved to that word (see
 * WordLocator), the same in every command that prints them (jux check,
 * and plan or build refusing a tree). The located ones lose `word`: their
 * position is the word's now.
 */
export function pointAtWords(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const locator = new WordLocator();
  return diagnostics.map((d) => {
    if (!d.word || !d.at) return d;
    const { word, ...rest } = d;
    return { ...rest, at: locator.locate(d.at, word.text, word.arg) };
  });
}

/** Findings in the order of the files (as byte strings) and positions in them; those without a place first. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  const fa = a.at?.file ?? '';
  const fb = b.at?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0);
}
