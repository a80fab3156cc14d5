/**
 * A reader for the subset of bash that Source Mage spell files are written
 * in (DETAILS, DEPENDS, TRIGGERS, CONFIGURE, ... and the grimoire-level
 * files they source). It turns text into a syntax tree; nothing here ever
 * runs a command: evaluate.ts walks the tree as data.
 *
 * Covered: words with '...', "...", $'...', \ escapes and line
 * continuations; $NAME, ${...} parameter expansions, $(...), `...` and
 * $((...)) (kept as text); assignments (NAME=, NAME[i]=, NAME+=, NAME=(...));
 * simple commands with redirections and here-documents (<<, <<-, <<<);
 * pipelines, !, && and ||, ; & and newlines; if/elif/else, case (;; ;& ;;&),
 * for, while/until, { }, ( ), [[ ]], (( )) and function definitions.
 */

export class BashSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

/** A piece of a word. `quoted` parts are neither split nor pattern-matched. */
export type WordPart =
  | { readonly k: 'lit'; readonly s: string; readonly quoted: boolean }
  | { readonly k: 'param'; readonly p: ParamExp; readonly quoted: boolean }
  | { readonly k: 'cmdsub'; readonly text: string; readonly quoted: boolean }
  | { readonly k: 'arith'; readonly text: string; readonly quoted: boolean };

export interface Word {
  readonly parts: readonly WordPart[];
  /** The source text of the word. */
  readonly text: string;
}

export type ParamOp =
  | '' // $NAME, ${NAME}
  | 'length' // ${#NAME}
  | 'indirect' // ${!NAME}
  | ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?'
  | '#' | '##' | '%' | '%%'
  | '/' | '//' | '/#' | '/%'
  | '^' | '^^' | ',' | ',,'
  | 'substr'; // ${NAME:offset[:length]}

export interface ParamExp {
  readonly name: string;
  /** ${NAME[INDEX]}: the index as written (may hold expansions). */
  readonly index: Word | null;
  readonly op: ParamOp;
  /** The operand (pattern, default value, offset). */
  readonly arg: Word | null;
  /** The replacement of / and //, the length of substr. */
  readonly arg2: Word | null;
  readonly text: string;
}

export interface Assignment {
  readonly name: string;
  readonly index: Word | null;
  readonly append: boolean;
  /** A scalar value, or the elements of NAME=(...). */
  readonly value: Word | null;
  readonly array: readonly Word[] | null;
  readonly text: string;
}

export interface Redirect {
  readonly op: string;
  readonly target: Word | null;
  /** The body of a here-document, and whether its delimiter was quoted. */
  readonly heredoc: string | null;
  readonly heredocQuoted: boolean;
}

/** Where a node comes from: 1-based line, and the source text. */
export interface Src {
  readonly line: number;
  readonly text: string;
}

export type Node =
  | { readonly t: 'simple'; readonly assigns: readonly Assignment[]; readonly words: readonly Word[]; readonly redirs: readonly Redirect[]; readonly src: Src }
  | { readonly t: 'and' | 'or'; readonly left: Node; readonly right: Node; readonly src: Src }
  | { readonly t: 'not'; readonly body: Node; readonly src: Src }
  | { readonly t: 'pipe'; readonly cmds: readonly Node[]; readonly src: Src }
  | { readonly t: 'list'; readonly items: readonly Node[]; readonly src: Src }
  | { readonly t: 'if'; readonly clauses: readonly { readonly cond: Node; readonly body: Node }[]; readonly otherwise: Node | null; readonly src: Src }
  | { readonly t: 'case'; readonly word: Word; readonly items: readonly CaseItem[]; readonly src: Src }
  | { readonly t: 'for'; readonly name: string; readonly words: readonly Word[] | null; readonly body: Node; readonly src: Src }
  | { readonly t: 'loop'; readonly until: boolean; readonly cond: Node; readonly body: Node; readonly src: Src }
  | { readonly t: 'group' | 'subshell'; readonly body: Node; readonly redirs: readonly Redirect[]; readonly src: Src }
  | { readonly t: 'func'; readonly name: string; readonly body: Node; readonly src: Src }
  | { readonly t: 'test'; readonly tokens: readonly TestToken[]; readonly src: Src }
  | { readonly t: 'arith'; readonly text: string; readonly src: Src };

export interface CaseItem {
  readonly patterns: readonly Word[];
  readonly body: Node;
  readonly term: ';;' | ';&' | ';;&';
}

/** A token inside [[ ]]: a word, or an operator (&&, ||, (, ), !, <, >). */
export type TestToken = { readonly k: 'word'; readonly w: Word } | { readonly k: 'op'; readonly op: string };

type Token =
  | { readonly k: 'word'; readonly w: Word; readonly pos: number; readonly line: number }
  | { readonly k: 'op'; readonly op: string; readonly pos: number; readonly line: number }
  | { readonly k: 'eof'; readonly pos: number; readonly line: number };

const OPERATORS = [';;&', '<<<', '<<-', '&&', '||', ';;', ';&', '<<', '>>', '<&', '>&', '&>', '<>', '>|', '|&', ';', '&', '|', '(', ')', '<', '>', '\n'];
const REDIRECT_OPS = new Set(['<', '>', '>>', '<<', '<<-', '<<<', '<&', '>&', '&>', '<>', '>|']);
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done', 'in', 'function', '{', '}', '!', '[[', ']]']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGN_RE = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

/** Parse a whole file. */
export function parseBash(text: string): Node {
  return new Parser(text).parseProgram();
}

/** The literal text of a word when it has no expansions (else null). */
export function literalOf(w: Word): string | null {
  let s = '';
  for (const p of w.parts) {
    if (p.k !== 'lit') return null;
    s += p.s;
  }
  return s;
}

function unquotedLiteral(w: Word): string | null {
  let s = '';
  for (const p of w.parts) {
    if (p.k !== 'lit' || p.quoted) return null;
    s += p.s;
  }
  return s;
}

class Parser {
  private pos = 0;
  private line = 1;
  private peeked: Token | null = null;
  /** Here-documents whose bodies start after the next newline. */
  private pendingHeredocs: { delim: string; strip: boolean; quoted: boolean; fill: (body: string) => void }[] = [];

  constructor(private readonly src: string) {}

  fail(message: string): never {
    throw new BashSyntaxError(message, this.line);
  }

  parseProgram(): Node {
    const list = this.parseList(new Set());
    const t = this.peek();
    if (t.k !== 'eof') this.fail(`unexpected ${t.k === 'op' ? JSON.stringify(t.op) : JSON.stringify(t.w.text)}`);
    return list;
  }

  // ---- tokens ----

  private peek(): Token {
    if (this.peeked === null) this.peeked = this.lex();
    return this.peeked;
  }

  private next(): Token {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  private isOp(t: Token, op: string): boolean {
    return t.k === 'op' && t.op === op;
  }

  /** An unquoted literal word in command position that is a reserved word. */
  private isReserved(t: Token, word?: string): boolean {
    if (t.k !== 'word') return false;
    const lit = unquotedLiteral(t.w);
    return lit !== null && RESERVED.has(lit) && (word === undefined || lit === word);
  }

  private skipNewlines(): void {
    while (this.isOp(this.peek(), '\n')) this.next();
  }

  private expectWord(word: string): void {
    this.skipNewlines();
    const t = this.next();
    if (!this.isReserved(t, word)) this.fail(`expected ${word}`);
  }

  private lex(): Token {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '\\' && s[this.pos + 1] === '\n') {
        this.pos += 2;
        this.line++;
        continue;
      }
      if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    const line = this.line;
    if (this.pos >= s.length) return { k: 'eof', pos: start, line };
    if ((s[this.pos] === '<' || s[this.pos] === '>') && s[this.pos + 1] === '(') {
      // <(...) and >(...): process substitution, kept as text
      this.pos++;
      this.skipParens();
      const text = s.slice(start, this.pos);
      return { k: 'word', w: { parts: [{ k: 'cmdsub', text, quoted: false }], text }, pos: start, line };
    }
    for (const op of OPERATORS) {
      if (s.startsWith(op, this.pos)) {
        this.pos += op.length;
        if (op === '\n') {
          this.line++;
          this.readHeredocBodies();
        }
        return { k: 'op', op, pos: start, line };
      }
    }
    const w = this.readWord(new Set());
    return { k: 'word', w, pos: start, line };
  }

  private readHeredocBodies(): void {
    const pending = this.pendingHeredocs;
    this.pendingHeredocs = [];
    for (const h of pending) {
      const lines: string[] = [];
      for (;;) {
        if (this.pos >= this.src.length) break;
        let end = this.src.indexOf('\n', this.pos);
        if (end < 0) end = this.src.length;
        let l = this.src.slice(this.pos, end);
        this.pos = Math.min(end + 1, this.src.length);
        this.line++;
        if (h.strip) l = l.replace(/^\t+/, '');
        if (l.replace(/\r$/, '') === h.delim) break;
        lines.push(l);
      }
      h.fill(lines.length ? lines.join('\n') + '\n' : '');
    }
  }

  /**
   * Read one word up to an unquoted metacharacter (or one of `stops`, used
   * inside ${...}). Keeps the parts apart so that expansion can tell
   * quoted text from unquoted text.
   */
  private readWord(stops: ReadonlySet<string>, inParam = false): Word {
    const s = this.src;
    const start = this.pos;
    const parts: WordPart[] = [];
    let lit = '';
    const flush = (): void => {
      if (lit !== '') parts.push({ k: 'lit', s: lit, quoted: false });
      lit = '';
    };
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (stops.has(c)) break;
      if (!inParam && (c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '&' || c === '|' || c === '<' || c === '>' || c === '(' || c === ')' || c === '\r')) {
        // NAME=( starts an array literal: handled by the caller.
        break;
      }
      if (inParam && c === '\n') this.line++;
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
        flush();
        if (n !== undefined) parts.push({ k: 'lit', s: n, quoted: true });
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        flush();
        const end = s.indexOf("'", this.pos + 1);
        if (end < 0) this.fail('unterminated single quote');
        const body = s.slice(this.pos + 1, end);
        this.line += countNewlines(body);
        parts.push({ k: 'lit', s: body, quoted: true });
        this.pos = end + 1;
        continue;
      }
      if (c === '"') {
        flush();
        this.pos++;
        parts.push(...this.readDoubleQuoted());
        continue;
      }
      if (c === '$') {
        const n = s[this.pos + 1];
        if (n === "'") {
          flush();
          this.pos += 2;
          parts.push({ k: 'lit', s: this.readAnsiC(), quoted: true });
          continue;
        }
        const part = this.readDollar(false);
        if (part) {
          flush();
          parts.push(part);
          continue;
        }
        lit += '$';
        this.pos++;
        continue;
      }
      if (c === '`') {
        flush();
        parts.push({ k: 'cmdsub', text: this.readBackquote(), quoted: false });
        continue;
      }
      lit += c;
      this.pos++;
    }
    flush();
    return { parts, text: s.slice(start, this.pos) };
  }

  private readDoubleQuoted(): WordPart[] {
    const s = this.src;
    const startLine = this.line;
    const parts: WordPart[] = [];
    let lit = '';
    const flush = (): void => {
      // An empty "" still makes a (quoted, empty) word.
      parts.push({ k: 'lit', s: lit, quoted: true });
      lit = '';
    };
    for (;;) {
      if (this.pos >= s.length) throw new BashSyntaxError('unterminated double quote', startLine);
      const c = s[this.pos]!;
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
        if (n === '$' || n === '`' || n === '"' || n === '\\') {
          lit += n;
          this.pos += 2;
          continue;
        }
        lit += c;
        this.pos++;
        continue;
      }
      if (c === '$') {
        const part = this.readDollar(true);
        if (part) {
          if (lit !== '') flush();
          parts.push(part);
          continue;
        }
        lit += '$';
        this.pos++;
        continue;
      }
      if (c === '`') {
        if (lit !== '') flush();
        parts.push({ k: 'cmdsub', text: this.readBackquote(), quoted: true });
        continue;
      }
      if (c === '\n') this.line++;
      lit += c;
      this.pos++;
    }
    if (lit !== '' || parts.length === 0) flush();
    return parts;
  }

  private readAnsiC(): string {
    const s = this.src;
    let out = '';
    const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    for (;;) {
      if (this.pos >= s.length) this.fail("unterminated $'");
      const c = s[this.pos]!;
      if (c === "'") {
        this.pos++;
        return out;
      }
      if (c === '\\' && this.pos + 1 < s.length) {
        const n = s[this.pos + 1]!;
        out += esc[n] ?? '\\' + n;
        this.pos += 2;
        continue;
      }
      if (c === '\n') this.line++;
      out += c;
      this.pos++;
    }
  }

  private readBackquote(): string {
    const s = this.src;
    const start = this.pos;
    this.pos++;
    while (this.pos < s.length && s[this.pos] !== '`') {
      if (s[this.pos] === '\\') this.pos++;
      else if (s[this.pos] === '\n') this.line++;
      this.pos++;
    }
    if (this.pos >= s.length) this.fail('unterminated `');
    this.pos++;
    return s.slice(start, this.pos);
  }

  /** Skip a balanced (...) group starting at `(`, honouring quotes. */
  private skipParens(): void {
    const s = this.src;
    let depth = 0;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '\\') {
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        const end = s.indexOf("'", this.pos + 1);
        if (end < 0) this.fail('unterminated single quote');
        this.line += countNewlines(s.slice(this.pos, end));
        this.pos = end + 1;
        continue;
      }
      if (c === '"') {
        this.pos++;
        this.readDoubleQuoted();
        continue;
      }
      if (c === '\n') this.line++;
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) {
          this.pos++;
          return;
        }
      }
      this.pos++;
    }
    this.fail('unterminated $(');
  }

  /** At a `$`: a parameter, command or arithmetic expansion, or null for a lone `$`. */
  private readDollar(quoted: boolean): WordPart | null {
    const s = this.src;
    const start = this.pos;
    const n = s[this.pos + 1];
    if (n === '(') {
      this.pos++;
      const arith = s[this.pos + 1] === '(';
      this.skipParens();
      const text = s.slice(start, this.pos);
      return arith ? { k: 'arith', text, quoted } : { k: 'cmdsub', text, quoted };
    }
    if (n === '{') {
      this.pos += 2;
      const p = this.readBraceParam(start);
      return { k: 'param', p, quoted };
    }
    if (n !== undefined && /[A-Za-z_]/.test(n)) {
      let e = this.pos + 1;
      while (e < s.length && /[A-Za-z0-9_]/.test(s[e]!)) e++;
      const name = s.slice(this.pos + 1, e);
      this.pos = e;
      return { k: 'param', p: { name, index: null, op: '', arg: null, arg2: null, text: s.slice(start, e) }, quoted };
    }
    if (n !== undefined && /[0-9@*#?$!-]/.test(n)) {
      this.pos += 2;
      return { k: 'param', p: { name: n, index: null, op: '', arg: null, arg2: null, text: s.slice(start, this.pos) }, quoted };
    }
    return null;
  }

  /** After `${`: NAME, an optional [INDEX], an operator and its operands, then `}`. */
  private readBraceParam(start: number): ParamExp {
    const s = this.src;
    let op: ParamOp = '';
    if (s[this.pos] === '#' && s[this.pos + 1] !== '}') {
      op = 'length';
      this.pos++;
    } else if (s[this.pos] === '!' && s[this.pos + 1] !== '}') {
      op = 'indirect';
      this.pos++;
    }
    let e = this.pos;
    if (/[A-Za-z_]/.test(s[e] ?? '')) while (e < s.length && /[A-Za-z0-9_]/.test(s[e]!)) e++;
    else if (/[0-9@*#?$!-]/.test(s[e] ?? '')) e++;
    const name = s.slice(this.pos, e);
    if (name === '') this.fail('bad ${} expansion');
    this.pos = e;
    let index: Word | null = null;
    if (s[this.pos] === '[') {
      this.pos++;
      index = this.readWord(new Set([']']), true);
      if (s[this.pos] !== ']') this.fail('unterminated [ in ${}');
      this.pos++;
    }
    let arg: Word | null = null;
    let arg2: Word | null = null;
    const close = new Set(['}']);
    if (s[this.pos] !== '}' && (op === '' || op === 'indirect')) {
      const rest = s.slice(this.pos, this.pos + 2);
      const two = ['##', '%%', '//', '/#', '/%', '^^', ',,', ':-', ':=', ':+', ':?'];
      const one = ['#', '%', '/', '^', ',', '-', '=', '+', '?', ':'];
      let found = two.find((o) => rest === o) ?? one.find((o) => rest[0] === o);
      if (found === undefined) this.fail(`unsupported \${} operator near ${JSON.stringify(rest)}`);
      this.pos += found.length;
      if (found === ':') {
        op = 'substr';
        arg = this.readWord(new Set([':', '}']), true);
        if (s[this.pos] === ':') {
          this.pos++;
          arg2 = this.readWord(close, true);
        }
      } else if (found === '/' || found === '//' || found === '/#' || found === '/%') {
        op = found;
        arg = this.readWord(new Set(['/', '}']), true);
        if (s[this.pos] === '/') {
          this.pos++;
          arg2 = this.readWord(close, true);
        }
      } else {
        op = found as ParamOp;
        arg = this.readWord(close, true);
      }
      if (op === 'indirect') this.fail('unsupported ${!...} form');
    }
    if (s[this.pos] !== '}') this.fail('unterminated ${');
    this.pos++;
    return { name, index, op, arg, arg2, text: s.slice(start, this.pos) };
  }

  // ---- grammar ----

  private srcFrom(startPos: number, line: number): Src {
    // up to the end of what was consumed (not a token peeked after it)
    const end = this.peeked !== null ? this.peeked.pos : this.pos;
    return { line, text: this.src.slice(startPos, Math.max(startPos, end)).trim() };
  }

  /** A sequence of and-or lists up to one of the reserved `ends` (not consumed) or a closing token. */
  private parseList(ends: ReadonlySet<string>): Node {
    const items: Node[] = [];
    const first = this.peek();
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.k === 'eof') break;
      if (t.k === 'op' && (t.op === ')' || t.op === ';;' || t.op === ';&' || t.op === ';;&')) break;
      if (t.k === 'word') {
        const lit = unquotedLiteral(t.w);
        if (lit !== null && ends.has(lit)) break;
      }
      items.push(this.parseAndOr());
      const sep = this.peek();
      if (this.isOp(sep, ';') || this.isOp(sep, '&') || this.isOp(sep, '\n')) {
        this.next();
        continue;
      }
      if (sep.k === 'eof') break;
      if (sep.k === 'op' && (sep.op === ')' || sep.op === ';;' || sep.op === ';&' || sep.op === ';;&')) break;
      if (sep.k === 'word') {
        const lit = unquotedLiteral(sep.w);
        if (lit !== null && ends.has(lit)) break;
      }
      this.fail(`unexpected ${sep.k === 'op' ? JSON.stringify(sep.op) : JSON.stringify(sep.w.text)}`);
    }
    return { t: 'list', items, src: { line: first.line, text: '' } };
  }

  private parseAndOr(): Node {
    const start = this.peek();
    let left = this.parsePipeline();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '&&') || this.isOp(t, '||')) {
        this.next();
        this.skipNewlines();
        const right = this.parsePipeline();
        left = { t: (t as { op: string }).op === '&&' ? 'and' : 'or', left, right, src: this.srcFrom(start.pos, start.line) };
        continue;
      }
      return left;
    }
  }

  private parsePipeline(): Node {
    const start = this.peek();
    if (this.isReserved(start, '!')) {
      this.next();
      const body = this.parsePipeline();
      return { t: 'not', body, src: this.srcFrom(start.pos, start.line) };
    }
    const cmds = [this.parseCommand()];
    while (this.isOp(this.peek(), '|') || this.isOp(this.peek(), '|&')) {
      this.next();
      this.skipNewlines();
      cmds.push(this.parseCommand());
    }
    return cmds.length === 1 ? cmds[0]! : { t: 'pipe', cmds, src: this.srcFrom(start.pos, start.line) };
  }

  private parseCommand(): Node {
    const t = this.peek();
    if (t.k === 'op' && t.op === '(') {
      this.next();
      if (this.src[this.pos] === '(' && t.pos + 1 === this.pos) {
        // (( arithmetic ))
        this.pos = t.pos;
        this.peeked = null;
        this.skipParens();
        return { t: 'arith', text: this.src.slice(t.pos, this.pos), src: this.srcFrom(t.pos, t.line) };
      }
      const body = this.parseList(new Set());
      if (!this.isOp(this.next(), ')')) this.fail('expected )');
      return { t: 'subshell', body, redirs: this.parseRedirects(), src: this.srcFrom(t.pos, t.line) };
    }
    if (t.k === 'word') {
      const lit = unquotedLiteral(t.w);
      switch (lit) {
        case 'if':
          return this.parseIf();
        case 'case':
          return this.parseCase();
        case 'for':
          return this.parseFor();
        case 'while':
        case 'until':
          return this.parseLoop(lit === 'until');
        case '{': {
          this.next();
          const body = this.parseList(new Set(['}']));
          this.expectWord('}');
          return { t: 'group', body, redirs: this.parseRedirects(), src: this.srcFrom(t.pos, t.line) };
        }
        case '[[':
          return this.parseTest();
        case 'function': {
          this.next();
          const name = this.next();
          if (name.k !== 'word') this.fail('expected a function name');
          if (this.isOp(this.peek(), '(')) {
            this.next();
            if (!this.isOp(this.next(), ')')) this.fail('expected )');
          }
          this.skipNewlines();
          const body = this.parseCommand();
          return { t: 'func', name: name.w.text, body, src: this.srcFrom(t.pos, t.line) };
        }
        default:
          break;
      }
    }
    return this.parseSimple();
  }

  private parseRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && REDIRECT_OPS.has(t.op)) {
        this.next();
        out.push(this.readRedirect(t.op));
        continue;
      }
      return out;
    }
  }

  private readRedirect(op: string): Redirect {
    const target = this.next();
    if (target.k !== 'word') this.fail(`expected a word after ${op}`);
    if (op === '<<' || op === '<<-') {
      const quoted = target.w.parts.some((p) => p.k === 'lit' && p.quoted);
      const delim = target.w.parts.map((p) => (p.k === 'lit' ? p.s : '')).join('');
      const r = { op, target: target.w, heredoc: '' as string | null, heredocQuoted: quoted };
      this.pendingHeredocs.push({ delim, strip: op === '<<-', quoted, fill: (b) => (r.heredoc = b) });
      return r;
    }
    return { op, target: target.w, heredoc: null, heredocQuoted: false };
  }

  private parseSimple(): Node {
    const start = this.peek();
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k === 'op') {
        if (REDIRECT_OPS.has(t.op)) {
          this.next();
          redirs.push(this.readRedirect(t.op));
          continue;
        }
        if (t.op === '(' && words.length === 1 && assigns.length === 0) {
          // NAME ( ) { ... }: a function definition
          this.next();
          if (!this.isOp(this.next(), ')')) this.fail('expected ) in a function definition');
          this.skipNewlines();
          const body = this.parseCommand();
          return { t: 'func', name: words[0]!.text, body, src: this.srcFrom(start.pos, start.line) };
        }
        break;
      }
      if (t.k === 'eof') break;
      // A digit word glued to a redirection (2>&1, 2>/dev/null) is the fd.
      if (/^[0-9]+$/.test(t.w.text) && /[<>]/.test(this.src[this.pos] ?? '') && this.pos === t.pos + t.w.text.length) {
        this.next();
        continue;
      }
      if (words.length === 0 && ASSIGN_RE.test(t.w.text)) {
        this.next();
        const a = this.asAssignment(t.w, t.pos);
        if (a) {
          assigns.push(a);
          continue;
        }
        words.push(t.w);
        continue;
      }
      if (words.length === 0) {
        if (words.length === 0 && assigns.length === 0 && this.isReserved(t) && unquotedLiteral(t.w) !== '[[' && unquotedLiteral(t.w) !== '!') {
          this.fail(`unexpected ${t.w.text}`);
        }
      }
      this.next();
      if (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(t.w.text) && this.src[this.pos] === '(' && this.pos === t.pos + t.w.text.length) {
        // local NAME=(...): the array is kept as literal text
        this.skipParens();
        const text = this.src.slice(t.pos, this.pos);
        words.push({ parts: [{ k: 'lit', s: text, quoted: true }], text });
        continue;
      }
      words.push(t.w);
    }
    if (words.length === 0 && assigns.length === 0 && redirs.length === 0) {
      const t = this.peek();
      this.fail(`unexpected ${t.k === 'op' ? JSON.stringify(t.op) : t.k === 'eof' ? 'end of file' : JSON.stringify(t.w.text)}`);
    }
    return { t: 'simple', assigns, words, redirs, src: this.srcFrom(start.pos, start.line) };
  }

  /** NAME=..., NAME[I]=..., NAME+=..., NAME=(...). */
  private asAssignment(w: Word, tokenPos: number): Assignment | null {
    const first = w.parts[0];
    if (!first || first.k !== 'lit' || first.quoted) return null;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[([^\]]*)\])?(\+?)=/.exec(first.s);
    if (!m) return null;
    const rest: WordPart[] = [];
    const tail = first.s.slice(m[0].length);
    if (tail !== '') rest.push({ k: 'lit', s: tail, quoted: false });
    rest.push(...w.parts.slice(1));
    const index: Word | null = m[2] !== undefined ? { parts: [{ k: 'lit', s: m[3]!, quoted: false }], text: m[3]! } : null;
    // NAME=( ... ): an array literal
    if (rest.length === 0 && this.peeked === null && this.src[this.pos] === '(' && this.pos === tokenPos + w.text.length) {
      this.pos++;
      const elems: Word[] = [];
      for (;;) {
        const t = this.lex();
        if (t.k === 'op' && t.op === ')') break;
        if (t.k === 'op' && t.op === '\n') continue;
        if (t.k !== 'word') this.fail('bad array assignment');
        elems.push(t.w);
      }
      return { name: m[1]!, index, append: m[4] === '+', value: null, array: elems, text: this.src.slice(tokenPos, this.pos) };
    }
    return { name: m[1]!, index, append: m[4] === '+', value: { parts: rest, text: w.text.slice(m[0].length) }, array: null, text: w.text };
  }

  private parseIf(): Node {
    const start = this.next();
    const clauses: { cond: Node; body: Node }[] = [];
    let otherwise: Node | null = null;
    for (;;) {
      const cond = this.parseList(new Set(['then']));
      this.expectWord('then');
      const body = this.parseList(new Set(['elif', 'else', 'fi']));
      clauses.push({ cond, body });
      this.skipNewlines();
      const t = this.next();
      if (this.isReserved(t, 'elif')) continue;
      if (this.isReserved(t, 'else')) {
        otherwise = this.parseList(new Set(['fi']));
        this.expectWord('fi');
        break;
      }
      if (this.isReserved(t, 'fi')) break;
      this.fail('expected fi');
    }
    this.parseRedirects();
    return { t: 'if', clauses, otherwise, src: this.srcFrom(start.pos, start.line) };
  }

  private parseCase(): Node {
    const start = this.next();
    const wt = this.next();
    if (wt.k !== 'word') this.fail('expected a word after case');
    this.skipNewlines();
    this.expectWord('in');
    const items: CaseItem[] = [];
    for (;;) {
      this.skipNewlines();
      let t = this.peek();
      if (this.isReserved(t, 'esac')) {
        this.next();
        break;
      }
      if (this.isOp(t, '(')) {
        this.next();
        t = this.peek();
      }
      const patterns: Word[] = [];
      for (;;) {
        const p = this.next();
        if (p.k !== 'word') this.fail('expected a case pattern');
        patterns.push(p.w);
        const sep = this.next();
        if (this.isOp(sep, '|')) continue;
        if (this.isOp(sep, ')')) break;
        this.fail('expected ) after a case pattern');
      }
      const body = this.parseList(new Set(['esac']));
      const end = this.peek();
      let term: CaseItem['term'] = ';;';
      if (end.k === 'op' && (end.op === ';;' || end.op === ';&' || end.op === ';;&')) {
        this.next();
        term = end.op;
      } else if (!this.isReserved(end, 'esac')) this.fail('expected ;; or esac');
      items.push({ patterns, body, term });
    }
    this.parseRedirects();
    return { t: 'case', word: wt.w, items, src: this.srcFrom(start.pos, start.line) };
  }

  private parseFor(): Node {
    const start = this.next();
    const nt = this.next();
    if (nt.k === 'op' && nt.op === '(') {
      // for (( ... )): arithmetic loop, kept as text
      this.pos = nt.pos;
      this.peeked = null;
      this.skipParens();
      this.skipSeparators();
      this.expectWord('do');
      const body = this.parseList(new Set(['done']));
      this.expectWord('done');
      return { t: 'loop', until: false, cond: { t: 'arith', text: '', src: { line: start.line, text: '' } }, body, src: this.srcFrom(start.pos, start.line) };
    }
    if (nt.k !== 'word' || !NAME_RE.test(nt.w.text)) this.fail('expected a name after for');
    let words: Word[] | null = null;
    this.skipNewlines();
    if (this.isReserved(this.peek(), 'in')) {
      this.next();
      words = [];
      for (;;) {
        const t = this.peek();
        if (t.k !== 'word') break;
        this.next();
        words.push(t.w);
      }
    }
    this.skipSeparators();
    this.expectWord('do');
    const body = this.parseList(new Set(['done']));
    this.expectWord('done');
    this.parseRedirects();
    return { t: 'for', name: nt.w.text, words, body, src: this.srcFrom(start.pos, start.line) };
  }

  private skipSeparators(): void {
    while (this.isOp(this.peek(), ';') || this.isOp(this.peek(), '\n')) this.next();
  }

  private parseLoop(until: boolean): Node {
    const start = this.next();
    const cond = this.parseList(new Set(['do']));
    this.expectWord('do');
    const body = this.parseList(new Set(['done']));
    this.expectWord('done');
    this.parseRedirects();
    return { t: 'loop', until, cond, body, src: this.srcFrom(start.pos, start.line) };
  }

  private parseTest(): Node {
    const start = this.next();
    const tokens: TestToken[] = [];
    for (;;) {
      const t = this.next();
      if (t.k === 'eof') this.fail('unterminated [[');
      if (t.k === 'word') {
        if (unquotedLiteral(t.w) === ']]') break;
        tokens.push({ k: 'word', w: t.w });
        continue;
      }
      if (t.op === '\n') continue;
      tokens.push({ k: 'op', op: t.op });
    }
    return { t: 'test', tokens, src: this.srcFrom(start.pos, start.line) };
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
