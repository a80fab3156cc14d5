/**
 * Variable expansion (jam's var_expand and var_string): `$(name)`,
 * subscripts `[n]`, `[n-m]`, `[n-]`, modifiers `:B :S :D :G :M :R :P :U :L
 * :E= :J=` and `:X=value`, products of several references, and the word-by-
 * word expansion of action text. Semantics follow expand.c exactly,
 * including its quirks (a letter without `=value` ends modifier parsing at
 * the next `:`; an unknown letter stops it; `:J` joins across names).
 */
import type { Template, TemplateRef } from '../../grammar/ast.js';
import { compileTemplate, MAGIC_COLON, MAGIC_LEFT, MAGIC_RIGHT } from '../../grammar/template.js';
import { atoi } from '../../grammar/parser.js';
import { buildPath, parsePath, type PathName } from './pathname.js';
import { EMPTY, type List } from './variables.js';

/** Thrown when one expansion would produce more than the configured number of elements. */
export class ExpansionTooLarge extends Error {}
let expansionLimit = Infinity;
/** Bound the size of a single expansion (a guard for untrusted input). */
export function setExpansionLimit(n: number): void {
  expansionLimit = n;
}

/** Reads a variable's value. */
export type VariableLookup = (name: string) => List;

/** Parsed modifiers of one reference (jam's VAR_EDITS). */
interface Edits {
  /** For each path part: undefined keeps it, a string replaces it ('' drops it). */
  grist?: string;
  root?: string;
  dir?: string;
  base?: string;
  suffix?: string;
  member?: string;
  parent: boolean;
  filemods: boolean;
  upshift: boolean;
  downshift: boolean;
  empty: string | null;
  join: string | null;
}

/** A variable name as written inside `$( )`, split into its parts. */
interface Reference {
  readonly name: string;
  readonly argIndex: number; // $(<) $(>) $(1)..$(9): index into the arguments, else -1
  readonly edits: Edits | null;
  readonly hasBracket: boolean;
  readonly sub1: number;
  readonly sub2: number;
}

const PARTS = ['grist', 'root', 'dir', 'base', 'suffix', 'member'] as const;

function parseEdits(mods: string): Edits {
  const e: Edits = {
    parent: false,
    filemods: false,
    upshift: false,
    downshift: false,
    empty: null,
    join: null,
  };
  let zeroed = false;
  let i = 0;
  while (i < mods.length) {
    const c = mods[i++];
    let part: (typeof PARTS)[number] | 'empty' | 'join';
    switch (c) {
      case 'L':
        e.downshift = true;
        continue;
      case 'U':
        e.upshift = true;
        continue;
      case 'P':
        e.parent = e.filemods = true;
        continue;
      case 'E':
        part = 'empty';
        break;
      case 'J':
        part = 'join';
        break;
      case 'G':
        part = 'grist';
        break;
      case 'R':
        part = 'root';
        break;
      case 'D':
        part = 'dir';
        break;
      case 'B':
        part = 'base';
        break;
      case 'S':
        part = 'suffix';
        break;
      case 'M':
        part = 'member';
        break;
      default:
        return e; // jam: "should complain, but so what..."
    }
    if (part !== 'empty' && part !== 'join') {
      e.filemods = true;
      if (mods[i] !== '=') {
        // :X selects part X: on the first such letter every part is dropped.
        if (!zeroed) {
          zeroed = true;
          for (const p of PARTS) e[p] = '';
        }
        e[part] = undefined;
        continue;
      }
    }
    let value: string;
    if (mods[i] !== '=') value = '';
    else {
      const colon = mods.indexOf(MAGIC_COLON, i);
      if (colon >= 0) {
        value = mods.slice(i + 1, colon);
        i = colon + 1;
      } else {
        value = mods.slice(i + 1);
        i = mods.length;
      }
    }
    e[part] = value;
  }
  return e;
}

const refCache = new Map<string, Reference>();

function parseReference(text: string): Reference {
  let r = refCache.get(text);
  if (r !== undefined) return r;
  let name = text;
  let edits: Edits | null = null;
  const colon = name.indexOf(MAGIC_COLON);
  if (colon >= 0) {
    edits = parseEdits(name.slice(colon + 1));
    name = name.slice(0, colon);
  }
  let sub1 = 0;
  let sub2 = -1;
  const bracket = name.indexOf(MAGIC_LEFT);
  const hasBracket = bracket >= 0;
  if (hasBracket) {
    const s = name.slice(bracket + 1);
    const dash = s.indexOf('-');
    sub1 = atoi(dash >= 0 ? s.slice(0, dash) : s) - 1;
    if (dash < 0) sub2 = 1;
    else if (dash === s.length - 1 || s[dash + 1] === MAGIC_RIGHT) sub2 = -1;
    else sub2 = atoi(s.slice(dash + 1)) - sub1;
    name = name.slice(0, bracket);
  }
  let argIndex = -1;
  if (name.length === 1) {
    if (name === '<') argIndex = 0;
    else if (name === '>') argIndex = 1;
    else if (name >= '1' && name <= '9') argIndex = name.charCodeAt(0) - 0x31;
  }
  r = { name, argIndex, edits, hasBracket, sub1, sub2 };
  if (refCache.size > 100_000) refCache.clear();
  refCache.set(text, r);
  return r;
}

export function asciiUpper(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function editFile(value: string, e: Edits): string {
  const f: PathName = parsePath(value);
  for (const p of PARTS) {
    const v = e[p];
    if (v !== undefined) f[p] = v;
  }
  if (e.parent) f.base = f.suffix = f.member = '';
  return buildPath(f);
}

/** Expand a compiled word into a list, appending to `out`. */
export function expandInto(t: Template, args: readonly List[], get: VariableLookup, out: string[]): void {
  if (typeof t === 'string') {
    out.push(t);
    return;
  }
  if (t.argIndex >= 0) {
    const a = args[t.argIndex];
    if (a) for (const v of a) out.push(v);
    return;
  }
  expandRef(t, args, get, out);
}

export function expand(t: Template, args: readonly List[], get: VariableLookup): List {
  if (typeof t === 'string') return [t];
  if (t.argIndex >= 0) return args[t.argIndex] ?? EMPTY;
  const out: string[] = [];
  expandRef(t, args, get, out);
  return out;
}

function expandRef(t: TemplateRef, args: readonly List[], get: VariableLookup, out: string[]): void {
  const names = t.innerEmpty ? EMPTY : expand(t.inner, args, get);
  const remainder = t.rest === null ? null : expand(t.rest, args, get);
  // `acc` is jam's out_buf up to the write position: the prefix, plus
  // anything joined so far with :J.
  let acc = t.prefix;
  for (let vi = 0; vi < names.length; vi++) {
    const ref = parseReference(names[vi]!);
    const value: List = ref.argIndex >= 0 ? (args[ref.argIndex] ?? EMPTY) : get(ref.name);
    const e = ref.edits;
    if (acc === '' && t.prefix === '' && !ref.hasBracket && e === null && remainder === null) {
      for (const v of value) out.push(v);
      continue;
    }
    let i = ref.sub1 > 0 ? ref.sub1 : 0;
    let values = value;
    if (i >= values.length && e !== null && e.empty !== null) {
      values = [e.empty];
      i = 0;
    }
    let sub2 = ref.sub2;
    for (; i < values.length; i++) {
      if (sub2 >= 0 && --sub2 < 0) break;
      let s = values[i]!;
      if (e !== null) {
        if (e.filemods) s = editFile(s, e);
        if (e.upshift) s = asciiUpper(s);
        else if (e.downshift) s = asciiLower(s);
        if (e.join !== null && (i + 1 < values.length || vi + 1 < names.length)) {
          acc += s + e.join;
          continue;
        }
      }
      if (remainder === null) out.push(acc + s);
      else for (const rem of remainder) out.push(acc + s + rem);
      if (out.length > expansionLimit || acc.length > expansionLimit) throw new ExpansionTooLarge();
    }
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Expand action text word by word (jam's var_string): a word holding `$(`
 * becomes its expansion's elements separated by single blanks; blanks and
 * other words are copied as they are. Returns null when the result would
 * not fit in `maxline` (at most maxline - 2 characters).
 */
export function expandActionText(
  text: string,
  args: readonly List[],
  get: VariableLookup,
  maxline: number,
): string | null {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ws = i;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i > ws) out += text.slice(ws, i);
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    if (i > start) {
      const word = text.slice(start, i);
      if (word.indexOf('$(') >= 0) out += expand(compileTemplate(word), args, get).join(' ');
      else out += word;
    }
  }
  return out.length <= maxline - 2 ? out : null;
}
