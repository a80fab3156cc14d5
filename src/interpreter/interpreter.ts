/**
 * The Jam interpreter: evaluates statements (jam's compile.c), invokes
 * rules, and records targets, dependencies and actions in the target graph.
 *
 * Two modes share everything but error handling:
 *  - 'jam' behaves like jam 2.6.1 (messages, a syntax error stops the
 *    rest of that file, unknown rules are warnings);
 *  - 'jux' is for spells: syntax errors are collected with positions, the
 *    statements the parser recovered around them still run (so one pass
 *    reports every finding of the file, and its spell still exists for its
 *    dependants), unknown rules are errors.
 */
import type { IToken } from 'chevrotain';
import type { Arg, Cond, Func, ListExpr, Stmt } from '../../grammar/ast.js';
import { ActionBody, decodeWord, tokenize, tokenizePiece } from '../../grammar/lexer.js';
import { jamParser, type SyntaxDiagnostic } from '../../grammar/parser.js';
import { isKeywordType } from '../../grammar/tokens.js';
import type { JamReporter, SourcePos } from '../events.js';
import { search } from '../graph/bind.js';
import type { Disk } from '../graph/disk.js';
import { type Action, type Target, TargetTable } from '../graph/target.js';
import type { Timestamps } from '../graph/timestamps.js';
import { installBuiltins } from './builtins.js';
import { expand, expandInto, ExpansionTooLarge, setExpansionLimit } from './expand.js';
import { globMatch } from './glob.js';
import { type CallSite, type Rule, RuleTable } from './rules.js';
import { addSetting, copySettings, EMPTY, type List, type Settings, Variables } from './variables.js';

const NOWHERE: SourcePos = { file: '', line: 0, col: 0 };

const JMP_NONE: number = 0;
const JMP_BREAK: number = 1;
const JMP_CONTINUE: number = 2;
const JMP_RETURN: number = 3;

interface Jump {
  v: number;
}

/** Thrown by the Exit built-in: the run ends with this status. */
export class JamExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

/** Thrown when a run exceeds a safety limit (recursion depth, step budget). */
export class JamLimitError extends Error {
  constructor(
    message: string,
    readonly at: SourcePos | null,
  ) {
    super(message);
  }
}

export interface InterpreterOptions {
  readonly reporter: JamReporter;
  readonly disk: Disk;
  readonly timestamps: Timestamps;
  readonly targets?: TargetTable;
  readonly mode?: 'jam' | 'jux';
  /** Deepest nesting of rule invocations (default 4000). */
  readonly maxDepth?: number;
  /** Most statements to execute in the whole run (default: no limit). */
  readonly maxSteps?: number;
  /** Longest list or string a statement may produce (default: no limit). */
  readonly maxValueSize?: number;
}

/** One file being read (jam's include stack entry): its text and where reading resumes. */
interface Frame {
  readonly path: string;
  readonly text: string;
  /** Offset where the scanner resumes (after a syntax error, past the bad token). */
  pos: number;
  /** Line number at `pos`. */
  line: number;
}

/**
 * Files larger than this are lexed and parsed in pieces of whole statements.
 * Small pieces keep few tokens alive when the young generation is
 * collected (on the 100,000-target Jamfile, 32 KiB pieces spent about 15%
 * less time in scavenges than 256 KiB ones; below 32 KiB made no difference).
 */
const CHUNK = 32 * 1024;

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
};

export class Interpreter {
  readonly vars = new Variables();
  readonly rules = new RuleTable();
  readonly targets: TargetTable;
  readonly reporter: JamReporter;
  readonly disk: Disk;
  readonly timestamps: Timestamps;
  readonly mode: 'jam' | 'jux';
  /** True once any syntax error was reported (jam's yyanyerrors). */
  anyErrors = false;
  /** Spell-mode errors (syntax, unknown rules) found so far. */
  errorCount = 0;

  private readonly frames: Frame[] = [];
  private lastToken: IToken | null = null;
  private depth = 0;
  private readonly maxDepth: number;
  private steps = 0;
  private readonly maxSteps: number;
  private readonly maxValueSize: number;
  /** The statement being run, for messages. */
  private current: SourcePos | null = null;
  /** The statement being run at file level (outside any rule), for package facts. */
  private fileStatement: SourcePos | null = null;
  /** Declared argument counts (JuxArity): rule -> [min, max]. */
  private readonly arity = new Map<string, [number, number]>();
  private readonly get = (name: string): List => this.vars.get(name);

  constructor(opts: InterpreterOptions) {
    this.reporter = opts.reporter;
    this.disk = opts.disk;
    this.timestamps = opts.timestamps;
    this.targets = opts.targets ?? new TargetTable();
    this.mode = opts.mode ?? 'jam';
    this.maxDepth = opts.maxDepth ?? 4000;
    this.maxSteps = opts.maxSteps ?? Infinity;
    this.maxValueSize = opts.maxValueSize ?? Infinity;
    setExpansionLimit(this.maxValueSize);
    installBuiltins(this);
  }

  // ---------------------------------------------------------------- files

  /** Read and run a file, as jam's parse_file (or `include`). */
  parseFile(path: string): void {
    if (this.mode === 'jux') {
      this.runSpellFile(path);
      return;
    }
    this.pushFrame(path);
    for (;;) {
      const stmts = this.yyparse();
      if (stmts === null) break;
      this.runStatements(stmts, [], { v: JMP_NONE });
    }
  }

  /** Run source text given directly (tests, -f -). */
  parseText(path: string, text: string): void {
    if (this.mode === 'jux') {
      const body = this.parseSpellText(path, text);
      if (body !== null) this.runStatements(body, [], { v: JMP_NONE });
      return;
    }
    this.frames.push({ path, text, pos: 0, line: 1 });
    for (;;) {
      const stmts = this.yyparse();
      if (stmts === null) break;
      this.runStatements(stmts, [], { v: JMP_NONE });
    }
  }

  private pushFrame(path: string): void {
    let text = '';
    try {
      text = this.disk.readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EISDIR') {
        this.reporter.emit({ type: 'fileError', path, reason: ERRNO_TEXT[code] ?? (e as Error).message });
      }
    }
    this.frames.push({ path, text, pos: 0, line: 1 });
  }

  /**
   * Parse the rest of the top frame, as one call of jam's yyparse(): the
   * whole rest of the file, or nothing if there is a syntax error (then
   * reading resumes after the bad token).
   */
  private yyparse(): Stmt[] | null {
    const f = this.frames[this.frames.length - 1];
    if (f === undefined) return null;
    const parser = jamParser();
    const all: Stmt[] = [];
    let start = f.pos;
    let line = f.line;
    for (;;) {
      const lex = tokenizePiece(f.text, start, line, CHUNK);
      let tokens = lex.tokens;
      // A word the scanner cannot finish (unmatched quote or action braces)
      // runs to the end of the file: jam reports it and sees the end there.
      let bad: { index: number; message: string } | null = null;
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!;
        if (t.tokenType === ActionBody) {
          if (lex.unterminatedBodies.has(t.startOffset)) bad = { index: i, message: 'unmatched {} in action block' };
        } else if (t.image.indexOf('"') >= 0 && decodeWord(t.image).unterminatedQuote) {
          bad = { index: i, message: 'unmatched " in string' };
        }
        if (bad) break;
      }
      if (bad) tokens = tokens.slice(0, bad.index);
      parser.input = tokens;
      parser.fileName = f.path;
      parser.recover = false;
      let stmts: Stmt[] | undefined;
      try {
        stmts = parser.program();
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        parser.input = [];
        this.frames.pop();
        this.anyErrors = true;
        this.reporter.emit({ type: 'limitExceeded', message: `${f.path}: nesting too deep`, at: null });
        return null;
      }
      const err = parser.errors[0];
      parser.input = [];
      if (err !== undefined) {
        this.anyErrors = true;
        const tok = err.token;
        if (tok.tokenType.name === 'EOF') {
          if (bad) this.badTokenError(lex.tokens[bad.index - 1] ?? this.lastToken, bad.message);
          this.frames.pop();
          this.reporter.emit({ type: 'syntaxError', jamText: `${this.prefix()}syntax error at EOF`, diagnostic: null });
        } else {
          f.pos = tok.startOffset + tok.image.length;
          f.line = (tok.startLine ?? 1) + countNewlines(tok.image);
          this.lastToken = tok;
          this.reporter.emit({
            type: 'syntaxError',
            jamText: `${f.path}: line ${tok.startLine}: syntax error at ${symdump(tok)}`,
            diagnostic: null,
          });
        }
        return null;
      }
      if (tokens.length) this.lastToken = tokens[tokens.length - 1]!;
      if (stmts) for (const st of stmts) all.push(st);
      if (bad) {
        this.badTokenError(lex.tokens[bad.index - 1] ?? this.lastToken, bad.message);
        break;
      }
      line = lex.line;
      start = lex.end;
      if (start >= f.text.length) break;
    }
    this.frames.pop();
    return all.length ? all : null;
  }

  private badTokenError(prev: IToken | null, message: string): void {
    this.anyErrors = true;
    // The scanner read to the end of the file, so jam has already left it.
    const saved = this.frames.pop();
    this.reporter.emit({
      type: 'syntaxError',
      jamText: `${this.prefix()}${message} at ${prev ? symdump(prev) : 'EOF'}`,
      diagnostic: null,
    });
    if (saved) this.frames.push(saved);
  }

  /** "FILE: line N: " for the file the scanner is in, if any. */
  private prefix(): string {
    const f = this.frames[this.frames.length - 1];
    return f === undefined ? '' : `${f.path}: line ${f.line}: `;
  }

  // ---------------------------------------------------------- spell mode

  private runSpellFile(path: string): void {
    let text: string;
    try {
      text = this.disk.readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      this.errorCount++;
      this.reporter.emit({ type: 'fileError', path, reason: ERRNO_TEXT[code] ?? (e as Error).message });
      return;
    }
    const body = this.parseSpellText(path, text);
    if (body !== null) this.runStatements(body, [], { v: JMP_NONE });
  }

  /** Parse with recovery; report every error; the statements recovered. */
  parseSpellText(path: string, text: string): Stmt[] | null {
    const { body, diagnostics } = parseSpell(path, text);
    if (diagnostics.length) {
      this.errorCount += diagnostics.length;
      for (const d of diagnostics) this.reporter.emit({ type: 'syntaxError', jamText: '', diagnostic: d });
    }
    return body;
  }

  // ---------------------------------------------------------- statements

  /** Run statements in order; the value is the last one run (jam's compile_rules). */
  runStatements(stmts: readonly Stmt[], lol: readonly List[], jmp: Jump): List {
    let result: List = EMPTY;
    for (let i = 0; i < stmts.length; i++) {
      if (jmp.v !== JMP_NONE) break;
      result = this.exec(stmts[i]!, lol, jmp);
    }
    return result;
  }

  private exec(s: Stmt, lol: readonly List[], jmp: Jump): List {
    if (++this.steps > this.maxSteps) {
      throw new JamLimitError('too many statements executed (loop guard)', s);
    }
    this.current = s;
    if (this.depth === 0) this.fileStatement = s;
    let result: List;
    try {
      result = this.execStatement(s, lol, jmp);
    } catch (e) {
      if (e instanceof ExpansionTooLarge) throw new JamLimitError('expansion too large (size guard)', s);
      throw e;
    }
    if (this.maxValueSize !== Infinity) this.checkSize(result, s);
    return result;
  }

  private checkSize(l: List, at: SourcePos): void {
    if (l.length > this.maxValueSize) throw new JamLimitError('list too long (size guard)', at);
    for (const v of l) if (v.length > this.maxValueSize) throw new JamLimitError('string too long (size guard)', at);
  }

  private execStatement(s: Stmt, lol: readonly List[], jmp: Jump): List {
    switch (s.kind) {
      case 'block':
        return this.runStatements(s.body, lol, jmp);
      case 'include': {
        const nt = this.evalList(s.list, lol);
        if (nt.length) {
          // In spells a relative name is taken from the including file's folder.
          const name =
            this.mode === 'jux' && !nt[0]!.startsWith('/') && s.file.includes('/')
              ? s.file.slice(0, s.file.lastIndexOf('/') + 1) + nt[0]!
              : nt[0]!;
          const t = this.targets.bind(name);
          this.vars.swapSettings(t.settings);
          const b = search(t.name, this.get, this.timestamps);
          this.vars.swapSettings(t.settings);
          t.boundname = b.boundname;
          t.time = b.time;
          if (b.time || !(t.flags & 0x02) /* NoCare */) this.parseFile(b.boundname);
        }
        return EMPTY;
      }
      case 'break':
      case 'continue':
      case 'return': {
        const lv = this.evalList(s.list, lol);
        jmp.v = s.kind === 'break' ? JMP_BREAK : s.kind === 'continue' ? JMP_CONTINUE : JMP_RETURN;
        return lv;
      }
      case 'for': {
        const nv = this.evalList(s.list, lol);
        let result: List = EMPTY;
        for (let i = 0; i < nv.length && jmp.v === JMP_NONE; i++) {
          this.vars.set(s.variable, [nv[i]!]);
          result = this.runStatements(s.body, lol, jmp);
          if (jmp.v === JMP_CONTINUE) jmp.v = JMP_NONE;
        }
        if (jmp.v === JMP_BREAK || jmp.v === JMP_CONTINUE) jmp.v = JMP_NONE;
        return result;
      }
      case 'switch': {
        const nt = this.evalList(s.list, lol);
        const subject = nt.length ? nt[0]! : '';
        for (const c of s.cases) {
          if (globMatch(c.pattern, subject)) return this.runStatements(c.body, lol, jmp);
        }
        return EMPTY;
      }
      case 'if': {
        const l = this.evalCond(s.cond, lol);
        if (l.length) return this.runStatements(s.then, lol, jmp);
        return s.otherwise === null ? EMPTY : this.exec(s.otherwise, lol, jmp);
      }
      case 'while': {
        let result: List = EMPTY;
        while (jmp.v === JMP_NONE && this.evalCond(s.cond, lol).length) {
          result = this.runStatements(s.body, lol, jmp);
          if (jmp.v === JMP_CONTINUE) jmp.v = JMP_NONE;
          if (++this.steps > this.maxSteps) throw new JamLimitError('too many loop iterations (loop guard)', s);
        }
        if (jmp.v === JMP_BREAK || jmp.v === JMP_CONTINUE) jmp.v = JMP_NONE;
        return result;
      }
      case 'ruleDef': {
        const rule = this.rules.bind(s.name);
        rule.procedure = { kind: 'user', body: s.body, params: s.params, at: s };
        return EMPTY;
      }
      case 'on': {
        const nt = this.evalArg(s.target, lol);
        if (!nt.length) return EMPTY;
        return this.onTarget(nt[0]!, () => this.exec(s.stmt, lol, jmp));
      }
      case 'actionsDef': {
        const rule = this.rules.bind(s.name);
        const bindlist = this.evalList(s.bind, lol);
        rule.actions = { text: s.body, flags: s.flags, bindlist };
        return EMPTY;
      }
      case 'set': {
        const nt = this.evalArg(s.names, lol);
        const ns = this.evalList(s.values, lol);
        for (const name of nt) {
          this.vars.set(name, ns, s.op);
          if (this.maxValueSize !== Infinity) this.checkSize(this.vars.get(name), s);
        }
        return ns;
      }
      case 'setOn': {
        const nt = this.evalArg(s.names, lol);
        const ns = this.evalList(s.values, lol);
        const targets = this.evalList(s.targets, lol);
        for (const tn of targets) {
          const t = this.targets.bind(tn);
          for (const name of nt) t.settings = addSetting(t.settings, s.op, name, ns);
        }
        return ns;
      }
      case 'invoke':
        return this.invoke(s.rule, s.args, lol, s);
      case 'local': {
        const nt = this.evalList(s.names, lol);
        const ns = s.values === null ? EMPTY : this.evalList(s.values, lol);
        let settings: Settings | null = null;
        for (const name of nt) settings = addSetting(settings, 'set', name, ns);
        this.vars.swapSettings(settings);
        try {
          return this.runStatements(s.body, lol, jmp);
        } finally {
          this.vars.swapSettings(settings);
        }
      }
    }
  }

  /** Run `fn` with a copy of the target's variables in effect (jam's compile_on). */
  onTarget<T>(name: string, fn: () => T): T {
    return this.withTarget(this.targets.bind(name), fn);
  }

  withTarget<T>(t: Target, fn: () => T): T {
    const s = copySettings(t.settings);
    this.vars.swapSettings(s);
    try {
      return fn();
    } finally {
      this.vars.swapSettings(s);
    }
  }

  private invoke(ruleArg: Arg, argExprs: readonly ListExpr[], lol: readonly List[], at: CallSite): List {
    const names = this.evalArg(ruleArg, lol);
    const nargs: List[] = [];
    for (const a of argExprs) nargs.push(this.evalList(a, lol));
    let result: List = EMPTY;
    for (const name of names) {
      if (this.arity.size) this.checkArity(name, argExprs.length, at);
      const r = this.evaluateRule(name, nargs, at);
      result = result.length ? (r.length ? [...result, ...r] : result) : r;
    }
    return result;
  }

  /** Invoke a rule by name (jam's evaluate_rule). */
  evaluateRule(name: string, args: readonly List[], at: CallSite | null): List {
    const rule = this.rules.bind(name);
    if (rule.actions === null && rule.procedure === null) this.unknownRule(rule, at);
    if (rule.actions !== null) this.addAction(rule, args);
    const p = rule.procedure;
    if (p === null) return EMPTY;
    if (p.kind === 'builtin') return p.run(args, at ?? this.current ?? { file: '', line: 0, col: 0 });
    if (++this.depth > this.maxDepth) {
      this.depth--;
      throw new JamLimitError(`rule ${name} nested too deeply (more than ${this.maxDepth} calls)`, at);
    }
    let settings: Settings | null = null;
    for (let i = 0; i < p.params.length; i++) settings = addSetting(settings, 'set', p.params[i]!, args[i] ?? EMPTY);
    this.vars.swapSettings(settings);
    try {
      return this.runStatements(p.body, args, { v: JMP_NONE });
    } finally {
      this.vars.swapSettings(settings);
      this.depth--;
    }
  }

  /** Where the current file-level statement is (for facts recorded deep inside rules). */
  statementSite(): SourcePos {
    const s = this.fileStatement ?? this.current;
    if (!s) return NOWHERE;
    // One position object per statement, shared by everything it records.
    if (this.siteOf !== s) {
      this.siteOf = s;
      this.site = { file: s.file, line: s.line, col: s.col };
    }
    return this.site;
  }
  private siteOf: SourcePos | null = null;
  private site: SourcePos = { file: '', line: 0, col: 0 };

  /** Report a finding at the current file-level statement. */
  diagnostic(severity: 'error' | 'warning', message: string, at: SourcePos | null = null): void {
    if (severity === 'error') this.errorCount++;
    this.reporter.emit({ type: 'diagnostic', severity, message, at: at ?? this.statementSite() });
  }

  declareArity(rule: string, min: number, max: number): void {
    this.arity.set(rule, [min, max]);
  }

  private checkArity(name: string, given: number, at: CallSite): void {
    const a = this.arity.get(name);
    if (a === undefined || (given >= a[0] && given <= a[1])) return;
    const want = a[0] === a[1] ? `${a[0]}` : `${a[0]} to ${a[1]}`;
    this.diagnostic(
      'error',
      `${name} takes ${want} argument${a[1] === 1 ? '' : 's'} separated by " : ", got ${given}` +
        (given < a[0] ? ' (a missing colon?)' : ''),
      at,
    );
  }

  private unknownRule(rule: Rule, at: CallSite | null): void {
    if (this.mode === 'jux') this.errorCount++;
    this.reporter.emit({ type: 'unknownRule', name: rule.name, at });
  }

  private addAction(rule: Rule, args: readonly List[]): void {
    const action: Action = {
      rule,
      targets: (args[0] ?? EMPTY).map((n) => this.targets.bind(n)),
      sources: (args[1] ?? EMPTY).map((n) => this.targets.bind(n)),
      running: false,
      status: 0,
    };
    for (const t of action.targets) (t.actions ??= []).push(action);
  }

  // ---------------------------------------------------------- expressions

  evalList(list: ListExpr, lol: readonly List[]): List {
    if (list.length === 0) return EMPTY;
    if (list.length === 1) return this.evalArg(list[0]!, lol);
    const out: string[] = [];
    for (const a of list) {
      if (a.kind === 'lit') {
        if (a.template === null) out.push(a.text);
        else expandInto(a.template, lol, this.get, out);
      } else for (const v of this.evalFunc(a.func, lol, a)) out.push(v);
    }
    return out;
  }

  evalArg(a: Arg, lol: readonly List[]): List {
    if (a.kind === 'lit') return a.template === null ? [a.text] : expand(a.template, lol, this.get);
    return this.evalFunc(a.func, lol, a);
  }

  private evalFunc(f: Func, lol: readonly List[], at: CallSite): List {
    switch (f.kind) {
      case 'invoke':
        return this.invoke(f.rule, f.args, lol, at);
      case 'onInvoke': {
        const nt = this.evalArg(f.target, lol);
        if (!nt.length) return EMPTY;
        return this.onTarget(nt[0]!, () => this.invoke(f.rule, f.args, lol, at));
      }
      case 'onReturn': {
        const nt = this.evalArg(f.target, lol);
        if (!nt.length) return EMPTY;
        return this.onTarget(nt[0]!, () => this.evalList(f.list, lol));
      }
    }
  }

  /** A condition's value: non-empty means true (jam's compile_eval). */
  evalCond(c: Cond, lol: readonly List[]): List {
    let ll: List;
    let lr: List = EMPTY;
    let status = false;
    switch (c.kind) {
      case 'exists':
        ll = this.evalArg(c.arg, lol);
        status = ll.some((s) => s !== '');
        break;
      case 'in':
        ll = this.evalArg(c.left, lol);
        if (ll.length) lr = this.evalList(c.right, lol);
        status = ll.every((s) => lr.includes(s));
        break;
      case 'not':
        ll = this.evalCond(c.operand, lol);
        status = ll.length === 0;
        break;
      case 'and':
        ll = this.evalCond(c.left, lol);
        if (ll.length) lr = this.evalCond(c.right, lol);
        status = ll.length > 0 && lr.length > 0;
        break;
      case 'or':
        ll = this.evalCond(c.left, lol);
        if (!ll.length) lr = this.evalCond(c.right, lol);
        status = ll.length > 0 || lr.length > 0;
        break;
      default: {
        ll = this.evalCond(c.left, lol);
        lr = this.evalCond(c.right, lol);
        const r = compareLists(ll, lr);
        switch (c.kind) {
          case 'eq':
            status = r === 0;
            break;
          case 'ne':
            status = r !== 0;
            break;
          case 'lt':
            status = r < 0;
            break;
          case 'le':
            status = r <= 0;
            break;
          case 'gt':
            status = r > 0;
            break;
          case 'ge':
            status = r >= 0;
            break;
        }
      }
    }
    if (!status) return EMPTY;
    if (ll.length) return ll;
    if (lr.length) return lr;
    return ['1'];
  }

  // ---------------------------------------------------------- for the engine

  /** Bind a target's file under its own variables (LOCATE/SEARCH). */
  bindTarget(t: Target): { boundname: string; time: number } {
    return this.withTarget(t, () => search(t.name, this.get, this.timestamps));
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Element-wise string comparison; a missing element counts as "" (jam's lcmp). */
export function compareLists(a: List, b: List): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** How jam's yacc names a token in "syntax error at ...". */
export function symdump(tok: IToken): string {
  const name = tok.tokenType.name;
  if (name === 'EOF') return 'EOF';
  if (name === 'ActionBody') return `string ${tok.image}`;
  if (isKeywordType(tok.tokenType)) return `keyword ${tok.image}`;
  return `argument ${decodeWord(tok.image).value}`;
}

/** Parse a spell file with error recovery. */
export function parseSpell(path: string, text: string): { body: Stmt[]; diagnostics: SyntaxDiagnostic[] } {
  const lex = tokenize(text);
  const diagnostics: SyntaxDiagnostic[] = [];
  let tokens = lex.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const unmatchedBody = t.tokenType === ActionBody && lex.unterminatedBodies.has(t.startOffset);
    const unmatchedQuote =
      t.tokenType !== ActionBody && t.image.indexOf('"') >= 0 && decodeWord(t.image).unterminatedQuote;
    if (unmatchedBody || unmatchedQuote) {
      const at = unmatchedBody ? (tokens[i - 1] ?? t) : t;
      diagnostics.push({
        file: path,
        line: at.startLine ?? 0,
        col: at.startColumn ?? 0,
        token: t,
        message: unmatchedBody ? 'unmatched { in action block' : 'unmatched " in string',
      });
      tokens = tokens.slice(0, i);
      break;
    }
  }
  const parser = jamParser();
  parser.input = tokens;
  parser.fileName = path;
  parser.recover = true;
  parser.diagnostics = [];
  let body: Stmt[] = [];
  try {
    body = parser.program() ?? [];
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push({ file: path, line: 1, col: 1, token: tokens[0]!, message: 'nesting too deep' });
  }
  // After a lexical error the input was cut short: the parser's complaint
  // about the early end says nothing new.
  const lexical = diagnostics.length > 0;
  parser.input = [];
  diagnostics.unshift(...parser.diagnostics.filter((d) => !(lexical && d.token.tokenType.name === 'EOF')));
  if (!lexical && !parser.diagnostics.length && parser.errors.length) {
    // An error the parser could not recover from inside a rule.
    const e = parser.errors[0]!;
    diagnostics.unshift({
      file: path,
      line: e.token.startLine ?? 0,
      col: e.token.startColumn ?? 0,
      token: e.token,
      message: `syntax error: ${e.message}`,
    });
  }
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return { body, diagnostics };
}
