/**
 * Compiling words for variable expansion.
 *
 * Jam expands a word by finding its first `$(`, copying up to the matching
 * `)` (with `:` `[` `]` turned into magic characters so that values holding
 * those characters cannot be mistaken for modifiers), then expanding the
 * variable-name part and the remainder recursively and forming their
 * product. This module does the text analysis once, at parse time; the
 * interpreter's expand.ts does the rest on every evaluation.
 */
import type { Template, TemplateRef } from './ast.js';

export const MAGIC_COLON = '\x01';
export const MAGIC_LEFT = '\x02';
export const MAGIC_RIGHT = '\x03';

const cache = new Map<string, Template>();

/** Compile `text`; a string result means it holds no `$(`. */
export function compileTemplate(text: string): Template {
  const i = text.indexOf('$(');
  if (i < 0) return text;
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const t = compileRef(text, i);
  if (cache.size > 50_000) cache.clear();
  cache.set(text, t);
  return t;
}

function compileRef(text: string, dollar: number): TemplateRef {
  const prefix = text.slice(0, dollar);
  let depth = 1;
  let j = dollar + 2;
  let inner = '';
  while (j < text.length && depth) {
    let c = text[j++]!;
    switch (c) {
      case '(':
        depth++;
        break;
      case ')':
        depth--;
        break;
      case ':':
        c = MAGIC_COLON;
        break;
      case '[':
        c = MAGIC_LEFT;
        break;
      case ']':
        c = MAGIC_RIGHT;
        break;
    }
    inner += c;
  }
  // Jam backs up over the copied ')' — or over the last character copied
  // when the parenthesis was never closed.
  inner = inner.slice(0, -1);
  const restText = text.slice(j);
  let argIndex = -1;
  if (text.length === 4 && dollar === 0 && text[3] === ')') {
    const c = text[2]!;
    if (c === '<') argIndex = 0;
    else if (c === '>') argIndex = 1;
    else if (c >= '1' && c <= '9') argIndex = c.charCodeAt(0) - 0x31;
  }
  return {
    prefix,
    inner: compileTemplate(inner),
    innerEmpty: inner.length === 0,
    rest: restText.length > 0 ? compileTemplate(restText) : null,
    argIndex,
  };
}
