/**
 * Jam's regular expressions (Henry Spencer's regexp, as in jam 2.6.1),
 * translated to JavaScript RegExps with the same meaning:
 * `^ $ . [set] [^set] ( ) | * + ?`, `\<` and `\>` word edges, `\c` for a
 * literal c, and a newline acting as `|`. Nothing else is special: `{`,
 * `}` and a backslash inside `[ ]` are ordinary characters.
 *
 * Compilation errors carry Spencer's messages ("unmatched ()", ...).
 */

export class RegexpError extends Error {}

const HASWIDTH = 1;
const SIMPLE = 2;

const MAX_GROUPS = 9; // NSUBEXP 10, group 0 is the whole match

function lit(code: number): string {
  return '\\x' + code.toString(16).padStart(2, '0');
}
function litChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 256 ? lit(code) : '\\u' + code.toString(16).padStart(4, '0');
}

class Translator {
  private i = 0;
  groups = 0;

  constructor(private readonly p: string) {}

  private peek(): string {
    return this.i < this.p.length ? this.p[this.i]! : '\0';
  }

  /** reg(): branches separated by '|' or newline. */
  reg(paren: boolean): { src: string; flags: number } {
    let flags = HASWIDTH;
    let group = 0;
    if (paren) {
      if (this.groups + 1 > MAX_GROUPS) throw new RegexpError('too many ()');
      group = ++this.groups;
    }
    const branches: string[] = [];
    let b = this.branch();
    branches.push(b.src);
    if (!(b.flags & HASWIDTH)) flags &= ~HASWIDTH;
    while (this.peek() === '|' || this.peek() === '\n') {
      this.i++;
      b = this.branch();
      branches.push(b.src);
      if (!(b.flags & HASWIDTH)) flags &= ~HASWIDTH;
    }
    if (paren) {
      if (this.peek() !== ')') {
        this.i++;
        throw new RegexpError('unmatched ()');
      }
      this.i++;
    } else if (this.i < this.p.length) {
      throw new RegexpError(this.peek() === ')' ? 'unmatched ()' : 'junk on end');
    }
    void group;
    const body = branches.join('|');
    return { src: paren ? `(${body})` : body, flags };
  }

  private branch(): { src: string; flags: number } {
    let flags = 0;
    let src = '';
    while (this.i < this.p.length) {
      const c = this.peek();
      if (c === ')' || c === '\n' || c === '|') break;
      const piece = this.piece();
      flags |= piece.flags & HASWIDTH;
      src += piece.src;
    }
    return { src, flags };
  }

  private piece(): { src: string; flags: number } {
    const atom = this.atom();
    const op = this.peek();
    if (op !== '*' && op !== '+' && op !== '?') return atom;
    if (!(atom.flags & HASWIDTH) && op !== '?') throw new RegexpError('*+ operand could be empty');
    this.i++;
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?') throw new RegexpError('nested *?+');
    const src = atom.flags & SIMPLE ? atom.src : `(?:${atom.src})`;
    return { src: src + op, flags: op === '+' ? HASWIDTH : 0 };
  }

  private atom(): { src: string; flags: number } {
    const c = this.p[this.i++];
    switch (c) {
      case undefined:
        throw new RegexpError('internal urp');
      case '^':
        return { src: '^', flags: 0 };
      case '$':
        return { src: '$', flags: 0 };
      case '.':
        return { src: '[^]', flags: HASWIDTH | SIMPLE };
      case '[':
        return { src: this.charClass(), flags: HASWIDTH | SIMPLE };
      case '(': {
        const r = this.reg(true);
        return { src: r.src, flags: r.flags & HASWIDTH };
      }
      case '|':
      case '\n':
      case ')':
        throw new RegexpError('internal urp');
      case '?':
      case '+':
      case '*':
        throw new RegexpError('?+* follows nothing');
      case '\\': {
        if (this.i >= this.p.length) throw new RegexpError('trailing \\');
        const e = this.p[this.i++]!;
        if (e === '<') return { src: '(?<![A-Za-z0-9_])(?=[A-Za-z0-9_])', flags: 0 };
        if (e === '>') return { src: '(?![A-Za-z0-9_])', flags: 0 };
        return { src: litChar(e), flags: HASWIDTH | SIMPLE };
      }
      default:
        return { src: litChar(c), flags: HASWIDTH | SIMPLE };
    }
  }

  private charClass(): string {
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const members = new Set<number>();
    if (this.peek() === ']' || this.peek() === '-') members.add(this.p.charCodeAt(this.i++));
    while (this.i < this.p.length && this.p[this.i] !== ']') {
      if (this.p[this.i] === '-') {
        this.i++;
        if (this.i >= this.p.length || this.p[this.i] === ']') members.add(0x2d);
        else {
          let from = this.p.charCodeAt(this.i - 2) + 1;
          const to = this.p.charCodeAt(this.i);
          if (from > to + 1) throw new RegexpError('invalid [] range');
          for (; from <= to; from++) members.add(from);
          this.i++;
        }
      } else members.add(this.p.charCodeAt(this.i++));
    }
    if (this.peek() !== ']') throw new RegexpError('unmatched []');
    this.i++;
    members.delete(0);
    const body = [...members].map(lit).join('');
    if (negate) return body ? `[^${body}]` : '[^]';
    return body ? `[${body}]` : '[]';
  }
}

export interface JamRegexp {
  readonly re: RegExp;
  readonly groups: number;
}

const cache = new Map<string, JamRegexp | RegexpError>();

/** Compile a jam regexp; throws RegexpError with Spencer's message. */
export function compileRegexp(pattern: string): JamRegexp {
  let r = cache.get(pattern);
  if (r === undefined) {
    try {
      const t = new Translator(pattern);
      const { src } = t.reg(false);
      r = { re: new RegExp(src), groups: t.groups };
    } catch (e) {
      if (!(e instanceof RegexpError)) throw e;
      r = e;
    }
    cache.set(pattern, r);
  }
  if (r instanceof RegexpError) throw r;
  return r;
}

/**
 * Match like jam's regexec: the groups 1..n of the first match, where n is
 * the highest group that took part (groups below it that did not take part
 * give ''), or null when there is no match.
 */
export function execRegexp(r: JamRegexp, s: string): string[] | null {
  const m = r.re.exec(s);
  if (m === null) return null;
  let top = r.groups;
  while (top > 0 && m[top] === undefined) top--;
  const out: string[] = [];
  for (let i = 1; i <= top; i++) out.push(m[i] ?? '');
  return out;
}
