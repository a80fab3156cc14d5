/**
 * Walks a bash syntax tree (bash.ts) as data, the way sorcery would run it
 * but without running anything: assignments and parameter expansions are
 * computed, conditions are decided where the values are known, and every
 * command is either one of a few shell built-ins, a function defined in the
 * files read, or handed to a hook (depends, on_cast, config_query, ...).
 * Anything else is an unknown command.
 *
 * Conditions are three-valued. A branch whose condition is false is still
 * walked, "dead", so that hooks can tell what it would have declared; a
 * branch whose condition cannot be decided (an installed-system test, an
 * unknown command, a value that cannot be expanded) is walked with that
 * condition on a stack that hooks see.
 */
import {
  type Assignment,
  type Node,
  type ParamExp,
  parseBash,
  type Src,
  type TestToken,
  type Word,
  type WordPart,
} from './bash.js';

/** A value: its text, what could not be expanded in it, and the unset variables it read. */
export interface Val {
  readonly s: string;
  readonly unknown: readonly string[];
  readonly unset: readonly string[];
}

export type Tri = 'T' | 'F' | 'U';

export function val(s: string): Val {
  return { s, unknown: [], unset: [] };
}

/** A value that cannot be known (a command substitution, an installed-system query). */
export function unknownVal(what: string): Val {
  return { s: what, unknown: [what], unset: [] };
}

export function isKnown(v: Val): boolean {
  return v.unknown.length === 0;
}

function concat(a: Val, b: Val): Val {
  return { s: a.s + b.s, unknown: [...a.unknown, ...b.unknown], unset: [...a.unset, ...b.unset] };
}

/** What a hook is told about a command it handles. */
export interface Call {
  readonly name: string;
  /** The arguments after expansion and field splitting. */
  readonly args: readonly Val[];
  /** A here-document fed to the command (expanded unless its delimiter was quoted). */
  readonly heredoc: Val | null;
  /** Undecidable conditions in force, innermost last. */
  readonly conds: readonly string[];
  /** Why the command is not reached (a false condition), or null when it is. */
  readonly dead: string | null;
  readonly file: string;
  readonly src: Src;
  readonly interp: Interp;
}

export type Hook = (call: Call) => Tri;

export interface Note {
  readonly kind: 'unknown-command' | 'unsupported' | 'missing-source' | 'limit';
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

export interface InterpOptions {
  /** Variables sorcery defines before a spell file runs. */
  readonly defaults: ReadonlyMap<string, string>;
  readonly hooks: ReadonlyMap<string, Hook>;
  /** Reads a file that a spell file sources: its text, or null when it does not exist or may not be read. */
  readonly readSourced: (path: string) => { text: string; name: string } | null;
  readonly onNote: (n: Note) => void;
  /** A value for a variable nothing set (a configuration default sorcery would supply). */
  readonly fallback?: (name: string) => string | undefined;
  /** How to show a sourced path in notes. */
  readonly showPath?: (path: string) => string;
}

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}
class ReturnSignal {
  constructor(readonly status: Tri) {}
}
class ExitSignal {}
export class LimitError extends Error {}

interface Frame {
  readonly locals: Map<string, Map<string, Val>> | null;
  args: Val[];
}

const MAX_STEPS = 200_000;
const MAX_DEPTH = 64;

/** Parsed texts, shared between spells (grimoire-level files are sourced by many); keyed by content. */
const parsedCache = new Map<string, Node | Error>();

export function parseCached(text: string): Node {
  const key = text;
  let n = parsedCache.get(key);
  if (n === undefined) {
    try {
      n = parseBash(text);
    } catch (e) {
      n = e as Error;
    }
    parsedCache.set(key, n);
  }
  if (n instanceof Error) throw n;
  return n;
}

export class Interp {
  readonly globals = new Map<string, Map<string, Val>>();
  readonly functions = new Map<string, { body: Node; file: string }>();
  /** Variables that were unset when a condition read them. */
  readonly unsetInConditions = new Set<string>();
  /** Variables that took their value from the fallback. */
  readonly fallbacksUsed = new Set<string>();
  private frames: Frame[] = [{ locals: null, args: [] }];
  private conds: string[] = [];
  /** The command whose unknown status the last status comes from (null: an incidental one). */
  private lastUnknown: string | null = null;
  private deadReasons: string[] = [];
  private file = '';
  private steps = 0;
  private depth = 0;

  constructor(readonly opts: InterpOptions) {}

  get dead(): boolean {
    return this.deadReasons.length > 0;
  }

  /** Run a file's text; parse errors propagate (BashSyntaxError). */
  runText(text: string, file: string): void {
    const node = parseBash(text);
    this.runNode(node, file);
  }

  runNode(node: Node, file: string): void {
    const saved = this.file;
    this.file = file;
    try {
      this.exec(node);
    } catch (e) {
      if (!(e instanceof ReturnSignal) && !(e instanceof ExitSignal) && !(e instanceof LoopSignal)) throw e;
    } finally {
      this.file = saved;
    }
  }

  // ---- variables ----

  private slotFor(name: string, create: boolean, local = false): Map<string, Val> | undefined {
    for (let i = this.frames.length - 1; i >= 1; i--) {
      const l = this.frames[i]!.locals;
      if (l?.has(name)) return l.get(name);
    }
    if (local && this.frames.length > 1) {
      const l = this.frames[this.frames.length - 1]!.locals!;
      const m = new Map<string, Val>();
      l.set(name, m);
      return m;
    }
    let g = this.globals.get(name);
    if (g === undefined && create) this.globals.set(name, (g = new Map()));
    return g;
  }

  /** A variable's value (element 0 unless an index is given), or undefined when unset. */
  get(name: string, index = '0'): Val | undefined {
    const slot = this.slotFor(name, false);
    const v = slot?.get(index);
    if (v !== undefined) return v;
    if (slot === undefined && index === '0') {
      const d = this.opts.defaults.get(name);
      if (d !== undefined) return val(d);
      const f = this.opts.fallback?.(name);
      if (f !== undefined) {
        this.fallbacksUsed.add(name);
        return val(f);
      }
    }
    return undefined;
  }

  /** All elements of an array variable in index order. */
  elements(name: string): { index: string; v: Val }[] {
    const slot = this.slotFor(name, false);
    if (slot === undefined) {
      const d = this.opts.defaults.get(name);
      return d !== undefined ? [{ index: '0', v: val(d) }] : [];
    }
    return [...slot.entries()]
      .map(([index, v]) => ({ index, v }))
      .sort((a, b) => {
        const na = Number(a.index);
        const nb = Number(b.index);
        return Number.isNaN(na) || Number.isNaN(nb) ? (a.index < b.index ? -1 : 1) : na - nb;
      });
  }

  /** Names of the variables set (globals). */
  names(): string[] {
    return [...this.globals.keys()];
  }

  set(name: string, v: Val, index = '0', local = false): void {
    if (this.dead) return;
    const slot = this.slotFor(name, true, local)!;
    slot.set(index, v);
  }

  unset(name: string): void {
    if (this.dead) return;
    for (let i = this.frames.length - 1; i >= 1; i--) {
      const l = this.frames[i]!.locals;
      if (l?.has(name)) {
        l.set(name, new Map());
        return;
      }
    }
    this.globals.delete(name);
  }

  // ---- running ----

  private note(kind: Note['kind'], message: string, line: number): void {
    if (this.dead) return;
    this.opts.onNote({ kind, message, file: this.file, line });
  }

  private tick(): void {
    if (++this.steps > MAX_STEPS) throw new LimitError(`more than ${MAX_STEPS} steps: stopped`);
  }

  /** Walk a node that is not reached, so that hooks can report what it holds. */
  private execDead(node: Node, reason: string): void {
    this.deadReasons.push(reason);
    try {
      this.exec(node);
    } catch (e) {
      if (!(e instanceof ReturnSignal) && !(e instanceof ExitSignal)) throw e;
    } finally {
      this.deadReasons.pop();
    }
  }

  private execUnder(cond: string, node: Node): Tri {
    this.conds.push(cond);
    try {
      return this.exec(node);
    } finally {
      this.conds.pop();
    }
  }

  exec(node: Node): Tri {
    this.tick();
    const st = this.execNode(node);
    if (st !== 'U') this.lastUnknown = null;
    else if (node.t === 'simple' || node.t === 'test' || node.t === 'pipe' || node.t === 'arith') this.lastUnknown = condText(node);
    else if (node.t === 'if' || node.t === 'case' || node.t === 'for' || node.t === 'loop' || node.t === 'group' || node.t === 'subshell') {
      this.lastUnknown = null;
    }
    return st;
  }

  private execNode(node: Node): Tri {
    switch (node.t) {
      case 'list': {
        let st: Tri = 'T';
        for (const item of node.items) st = this.exec(item);
        return st;
      }
      case 'and': {
        const l = this.exec(node.left);
        if (this.dead) return this.exec(node.right);
        if (l === 'F') {
          this.execDead(node.right, `${condText(node.left)} fails`);
          this.lastUnknown = null;
          return 'F';
        }
        // A compound command (if, case, ...) whose status is unknown only
        // chains errors: what follows runs.
        const lc = this.lastUnknown;
        if (l === 'T' || lc === null) return this.exec(node.right);
        const r = this.execUnder(lc, node.right);
        this.lastUnknown = r === 'U' && this.lastUnknown !== null ? this.lastUnknown : lc;
        return r === 'F' ? 'F' : 'U';
      }
      case 'or': {
        const l = this.exec(node.left);
        if (this.dead) return this.exec(node.right);
        const lc = this.lastUnknown;
        if (l === 'T' || (l === 'U' && lc === null)) {
          this.execDead(node.right, `${condText(node.left)} succeeds`);
          this.lastUnknown = null;
          return l;
        }
        if (l === 'F') return this.exec(node.right);
        const r = this.execUnder(`not: ${lc}`, node.right);
        this.lastUnknown = lc;
        return r === 'T' ? 'T' : 'U';
      }
      case 'not': {
        const st = this.exec(node.body);
        if (st === 'U') this.lastUnknown = this.lastUnknown === null ? null : condText(node);
        return st === 'T' ? 'F' : st === 'F' ? 'T' : 'U';
      }
      case 'pipe':
        if (!this.dead) this.note('unsupported', `pipeline not interpreted: ${node.src.text}`, node.src.line);
        return 'U';
      case 'if':
        return this.execIf(node);
      case 'case':
        return this.execCase(node);
      case 'for':
        return this.execFor(node);
      case 'loop': {
        if (this.dead) {
          this.exec(node.body);
          return 'T';
        }
        const what = `${node.until ? 'until' : 'while'} loop (line ${node.src.line})`;
        this.note('unsupported', `${what} not interpreted: its body is taken as conditional`, node.src.line);
        try {
          this.execUnder(what, node.body);
        } catch (e) {
          if (!(e instanceof LoopSignal)) throw e;
        }
        return 'U';
      }
      case 'group':
        return this.exec(node.body);
      case 'subshell': {
        const saved = cloneVars(this.globals);
        try {
          return this.exec(node.body);
        } finally {
          this.globals.clear();
          for (const [k, v] of saved) this.globals.set(k, v);
        }
      }
      case 'func':
        if (!this.dead) this.functions.set(node.name, { body: node.body, file: this.file });
        return 'T';
      case 'test':
        return this.dead ? 'U' : this.evalDoubleBracket(node.tokens);
      case 'arith':
        if (!this.dead) this.note('unsupported', `arithmetic not interpreted: ${node.src.text}`, node.src.line);
        return 'U';
      case 'simple':
        return this.execSimple(node);
    }
  }

  private execIf(node: Node & { t: 'if' }): Tri {
    if (this.dead) {
      for (const c of node.clauses) this.exec(c.body);
      if (node.otherwise) this.exec(node.otherwise);
      return 'T';
    }
    const pushed: string[] = [];
    const statuses: Tri[] = [];
    let decided = false;
    try {
      for (const c of node.clauses) {
        const text = condText(c.cond);
        if (decided) {
          this.execDead(c.body, `an earlier branch of the if at line ${node.src.line} is taken`);
          continue;
        }
        const st = this.exec(c.cond);
        if (st === 'T') {
          statuses.push(this.exec(c.body));
          decided = true;
        } else if (st === 'F') {
          this.execDead(c.body, `${text} is false`);
        } else {
          statuses.push(this.execUnder(text, c.body));
          this.conds.push(`not: ${text}`);
          pushed.push(text);
        }
      }
      if (node.otherwise) {
        if (decided) this.execDead(node.otherwise, `an earlier branch of the if at line ${node.src.line} is taken`);
        else statuses.push(this.exec(node.otherwise));
      } else if (!decided) statuses.push('T');
    } finally {
      for (let i = 0; i < pushed.length; i++) this.conds.pop();
    }
    return join(statuses);
  }

  private execCase(node: Node & { t: 'case' }): Tri {
    const subject = this.expandString(node.word);
    if (this.dead) {
      for (const item of node.items) this.exec(item.body);
      return 'T';
    }
    const statuses: Tri[] = [];
    if (!isKnown(subject)) {
      for (const item of node.items) {
        const pats = item.patterns.map((p) => p.text).join('|');
        statuses.push(this.execUnder(`case ${node.word.text} in ${pats}`, item.body));
      }
      statuses.push('T');
      return join(statuses);
    }
    let fallthrough = false;
    let taken = false;
    for (let idx = 0; idx < node.items.length; idx++) {
      const item = node.items[idx]!;
      const pats = item.patterns.map((p) => p.text).join('|');
      const hit = fallthrough || item.patterns.some((p) => this.matchPattern(subject.s, p));
      if (!hit) {
        this.execDead(item.body, `case ${node.word.text} (${JSON.stringify(subject.s)}) does not match ${pats}`);
        continue;
      }
      statuses.push(this.exec(item.body));
      taken = true;
      fallthrough = item.term === ';&';
      if (item.term !== ';;') continue;
      for (const r of node.items.slice(idx + 1)) {
        this.execDead(r.body, `case ${node.word.text} (${JSON.stringify(subject.s)}) took an earlier branch`);
      }
      break;
    }
    if (!taken) statuses.push('T');
    return join(statuses);
  }

  private execFor(node: Node & { t: 'for' }): Tri {
    const words = node.words === null ? this.frame().args : node.words.flatMap((w) => this.expandWord(w));
    if (this.dead) {
      this.exec(node.body);
      return 'T';
    }
    if (words.some((w) => !isKnown(w))) {
      this.set(node.name, unknownVal(`$${node.name}`));
      try {
        this.execUnder(`for ${node.name} in ${node.words?.map((w) => w.text).join(' ') ?? '"$@"'}`, node.body);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
      }
      return 'U';
    }
    let st: Tri = 'T';
    for (const w of words) {
      this.set(node.name, w);
      try {
        st = this.exec(node.body);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
        if (e.kind === 'break') break;
      }
    }
    return st;
  }

  private frame(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  private execSimple(node: Node & { t: 'simple' }): Tri {
    const words = node.words.flatMap((w) => this.expandWord(w));
    if (words.length === 0) {
      for (const a of node.assigns) this.assign(a, false);
      return 'T';
    }
    const name = words[0]!;
    const args = words.slice(1);
    if (!isKnown(name)) {
      this.note('unknown-command', `command not known: ${node.src.text}`, node.src.line);
      return 'U';
    }
    const cmd = name.s;
    let heredoc: Val | null = null;
    for (const r of node.redirs) {
      if (r.heredoc !== null) heredoc = r.heredocQuoted ? val(r.heredoc) : this.expandHeredoc(r.heredoc);
      else if (r.op === '<<<' && r.target) heredoc = this.expandString(r.target);
    }
    const call: Call = {
      name: cmd,
      args,
      heredoc,
      conds: [...this.conds],
      dead: this.deadReasons.length ? this.deadReasons[this.deadReasons.length - 1]! : null,
      file: this.file,
      src: node.src,
      interp: this,
    };
    switch (cmd) {
      case 'true':
      case ':':
        return 'T';
      case 'false':
        return 'F';
      case 'test':
      case '[': {
        if (this.dead) return 'U';
        const a = cmd === '[' && args.length && args[args.length - 1]!.s === ']' ? args.slice(0, -1) : args;
        return this.evalTestArgs(a);
      }
      case 'source':
      case '.':
        return this.source(args[0] ?? val(''), node.src);
      case 'local':
      case 'declare':
      case 'typeset':
      case 'export':
      case 'readonly':
        for (const a of node.words.slice(1)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?=)?/.exec(a.text);
          if (!m || a.text.startsWith('-')) continue;
          if (m[2] === undefined) {
            if (cmd === 'local' && !this.dead && this.frames.length > 1) this.frame().locals!.set(m[1]!, new Map());
            continue;
          }
          const v = this.expandString({ parts: dropPrefix(a.parts, m[0].length), text: a.text.slice(m[0].length) });
          this.set(m[1]!, v, '0', cmd === 'local' || cmd === 'declare' || cmd === 'typeset');
        }
        return 'T';
      case 'unset':
        for (const a of args) if (!a.s.startsWith('-')) this.unset(a.s);
        return 'T';
      case 'shift': {
        const n = args.length ? Number(args[0]!.s) : 1;
        if (!this.dead) this.frame().args = this.frame().args.slice(Number.isNaN(n) ? 1 : n);
        return 'T';
      }
      case 'return':
        if (this.dead) return 'T';
        throw new ReturnSignal(args.length && args[0]!.s !== '0' ? 'F' : 'T');
      case 'exit':
        if (this.dead) return 'T';
        throw new ExitSignal();
      case 'break':
      case 'continue':
        if (this.dead || this.conds.length) return 'T';
        throw new LoopSignal(cmd);
      case 'set':
      case 'shopt':
      case 'echo':
      case 'printf':
      case 'cat':
        return 'T';
      default:
        break;
    }
    const hook = this.opts.hooks.get(cmd);
    const fn = this.functions.get(cmd);
    if (fn !== undefined && !this.dead) return this.callFunction(cmd, fn, args);
    if (hook !== undefined) return hook(call);
    if (fn !== undefined) return 'T';
    this.note('unknown-command', `command not known: ${node.src.text}`, node.src.line);
    return 'U';
  }

  private callFunction(name: string, fn: { body: Node; file: string }, args: readonly Val[]): Tri {
    if (this.depth >= MAX_DEPTH) throw new LimitError(`functions nested more than ${MAX_DEPTH} deep (${name})`);
    this.depth++;
    this.frames.push({ locals: new Map(), args: [...args] });
    try {
      return this.exec(fn.body);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    } finally {
      this.frames.pop();
      this.depth--;
    }
  }

  private source(pathVal: Val, src: Src): Tri {
    if (this.dead) return 'T';
    if (!isKnown(pathVal)) {
      this.note('missing-source', `sources a file whose name cannot be known: ${src.text}`, src.line);
      return 'U';
    }
    const found = this.opts.readSourced(pathVal.s);
    if (found === null) {
      this.note('missing-source', `sources ${this.opts.showPath?.(pathVal.s) ?? pathVal.s}, which is not in the grimoire`, src.line);
      return 'T';
    }
    if (this.depth >= MAX_DEPTH) throw new LimitError(`files sourced more than ${MAX_DEPTH} deep`);
    const saved = this.file;
    this.depth++;
    this.file = found.name;
    try {
      this.exec(parseCached(found.text));
      return 'T';
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      if (e instanceof Error && e.name !== 'LimitError' && !(e instanceof LimitError)) {
        this.file = saved;
        this.note('unsupported', `${found.name} cannot be read as data: ${e.message}`, src.line);
        return 'U';
      }
      throw e;
    } finally {
      this.file = saved;
      this.depth--;
    }
  }

  private assign(a: Assignment, local: boolean): void {
    const index = a.index ? this.expandString(a.index).s : '0';
    if (a.array) {
      if (this.dead) return;
      const slot = this.slotFor(a.name, true, local)!;
      if (!a.append) slot.clear();
      let i = a.append ? Math.max(-1, ...[...slot.keys()].map(Number).filter((n) => !Number.isNaN(n))) + 1 : 0;
      for (const w of a.array) for (const v of this.expandWord(w)) slot.set(String(i++), v);
      return;
    }
    let v = a.value ? this.expandString(a.value) : val('');
    if (a.append) v = concat(this.get(a.name, index) ?? val(''), v);
    this.set(a.name, v, index, local);
  }

  // ---- expansion ----

  /** Expand a word into fields (brace expansion, then unquoted expansions split on blanks). */
  expandWord(w: Word): Val[] {
    const i = w.parts.findIndex((p) => p.k === 'lit' && !p.quoted && BRACES.test(p.s));
    if (i >= 0) {
      const p = w.parts[i] as WordPart & { k: 'lit' };
      const m = BRACES.exec(p.s)!;
      return m[1]!.split(',').flatMap((alt) => {
        const s = p.s.slice(0, m.index) + alt + p.s.slice(m.index + m[0].length);
        const parts = [...w.parts.slice(0, i), { ...p, s }, ...w.parts.slice(i + 1)];
        return this.expandWord({ parts, text: w.text });
      });
    }
    return this.expandFields(w);
  }

  private expandFields(w: Word): Val[] {
    const fields: { s: string; unknown: string[]; unset: string[]; started: boolean }[] = [];
    let cur = { s: '', unknown: [] as string[], unset: [] as string[], started: false };
    const push = (): void => {
      fields.push(cur);
      cur = { s: '', unknown: [], unset: [], started: false };
    };
    for (const p of w.parts) {
      if (p.k === 'lit') {
        cur.s += p.s;
        cur.started = true;
        continue;
      }
      const list = this.expandPartList(p);
      if (p.quoted) {
        // "$@" and "${A[@]}" give one field per element
        list.forEach((v, i) => {
          if (i > 0) push();
          cur.s += v.s;
          cur.unknown.push(...v.unknown);
          cur.unset.push(...v.unset);
          cur.started = true;
        });
        if (list.length === 0 && !isAtForm(p)) cur.started = true;
        continue;
      }
      for (const v of list) {
        cur.unknown.push(...v.unknown);
        cur.unset.push(...v.unset);
        if (v.unknown.length) {
          cur.s += v.s;
          cur.started = true;
          continue;
        }
        const pieces = v.s.split(/[ \t\n]+/);
        pieces.forEach((piece, i) => {
          if (i > 0 && (cur.started || cur.s !== '')) push();
          if (piece !== '') {
            cur.s += piece;
            cur.started = true;
          }
        });
      }
    }
    if (cur.started || cur.s !== '') push();
    return fields.map((f) => ({ s: f.s, unknown: f.unknown, unset: f.unset }));
  }

  /** Expand a word into one string (no splitting): assignment values, case subjects. */
  expandString(w: Word): Val {
    let out = val('');
    for (const p of w.parts) {
      if (p.k === 'lit') out = concat(out, val(p.s));
      else {
        const list = this.expandPartList(p);
        for (let i = 0; i < list.length; i++) out = concat(out, i ? concat(val(' '), list[i]!) : list[i]!);
      }
    }
    return out;
  }

  private expandHeredoc(body: string): Val {
    // A here-document body expands like a double-quoted string.
    const w = parseHeredocWord(body);
    return w ? this.expandString(w) : val(body);
  }

  private expandPartList(p: WordPart): Val[] {
    switch (p.k) {
      case 'lit':
        return [val(p.s)];
      case 'cmdsub':
        return [this.commandSubstitution(p.text)];
      case 'arith':
        return [this.arith(p.text)];
      case 'param':
        return this.expandParam(p.p);
    }
  }

  private arith(text: string): Val {
    const inner = text.replace(/^\$\(\(/, '').replace(/\)\)$/, '');
    const expanded = inner.replace(/\$?\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => this.get(n)?.s ?? '0');
    const n = evalArithmetic(expanded);
    if (n !== null) return val(String(n));
    return unknownVal(text);
  }

  /**
   * $(...) or `...`: computed only when it is a pipeline of text filters
   * (echo, printf %s, cut, tr, sed s///, head, tail, basename, dirname)
   * over known values, which is pure string work; anything else is unknown.
   */
  private commandSubstitution(text: string): Val {
    let inner: string;
    if (text.startsWith('$(')) inner = text.slice(2, -1);
    else inner = text.slice(1, -1).replace(/\\([\\$`])/g, '$1');
    let node: Node;
    try {
      node = parseCached(inner);
    } catch {
      return unknownVal(text);
    }
    const item = node.t === 'list' && node.items.length === 1 ? node.items[0]! : null;
    const cmds = item === null ? [] : item.t === 'pipe' ? item.cmds : [item];
    if (cmds.length === 0 || cmds.some((c) => c.t !== 'simple')) return unknownVal(text);
    let input: string | null = null;
    const unset: string[] = [];
    for (const c of cmds as (Node & { t: 'simple' })[]) {
      if (c.assigns.length) return unknownVal(text);
      const args = c.words.flatMap((w) => this.expandWord(w));
      if (args.some((a) => !isKnown(a))) return unknownVal(text);
      for (const a of args) unset.push(...a.unset);
      for (const r of c.redirs) {
        if (r.op !== '<<<' || r.target === null) return unknownVal(text);
        const v = this.expandString(r.target);
        if (!isKnown(v)) return unknownVal(text);
        input = v.s + '\n';
      }
      const out = textFilter(args.map((a) => a.s), input);
      if (out === null) return unknownVal(text);
      input = out;
    }
    return { s: (input ?? '').replace(/\n+$/, ''), unknown: [], unset };
  }

  private positional(name: string): Val[] | undefined {
    const args = this.frame().args;
    if (name === '@' || name === '*') return args;
    if (name === '#') return [val(String(args.length))];
    if (/^[1-9]$/.test(name)) return [args[Number(name) - 1] ?? { s: '', unknown: [], unset: [] }];
    if (name === '0') return [val('bash')];
    if (name === '?') return [val('0')];
    if (name === '$' || name === '!' || name === '-') return [unknownVal('$' + name)];
    return undefined;
  }

  private expandParam(p: ParamExp): Val[] {
    const index = p.index ? this.expandString(p.index) : null;
    const all = index !== null && (index.s === '@' || index.s === '*');
    let values: Val[];
    let isSet: boolean;
    const pos = this.positional(p.name);
    if (pos !== undefined) {
      values = pos;
      isSet = !/^[1-9]$/.test(p.name) || Number(p.name) <= this.frame().args.length;
    } else if (p.op === 'indirect') {
      const target = this.get(p.name);
      if (target === undefined || !isKnown(target)) return [unknownVal(p.text)];
      const v = this.get(target.s);
      values = [v ?? { s: '', unknown: [], unset: [target.s] }];
      isSet = v !== undefined;
    } else if (all) {
      values = this.elements(p.name).map((e) => e.v);
      isSet = values.length > 0;
    } else {
      if (index !== null && !isKnown(index)) return [unknownVal(p.text)];
      const v = this.get(p.name, index?.s ?? '0');
      isSet = v !== undefined;
      values = [v ?? { s: '', unknown: [], unset: [p.name] }];
    }
    const one = (): Val => values.reduce((a, b, i) => (i ? concat(concat(a, val(' ')), b) : b), val(''));
    switch (p.op) {
      case '':
      case 'indirect':
        return values;
      case 'length':
        if (all) return [val(String(values.length))];
        return [isKnown(one()) ? val(String(one().s.length)) : unknownVal(p.text)];
      case ':-':
      case '-': {
        const v = one();
        const empty = p.op === ':-' ? v.s === '' && isKnown(v) : !isSet;
        if (empty || (!isSet && p.op === ':-')) return [p.arg ? this.expandString(p.arg) : val('')];
        return values;
      }
      case ':=':
      case '=': {
        const v = one();
        if ((p.op === ':=' && v.s === '' && isKnown(v)) || !isSet) {
          const d = p.arg ? this.expandString(p.arg) : val('');
          this.set(p.name, d);
          return [d];
        }
        return values;
      }
      case ':+':
      case '+': {
        const v = one();
        const setNonEmpty = p.op === ':+' ? isSet && (v.s !== '' || !isKnown(v)) : isSet;
        if (!isKnown(v) && p.op === ':+') return [unknownVal(p.text)];
        return [setNonEmpty && p.arg ? this.expandString(p.arg) : val('')];
      }
      case ':?':
      case '?':
        return values;
      default:
        break;
    }
    // Operators that transform each value.
    return values.map((v) => {
      if (!isKnown(v)) return unknownVal(p.text);
      const res = this.transform(p, v.s);
      return res === null ? unknownVal(p.text) : { s: res, unknown: [], unset: v.unset };
    });
  }

  private transform(p: ParamExp, s: string): string | null {
    switch (p.op) {
      case '#':
      case '##':
      case '%':
      case '%%': {
        const pat = p.arg ? this.patternOf(p.arg) : { re: '', known: true };
        if (!pat.known) return null;
        const re = new RegExp(`^(?:${pat.re})$`, 's');
        if (p.op === '#') {
          for (let i = 0; i <= s.length; i++) if (re.test(s.slice(0, i))) return s.slice(i);
        } else if (p.op === '##') {
          for (let i = s.length; i >= 0; i--) if (re.test(s.slice(0, i))) return s.slice(i);
        } else if (p.op === '%') {
          for (let i = s.length; i >= 0; i--) if (re.test(s.slice(i))) return s.slice(0, i);
        } else {
          for (let i = 0; i <= s.length; i++) if (re.test(s.slice(i))) return s.slice(0, i);
        }
        return s;
      }
      case '/':
      case '//':
      case '/#':
      case '/%': {
        const pat = p.arg ? this.patternOf(p.arg) : { re: '', known: true };
        const rep = p.arg2 ? this.expandString(p.arg2) : val('');
        if (!pat.known || !isKnown(rep)) return null;
        if (pat.re === '') return s;
        const re = new RegExp(`^(?:${pat.re})$`, 's');
        // longest match at the first position where one exists
        const matchAt = (i: number): number => {
          for (let j = s.length; j > i; j--) if (re.test(s.slice(i, j))) return j;
          return -1;
        };
        if (p.op === '/#') {
          const j = matchAt(0);
          return j < 0 ? s : rep.s + s.slice(j);
        }
        if (p.op === '/%') {
          for (let i = 0; i < s.length; i++) if (re.test(s.slice(i))) return s.slice(0, i) + rep.s;
          return s;
        }
        let out = '';
        let i = 0;
        let replaced = false;
        while (i < s.length) {
          const j = p.op === '/' && replaced ? -1 : matchAt(i);
          if (j < 0) {
            out += s[i];
            i++;
          } else {
            out += rep.s;
            i = j;
            replaced = true;
          }
        }
        return out;
      }
      case '^^':
        return s.toUpperCase();
      case ',,':
        return s.toLowerCase();
      case '^':
        return s.charAt(0).toUpperCase() + s.slice(1);
      case ',':
        return s.charAt(0).toLowerCase() + s.slice(1);
      case 'substr': {
        const off = p.arg ? this.expandString(p.arg) : val('0');
        const len = p.arg2 ? this.expandString(p.arg2) : null;
        if (!isKnown(off) || (len && !isKnown(len))) return null;
        let o = Number(off.s.trim());
        if (!Number.isInteger(o)) return null;
        if (o < 0) o = Math.max(0, s.length + o);
        if (len === null) return s.slice(o);
        let l = Number(len.s.trim());
        if (!Number.isInteger(l)) return null;
        if (l < 0) return s.slice(o, Math.max(o, s.length + l));
        return s.slice(o, o + l);
      }
      default:
        return null;
    }
  }

  /** A bash pattern (glob) as a regular expression source; quoted parts are literal. */
  patternOf(w: Word): { re: string; known: boolean } {
    let re = '';
    let known = true;
    for (const p of w.parts) {
      if (p.k === 'lit') {
        re += p.quoted ? escapeRe(p.s) : globToRe(p.s);
        continue;
      }
      const v = this.expandPartList(p).reduce((a, b) => concat(a, b), val(''));
      if (!isKnown(v)) known = false;
      re += p.quoted ? escapeRe(v.s) : globToRe(v.s);
    }
    return { re, known };
  }

  matchPattern(s: string, pattern: Word): boolean {
    const pat = this.patternOf(pattern);
    return new RegExp(`^(?:${pat.re})$`, 's').test(s);
  }

  // ---- conditions ----

  private noteUnset(v: Val): void {
    for (const u of v.unset) this.unsetInConditions.add(u);
  }

  private evalDoubleBracket(tokens: readonly TestToken[]): Tri {
    let i = 0;
    const peekOp = (op: string): boolean => {
      const t = tokens[i];
      return t !== undefined && t.k === 'op' && t.op === op;
    };
    const peekWord = (s: string): boolean => {
      const t = tokens[i];
      return t !== undefined && t.k === 'word' && t.w.text === s;
    };
    const word = (): Word | null => {
      const t = tokens[i];
      if (t === undefined || t.k !== 'word') return null;
      i++;
      return t.w;
    };
    const orExpr = (): Tri => {
      let l = andExpr();
      while (peekOp('||')) {
        i++;
        const r = andExpr();
        l = l === 'T' || r === 'T' ? 'T' : l === 'U' || r === 'U' ? 'U' : 'F';
      }
      return l;
    };
    const andExpr = (): Tri => {
      let l = notExpr();
      while (peekOp('&&')) {
        i++;
        const r = notExpr();
        l = l === 'F' || r === 'F' ? 'F' : l === 'U' || r === 'U' ? 'U' : 'T';
      }
      return l;
    };
    const notExpr = (): Tri => {
      if (peekWord('!')) {
        i++;
        const r = notExpr();
        return r === 'T' ? 'F' : r === 'F' ? 'T' : 'U';
      }
      return primary();
    };
    const primary = (): Tri => {
      if (peekOp('(')) {
        i++;
        const r = orExpr();
        if (peekOp(')')) i++;
        return r;
      }
      const first = word();
      if (first === null) return 'U';
      const t = tokens[i];
      if (/^-[a-zA-Z]$/.test(first.text) && t !== undefined && t.k === 'word' && !isBinaryOp(tokens[i + 1])) {
        const operand = this.expandString(word()!);
        this.noteUnset(operand);
        return unaryTest(first.text, operand);
      }
      const opTok = tokens[i];
      let op: string | null = null;
      if (opTok?.k === 'word' && BINARY.has(opTok.w.text)) op = opTok.w.text;
      else if (opTok?.k === 'op' && (opTok.op === '<' || opTok.op === '>')) op = opTok.op;
      const left = this.expandString(first);
      this.noteUnset(left);
      if (op === null) return isKnown(left) ? (left.s !== '' ? 'T' : 'F') : 'U';
      i++;
      if (op === '=~') {
        // the regex runs up to && || or ), with | kept
        let text = '';
        let known = true;
        while (i < tokens.length && !peekOp('&&') && !peekOp('||') && !peekOp(')')) {
          const t = tokens[i++]!;
          if (t.k === 'op') text += t.op;
          else {
            const v = this.expandString(t.w);
            if (!isKnown(v)) known = false;
            const quoted = t.w.parts.every((p) => p.quoted);
            text += quoted ? escapeRe(v.s) : v.s;
          }
        }
        if (!known || !isKnown(left)) return 'U';
        try {
          return new RegExp(text).test(left.s) ? 'T' : 'F';
        } catch {
          return 'U';
        }
      }
      const rightWord = word();
      if (rightWord === null) return 'U';
      if (op === '==' || op === '=' || op === '!=') {
        const pat = this.patternOf(rightWord);
        const rv = this.expandString(rightWord);
        this.noteUnset(rv);
        if (!pat.known || !isKnown(left)) return 'U';
        const m = new RegExp(`^(?:${pat.re})$`, 's').test(left.s);
        return (op === '!=' ? !m : m) ? 'T' : 'F';
      }
      const right = this.expandString(rightWord);
      this.noteUnset(right);
      return binaryTest(op, left, right);
    };
    const r = orExpr();
    return i < tokens.length ? 'U' : r;
  }

  /** test / [ with expanded arguments. */
  private evalTestArgs(args: readonly Val[]): Tri {
    for (const a of args) this.noteUnset(a);
    let i = 0;
    const orExpr = (): Tri => {
      let l = andExpr();
      while (args[i]?.s === '-o') {
        i++;
        const r = andExpr();
        l = l === 'T' || r === 'T' ? 'T' : l === 'U' || r === 'U' ? 'U' : 'F';
      }
      return l;
    };
    const andExpr = (): Tri => {
      let l = notExpr();
      while (args[i]?.s === '-a') {
        i++;
        const r = notExpr();
        l = l === 'F' || r === 'F' ? 'F' : l === 'U' || r === 'U' ? 'U' : 'T';
      }
      return l;
    };
    const notExpr = (): Tri => {
      if (args[i]?.s === '!' && i + 1 < args.length) {
        i++;
        const r = notExpr();
        return r === 'T' ? 'F' : r === 'F' ? 'T' : 'U';
      }
      return primary();
    };
    const primary = (): Tri => {
      const a = args[i];
      if (a === undefined) return 'F';
      if (a.s === '(' && isKnown(a)) {
        i++;
        const r = orExpr();
        if (args[i]?.s === ')') i++;
        return r;
      }
      const b = args[i + 1];
      if (b !== undefined && isKnown(b) && (BINARY.has(b.s) || b.s === '<' || b.s === '>') && args[i + 2] !== undefined) {
        const c = args[i + 2]!;
        i += 3;
        if (b.s === '=' || b.s === '==' || b.s === '!=') {
          if (!isKnown(a) || !isKnown(c)) return 'U';
          return (a.s === c.s) === (b.s !== '!=') ? 'T' : 'F';
        }
        return binaryTest(b.s, a, c);
      }
      if (/^-[a-zA-Z]$/.test(a.s) && b !== undefined) {
        i += 2;
        return unaryTest(a.s, b);
      }
      i++;
      return isKnown(a) ? (a.s !== '' ? 'T' : 'F') : 'U';
    };
    if (args.length === 0) return 'F';
    const r = orExpr();
    return i < args.length ? 'U' : r;
  }
}

/** Integer arithmetic (+ - * / % and parentheses) over literal numbers; null for anything else. */
function evalArithmetic(src: string): number | null {
  const toks = src.match(/\d+|[-+*/%()]|\S/g) ?? [];
  let i = 0;
  const primary = (): number | null => {
    const t = toks[i++];
    if (t === undefined) return null;
    if (t === '(') {
      const v = sum();
      return toks[i++] === ')' ? v : null;
    }
    if (t === '-' || t === '+') {
      const v = primary();
      return v === null ? null : t === '-' ? -v : v;
    }
    return /^\d+$/.test(t) ? Number(t) : null;
  };
  const product = (): number | null => {
    let v = primary();
    while (v !== null && (toks[i] === '*' || toks[i] === '/' || toks[i] === '%')) {
      const op = toks[i++];
      const r = primary();
      if (r === null || (op !== '*' && r === 0)) return null;
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (toks[i] === '+' || toks[i] === '-')) {
      const op = toks[i++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return v !== null && i === toks.length ? v : null;
}

/** One text filter of a pipeline: its output, or null when it is not one the reader computes. */
function textFilter(argv: readonly string[], input: string | null): string | null {
  const [cmd, ...args] = argv;
  const lines = (s: string): string[] => s.replace(/\n$/, '').split('\n');
  switch (cmd) {
    case 'echo': {
      let a = args;
      let nl = true;
      if (a[0] === '-n') {
        nl = false;
        a = a.slice(1);
      }
      return a.join(' ') + (nl ? '\n' : '');
    }
    case 'printf':
      if (args[0] === '%s' || args[0] === '%s\\n') return args.slice(1).join('') + (args[0] === '%s' ? '' : '\n');
      return null;
    case 'basename':
      return args.length === 1 ? args[0]!.replace(/\/+$/, '').replace(/.*\//, '') + '\n' : null;
    case 'dirname':
      return args.length === 1 ? (args[0]!.includes('/') ? args[0]!.replace(/\/[^/]*$/, '') || '/' : '.') + '\n' : null;
    case 'head':
    case 'tail': {
      if (input === null) return null;
      const m = /^-n?([0-9]+)$/.exec(args.join('').replace(/^-n/, '-'));
      const n = m ? Number(m[1]) : args.length === 0 ? 10 : NaN;
      if (Number.isNaN(n)) return null;
      const l = lines(input);
      return (cmd === 'head' ? l.slice(0, n) : l.slice(Math.max(0, l.length - n))).join('\n') + '\n';
    }
    case 'cut': {
      if (input === null) return null;
      let delim = '\t';
      let fields: string | null = null;
      let chars: string | null = null;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-d') delim = args[++i] ?? '';
        else if (a.startsWith('-d')) delim = a.slice(2);
        else if (a === '-f') fields = args[++i] ?? '';
        else if (a.startsWith('-f')) fields = a.slice(2);
        else if (a === '-c') chars = args[++i] ?? '';
        else if (a.startsWith('-c')) chars = a.slice(2);
        else return null;
      }
      const list = fields ?? chars;
      if (list === null || delim.length !== 1) return null;
      const pick = (n: number, i: number): boolean =>
        list.split(',').some((r) => {
          const m = /^([0-9]*)(-?)([0-9]*)$/.exec(r);
          if (!m) return false;
          const lo = m[1] ? Number(m[1]) : 1;
          const hi = m[3] ? Number(m[3]) : m[2] ? n : lo;
          return i >= lo && i <= hi;
        });
      return lines(input)
        .map((l) => {
          const parts = chars !== null ? [...l] : l.split(delim);
          if (chars === null && parts.length === 1) return l;
          return parts.filter((_, i) => pick(parts.length, i + 1)).join(chars !== null ? '' : delim);
        })
        .join('\n') + '\n';
    }
    case 'tr': {
      if (input === null) return null;
      if (args[0] === '-d' && args.length === 2) {
        const del = new Set(expandTrSet(args[1]!));
        return [...input].filter((c) => c === '\n' || !del.has(c)).join('');
      }
      if (args.length !== 2) return null;
      const from = expandTrSet(args[0]!);
      const to = expandTrSet(args[1]!);
      if (from.length === 0 || to.length === 0) return null;
      return [...input].map((c) => {
        const i = from.indexOf(c);
        return i < 0 ? c : to[Math.min(i, to.length - 1)]!;
      }).join('');
    }
    case 'sed': {
      if (input === null) return null;
      const scripts = args[0] === '-e' ? args.filter((_, i) => i % 2 === 1) : args.length === 1 ? args : null;
      if (scripts === null) return null;
      let out = lines(input);
      for (const sc of scripts) {
        const sub = parseSedSubstitution(sc);
        if (sub === null) return null;
        out = out.map((l) => l.replace(sub.re, sub.replacement));
      }
      return out.join('\n') + '\n';
    }
    default:
      return null;
  }
}

function expandTrSet(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i + 1] === '-' && i + 2 < s.length) {
      for (let c = s.charCodeAt(i); c <= s.charCodeAt(i + 2); c++) out.push(String.fromCharCode(c));
      i += 2;
    } else if (s[i] === '\\' && i + 1 < s.length) out.push(s[++i]!);
    else out.push(s[i]!);
  }
  return out;
}

/** s/RE/REPLACEMENT/[g] with a basic regular expression. */
function parseSedSubstitution(sc: string): { re: RegExp; replacement: string } | null {
  if (sc[0] !== 's' || sc.length < 4) return null;
  const d = sc[1]!;
  const parts: string[] = [];
  let cur = '';
  for (let i = 2; i < sc.length; i++) {
    const c = sc[i]!;
    if (c === '\\' && sc[i + 1] === d) {
      cur += d;
      i++;
    } else if (c === '\\' && i + 1 < sc.length) {
      cur += c + sc[++i];
    } else if (c === d) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  if (parts.length !== 3 || !/^g?$/.test(parts[2]!)) return null;
  let re = '';
  const p = parts[0]!;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      const n = p[++i]!;
      re += '(){}'.includes(n) ? n : n === '.' || n === '*' || n === '[' || n === ']' || n === '\\' || n === '/' ? '\\' + n : n;
    } else if ('(){}+?|'.includes(c)) re += '\\' + c;
    else re += c;
  }
  const replacement = parts[1]!.replace(/\$/g, '$$$$').replace(/\\([1-9])/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&').replace(/\\(.)/g, '$1');
  try {
    return { re: new RegExp(re, parts[2] === 'g' ? 'g' : ''), replacement };
  } catch {
    return null;
  }
}

/** {a,b,...} in unquoted text (one level). */
const BRACES = /\{([^{}\s]*,[^{}\s]*)\}/;

const BINARY = new Set(['==', '=', '!=', '=~', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);

function isBinaryOp(t: TestToken | undefined): boolean {
  if (t === undefined) return false;
  if (t.k === 'op') return t.op === '<' || t.op === '>';
  return BINARY.has(t.w.text);
}

function unaryTest(op: string, v: Val): Tri {
  if (op === '-z') return isKnown(v) ? (v.s === '' ? 'T' : 'F') : 'U';
  if (op === '-n') return isKnown(v) ? (v.s !== '' ? 'T' : 'F') : 'U';
  // file tests and the like concern the installed system
  return 'U';
}

function binaryTest(op: string, a: Val, b: Val): Tri {
  if (!isKnown(a) || !isKnown(b)) return 'U';
  if (op === '<') return a.s < b.s ? 'T' : 'F';
  if (op === '>') return a.s > b.s ? 'T' : 'F';
  const x = Number(a.s.trim() || '0');
  const y = Number(b.s.trim() || '0');
  if (Number.isNaN(x) || Number.isNaN(y)) return 'U';
  switch (op) {
    case '-eq':
      return x === y ? 'T' : 'F';
    case '-ne':
      return x !== y ? 'T' : 'F';
    case '-lt':
      return x < y ? 'T' : 'F';
    case '-le':
      return x <= y ? 'T' : 'F';
    case '-gt':
      return x > y ? 'T' : 'F';
    case '-ge':
      return x >= y ? 'T' : 'F';
    default:
      return 'U';
  }
}

function join(statuses: readonly Tri[]): Tri {
  if (statuses.length === 0) return 'T';
  if (statuses.every((s) => s === 'T')) return 'T';
  if (statuses.every((s) => s === 'F')) return 'F';
  return 'U';
}

function isAtForm(p: WordPart): boolean {
  return p.k === 'param' && (p.p.name === '@' || (p.p.index !== null && p.p.index.text === '@'));
}

/** The text of a condition, for reports: the source, on one line. */
export function condText(n: Node): string {
  const raw = n.t === 'list' ? n.items.map((i) => i.src.text).join('; ') : n.src.text;
  return raw.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').replace(/[;&\s]+$/, '').trim();
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function globToRe(s: string): string {
  let re = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = s.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = s.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else if (c === '\\' && i + 1 < s.length) {
      re += escapeRe(s[++i]!);
    } else re += escapeRe(c);
  }
  return re;
}

function cloneVars(m: Map<string, Map<string, Val>>): Map<string, Map<string, Val>> {
  return new Map([...m].map(([k, v]) => [k, new Map(v)]));
}

function dropPrefix(parts: readonly WordPart[], n: number): WordPart[] {
  const out: WordPart[] = [];
  let left = n;
  for (const p of parts) {
    if (left > 0 && p.k === 'lit' && !p.quoted) {
      if (p.s.length <= left) {
        left -= p.s.length;
        continue;
      }
      out.push({ ...p, s: p.s.slice(left) });
      left = 0;
      continue;
    }
    left = 0;
    out.push(p);
  }
  return out;
}

/** A here-document body as a double-quoted word, for expansion. */
function parseHeredocWord(body: string): Word | null {
  try {
    const escaped = body.replace(/"/g, '\\"');
    const node = parseBash(`: "${escaped}"`);
    if (node.t === 'list' && node.items[0]?.t === 'simple') return node.items[0].words[1] ?? null;
  } catch {
    // not expandable: keep the text
  }
  return null;
}
