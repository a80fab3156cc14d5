/**
 * The Chevrotain parser for the Jam language.
 *
 * Jam's yacc grammar switches its scanner between two modes: in
 * "punctuation" mode (inside argument lists) alphabetic keywords are plain
 * words, elsewhere they are keywords. Which mode reads a token depends on
 * when yacc needs its lookahead, and the rules below reproduce that exactly:
 *
 *  - lists read punctuation mode from their first element, except the first
 *    list of a statement-level rule invocation, whose first element is read
 *    in normal mode (so `Echo if ;` is an error but `Echo x if ;` is not);
 *  - after a `[ ... ]` element the rest of that list is read in normal mode;
 *  - `for`, `case`, `rule` and `actions` names and `if` operands are read
 *    in normal mode.
 *
 * In jam mode the parser stops at the first error, as jam does; otherwise it
 * recovers at the next `;` so that one run reports every error in a file.
 */
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from './chevrotain.js';
import type {
  Arg,
  AssignOp,
  Cond,
  Func,
  ListExpr,
  LiteralArg,
  Stmt,
  SwitchCase,
} from './ast.js';
import { ActionFlag } from './ast.js';
import { ActionBody, decodeWord } from './lexer.js';
import { compileTemplate } from './template.js';
import * as T from './tokens.js';

/** A syntax error with its position and the token it was found at. */
export interface SyntaxDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The offending token; its type is EOF at the end of input. */
  readonly token: IToken;
  /** Message in jux's style ("unexpected keyword `else`, expected `;`"). */
  readonly message: string;
}

const ALL_TOKEN_TYPES: TokenType[] = [
  T.ArgTok,
  T.AlphaKeyword,
  T.PunctKeyword,
  ActionBody,
  T.Word,
  ...T.KEYWORDS.values(),
];

const EFLAGS = new Map<TokenType, number>([
  [T.Updated, ActionFlag.updated],
  [T.Together, ActionFlag.together],
  [T.Ignore, ActionFlag.ignore],
  [T.Quietly, ActionFlag.quietly],
  [T.Piecemeal, ActionFlag.piecemeal],
  [T.Existing, ActionFlag.existing],
]);

/** Jam's atoi(): optional blanks and sign, then digits; anything else stops. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s)!;
  const n = m[2] ? parseInt(m[2].slice(0, 15), 10) : 0;
  return m[1] === '-' ? -n : n;
}

/** Literal words by their source text, shared by every occurrence. */
const LITERALS = new Map<string, LiteralArg>();

function literalOf(image: string): LiteralArg {
  const { value } = decodeWord(image);
  const t = compileTemplate(value);
  return { kind: 'lit', text: value, template: typeof t === 'string' ? null : t };
}

function isAlpha(t: TokenType): boolean {
  return T.ALPHA_KEYWORDS.has(t);
}

export class JamParser extends EmbeddedActionsParser {
  fileName = '';
  recover = false;
  diagnostics: SyntaxDiagnostic[] = [];

  constructor() {
    // One token of lookahead, as yacc: errors are found at the same token.
    super(ALL_TOKEN_TYPES, { maxLookahead: 1, recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  // ---- helpers (used only outside the recording phase) ----

  private lit(tok: IToken): LiteralArg {
    const image = tok.image;
    // Short words repeat (rule names, keywords, names, versions) and are
    // shared; long ones (checksums, dates, descriptions) are mostly unique,
    // and remembering them would only cost memory and time.
    if (image.length > 24) return literalOf(image);
    let a = LITERALS.get(image);
    if (a === undefined) {
      a = literalOf(image);
      if (LITERALS.size >= 50000) LITERALS.clear(); // a small table stays in the CPU cache
      LITERALS.set(image, a);
    }
    return a;
  }

  private pos(tok: IToken): { file: string; line: number; col: number } {
    return { file: this.fileName, line: tok.startLine ?? 0, col: tok.startColumn ?? 0 };
  }

  private describe(tok: IToken): string {
    if (tok.tokenType === EOF) return 'end of file';
    if (tok.tokenType === ActionBody) return 'action text';
    if (T.isKeywordType(tok.tokenType)) return `keyword \`${tok.image}\``;
    return `word \`${decodeWord(tok.image).value}\``;
  }

  private record(e: unknown): void {
    const err = e as { token?: IToken; message?: string; name?: string };
    const tok = err.token ?? this.LA(1);
    const expected = /Expecting (?:token of type )?--> (.+?) <--/.exec(err.message ?? '');
    let message = `syntax error: unexpected ${this.describe(tok)}`;
    if (expected && err.name === 'MismatchedTokenException') message += `, expected ${expected[1]!.replace(/'/g, '`')}`;
    this.diagnostics.push({
      file: this.fileName,
      line: tok.tokenType === EOF ? this.lastLine() : (tok.startLine ?? 0),
      col: tok.tokenType === EOF ? this.lastCol() : (tok.startColumn ?? 0),
      token: tok,
      message,
    });
  }

  /** The last real token (Chevrotain pads the input with EOF tokens). */
  private lastToken(): IToken | undefined {
    const v = this.input;
    for (let i = v.length - 1; i >= 0; i--) if (v[i]!.tokenType !== EOF) return v[i];
    return undefined;
  }

  private lastLine(): number {
    const last = this.lastToken();
    if (!last) return 1;
    let n = 0;
    for (let i = last.image.indexOf('\n'); i >= 0; i = last.image.indexOf('\n', i + 1)) n++;
    return (last.startLine ?? 1) + n;
  }
  private lastCol(): number {
    const last = this.lastToken();
    if (!last) return 1;
    const nl = last.image.lastIndexOf('\n');
    return nl >= 0 ? last.image.length - nl : (last.startColumn ?? 0) + last.image.length;
  }

  /** Skip the rest of a bad statement: through the next `;` at this depth, or up to a `}` closing the block. */
  private skipStatement(): void {
    let depth = 0;
    for (;;) {
      const t = this.LA(1).tokenType;
      if (t === EOF) return;
      if (t === T.LBrace) depth++;
      else if (t === T.RBrace) {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          this.SKIP_TOKEN();
          return;
        }
      } else if (t === T.Semicolon && depth === 0) {
        this.SKIP_TOKEN();
        return;
      }
      this.SKIP_TOKEN();
    }
  }

  // ---- grammar ----

  /** A whole file. */
  public program = this.RULE('program', (): Stmt[] => {
    const body = this.SUBRULE(this.rules);
    if (this.recover && !this.RECORDING_PHASE) {
      // Stray closing braces (or `case`) at the top level: report and go on.
      while (this.LA(1).tokenType !== EOF) {
        this.record({ token: this.LA(1) });
        this.SKIP_TOKEN();
        body.push(...this.SUBRULE1(this.rules));
      }
    }
    return body;
  });

  // Closures and alternative lists are built once, not per invocation:
  // allocating them on every statement dominated parsing time on large
  // inputs. State that a nested invocation could clobber lives on stacks.
  private readonly stmtLists: Stmt[][] = [];
  private oneStmtAlts?: { ALT: () => Stmt }[];
  private readonly oneStmt = (): void => {
    const s = this.OR(
      (this.oneStmtAlts ??= [
        { ALT: () => this.SUBRULE(this.localStmt) },
        { ALT: () => this.SUBRULE(this.statement) },
      ]),
    );
    if (!this.RECORDING_PHASE) this.stmtLists[this.stmtLists.length - 1]!.push(s);
  };
  private readonly oneStmtRecovering = (): void => {
    if (this.recover && !this.RECORDING_PHASE) {
      try {
        this.oneStmt();
      } catch (e) {
        if (!(e instanceof Error) || !('token' in e)) throw e;
        this.record(e);
        this.skipStatement();
      }
    } else this.oneStmt();
  };

  /** Statements up to `}`, `case` or the end; `local` scopes the rest. */
  private rules = this.RULE('rules', (): Stmt[] => {
    this.stmtLists.push([]);
    let out: Stmt[];
    try {
      this.MANY(this.oneStmtRecovering);
    } finally {
      out = this.stmtLists.pop()!;
    }
    return this.RECORDING_PHASE ? out : exact(foldLocals(out));
  });

  private localStmt = this.RULE('localStmt', (): Stmt => {
    const kw = this.CONSUME(T.Local);
    const names = this.SUBRULE(this.list, { ARGS: [false] });
    let values: ListExpr | null = null;
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      values = this.SUBRULE1(this.list, { ARGS: [false] });
    });
    this.CONSUME(T.Semicolon);
    return this.ACTION(() => ({ kind: 'local', names, values, body: [], ...this.pos(kw) }));
  });

  private statementAlts?: { ALT: () => Stmt }[];
  private statement = this.RULE('statement', (): Stmt => {
    return this.OR(
      (this.statementAlts ??= [
        { ALT: () => this.SUBRULE(this.blockStmt) },
        { ALT: () => this.SUBRULE(this.includeStmt) },
        { ALT: () => this.SUBRULE(this.jumpStmt) },
        { ALT: () => this.SUBRULE(this.forStmt) },
        { ALT: () => this.SUBRULE(this.switchStmt) },
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { ALT: () => this.SUBRULE(this.whileStmt) },
        { ALT: () => this.SUBRULE(this.ruleDef) },
        { ALT: () => this.SUBRULE(this.onStmt) },
        { ALT: () => this.SUBRULE(this.actionsDef) },
        { ALT: () => this.SUBRULE(this.argStmt) },
      ]),
    );
  });

  private blockStmt = this.RULE('blockStmt', (): Stmt => {
    const open = this.CONSUME(T.LBrace);
    const body = this.SUBRULE(this.rules);
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'block', body, ...this.pos(open) }));
  });

  private includeStmt = this.RULE('includeStmt', (): Stmt => {
    const kw = this.CONSUME(T.Include);
    const list = this.SUBRULE(this.list, { ARGS: [false] });
    this.CONSUME(T.Semicolon);
    return this.ACTION(() => ({ kind: 'include', list, ...this.pos(kw) }));
  });

  private jumpStmt = this.RULE('jumpStmt', (): Stmt => {
    const kw = this.OR([
      { ALT: () => this.CONSUME(T.Break) },
      { ALT: () => this.CONSUME(T.Continue) },
      { ALT: () => this.CONSUME(T.Return) },
    ]);
    const list = this.SUBRULE(this.list, { ARGS: [false] });
    this.CONSUME(T.Semicolon);
    return this.ACTION(() => ({
      kind: kw.image as 'break' | 'continue' | 'return',
      list,
      ...this.pos(kw),
    }));
  });

  private forStmt = this.RULE('forStmt', (): Stmt => {
    const kw = this.CONSUME(T.For);
    const v = this.CONSUME(T.Word);
    this.CONSUME(T.In);
    const list = this.SUBRULE(this.list, { ARGS: [false] });
    this.CONSUME(T.LBrace);
    const body = this.SUBRULE(this.rules);
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: 'for',
      variable: decodeWord(v.image).value,
      list,
      body,
      ...this.pos(kw),
    }));
  });

  private switchStmt = this.RULE('switchStmt', (): Stmt => {
    const kw = this.CONSUME(T.Switch);
    const list = this.SUBRULE(this.list, { ARGS: [false] });
    this.CONSUME(T.LBrace);
    const cases: SwitchCase[] = [];
    this.MANY(() => {
      const c = this.CONSUME(T.Case);
      const pat = this.CONSUME(T.Word);
      this.CONSUME(T.Colon);
      const body = this.SUBRULE(this.rules);
      this.ACTION(() => cases.push({ pattern: decodeWord(pat.image).value, body, ...this.pos(c) }));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'switch', list, cases, ...this.pos(kw) }));
  });

  private ifStmt = this.RULE('ifStmt', (): Stmt => {
    const kw = this.CONSUME(T.If);
    const cond = this.SUBRULE(this.expr);
    this.CONSUME(T.LBrace);
    const then = this.SUBRULE(this.rules);
    this.CONSUME(T.RBrace);
    let otherwise: Stmt | null = null;
    this.OPTION(() => {
      this.CONSUME(T.Else);
      otherwise = this.SUBRULE(this.statement);
    });
    return this.ACTION(() => ({ kind: 'if', cond, then, otherwise, ...this.pos(kw) }));
  });

  private whileStmt = this.RULE('whileStmt', (): Stmt => {
    const kw = this.CONSUME(T.While);
    const cond = this.SUBRULE(this.expr);
    this.CONSUME(T.LBrace);
    const body = this.SUBRULE(this.rules);
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'while', cond, body, ...this.pos(kw) }));
  });

  private ruleDef = this.RULE('ruleDef', (): Stmt => {
    const kw = this.CONSUME(T.Rule);
    const name = this.CONSUME(T.Word);
    const params: string[] = [];
    // params: ARG (':' ARG?)* where every ':' follows an ARG.
    this.OPTION(() => {
      const p = this.CONSUME1(T.Word);
      this.ACTION(() => params.push(decodeWord(p.image).value));
      let afterWord = true;
      this.MANY({
        GATE: () => afterWord,
        DEF: () => {
          this.CONSUME(T.Colon);
          afterWord = false;
          this.OPTION1(() => {
            const q = this.CONSUME2(T.Word);
            afterWord = true;
            this.ACTION(() => params.push(decodeWord(q.image).value));
          });
        },
      });
    });
    this.CONSUME(T.LBrace);
    const body = this.SUBRULE(this.rules);
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: 'ruleDef',
      name: decodeWord(name.image).value,
      params,
      body,
      ...this.pos(kw),
    }));
  });

  private onStmt = this.RULE('onStmt', (): Stmt => {
    const kw = this.CONSUME(T.On);
    const target = this.SUBRULE(this.arg);
    const stmt = this.SUBRULE(this.statement);
    return this.ACTION(() => ({ kind: 'on', target, stmt, ...this.pos(kw) }));
  });

  private actionsDef = this.RULE('actionsDef', (): Stmt => {
    const kw = this.CONSUME(T.Actions);
    let flags = 0;
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const f = this.OR1([
              { ALT: () => this.CONSUME(T.Updated) },
              { ALT: () => this.CONSUME(T.Together) },
              { ALT: () => this.CONSUME(T.Ignore) },
              { ALT: () => this.CONSUME(T.Quietly) },
              { ALT: () => this.CONSUME(T.Piecemeal) },
              { ALT: () => this.CONSUME(T.Existing) },
            ]);
            this.ACTION(() => (flags |= EFLAGS.get(f.tokenType)!));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Maxline);
            const n = this.CONSUME(T.Word);
            this.ACTION(() => (flags |= atoi(decodeWord(n.image).value) * ActionFlag.maxlineUnit));
          },
        },
      ]);
    });
    const name = this.CONSUME1(T.Word);
    let bind: ListExpr = [];
    this.OPTION(() => {
      this.CONSUME(T.Bind);
      bind = this.SUBRULE(this.list, { ARGS: [false] });
    });
    this.CONSUME(T.LBrace);
    let body = '';
    this.OPTION1(() => {
      body = this.CONSUME(ActionBody).image;
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: 'actionsDef',
      name: decodeWord(name.image).value,
      flags,
      bind,
      body,
      ...this.pos(kw),
    }));
  });

  /** Statements that start with a word or `[ ]`: assignments and rule invocations. */
  private argStmt = this.RULE('argStmt', (): Stmt => {
    const first = this.LA(1);
    const head = this.SUBRULE(this.arg);
    const tail = this.SUBRULE(this.argStmtTail);
    if (this.RECORDING_PHASE) return tail as unknown as Stmt;
    const file = this.fileName;
    const line = first.startLine ?? 0;
    const col = first.startColumn ?? 0;
    switch (tail.kind) {
      case 'set':
        return { kind: 'set', names: head, op: tail.op, values: tail.values, file, line, col };
      case 'setOn':
        return { kind: 'setOn', names: head, targets: tail.targets, op: tail.op, values: tail.values, file, line, col };
      case 'invoke':
        return { kind: 'invoke', rule: head, args: tail.args, file, line, col };
    }
  });

  private argStmtTailAlts?: { ALT: () => ArgStmtTail; IGNORE_AMBIGUITIES?: boolean }[];
  /** What follows the first word of a statement. */
  private argStmtTail = this.RULE('argStmtTail', (): ArgStmtTail => {
    return this.OR(
      (this.argStmtTailAlts ??= [
        {
          ALT: () => {
            const op = this.SUBRULE(this.assign);
            const values = this.SUBRULE(this.list, { ARGS: [false] });
            this.CONSUME(T.Semicolon);
            return { kind: 'set', op, values };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.On);
            const targets = this.SUBRULE2(this.list, { ARGS: [false] });
            const op = this.SUBRULE1(this.assign);
            const values = this.SUBRULE3(this.list, { ARGS: [false] });
            this.CONSUME2(T.Semicolon);
            return { kind: 'setOn', targets, op, values };
          },
        },
        {
          ALT: () => {
            const args = this.SUBRULE(this.lol, { ARGS: [true] });
            this.CONSUME3(T.Semicolon);
            return { kind: 'invoke', args };
          },
          // A keyword here goes to the alternatives above (`on`, `default`) or is an error.
          IGNORE_AMBIGUITIES: true,
        },
      ]),
    );
  });

  private assignAlts?: { ALT: () => AssignOp }[];
  /** `=`, `+=`, `?=`, or (after a normal-mode list) `default =`. */
  private assign = this.RULE('assign', (): AssignOp => {
    return this.OR(
      (this.assignAlts ??= [
        { ALT: () => (this.CONSUME(T.Equals), 'set' as const) },
        { ALT: () => (this.CONSUME(T.PlusEquals), 'append' as const) },
        { ALT: () => (this.CONSUME(T.QuestionEquals), 'default' as const) },
        {
          ALT: () => {
            this.CONSUME(T.Default);
            this.CONSUME1(T.Equals);
            return 'default' as const;
          },
        },
      ]),
    );
  });

  private readonly lolStack: ListExpr[][] = [];
  private readonly lolMore = (): void => {
    this.CONSUME(T.Colon);
    const m = this.SUBRULE1(this.list, { ARGS: [false] });
    if (!this.RECORDING_PHASE) this.lolStack[this.lolStack.length - 1]!.push(m);
  };
  /** Lists separated by `:`; `firstNormal` as for `list`. */
  private lol = this.RULE('lol', (firstNormal: boolean): ListExpr[] => {
    const l = this.SUBRULE(this.list, { ARGS: [firstNormal] });
    this.lolStack.push([l]);
    let lists: ListExpr[];
    try {
      this.MANY(this.lolMore);
    } finally {
      lists = this.lolStack.pop()!;
    }
    return exact(lists);
  });

  /** The list being read: its elements and whether it reads in normal mode. */
  private readonly listStack: { out: Arg[]; normal: boolean }[] = [];
  private listAlts?: { ALT: () => void }[];
  private listMany?: { GATE: () => boolean; DEF: () => void };

  /**
   * Zero or more list elements. In punctuation mode alphabetic keywords are
   * words; `firstNormal` reads the first element in normal mode; a bracket
   * switches the rest of the list to normal mode.
   */
  private list = this.RULE('list', (firstNormal: boolean): Arg[] => {
    const state = { out: [] as Arg[], normal: firstNormal };
    this.listStack.push(state);
    try {
      this.MANY(
        (this.listMany ??= {
          GATE: () => {
            const t = this.LA(1).tokenType;
            return t === T.Word || t === T.LBracket || (!this.listStack[this.listStack.length - 1]!.normal && isAlpha(t));
          },
          DEF: () => {
            this.OR(
              (this.listAlts ??= [
                {
                  ALT: () => {
                    const tok = this.CONSUME(T.ArgTok);
                    if (this.RECORDING_PHASE) return;
                    const st = this.listStack[this.listStack.length - 1]!;
                    if (st.out.length === 0) st.normal = false;
                    st.out.push(this.lit(tok));
                  },
                },
                {
                  ALT: () => {
                    const b = this.SUBRULE(this.bracket);
                    if (this.RECORDING_PHASE) return;
                    const st = this.listStack[this.listStack.length - 1]!;
                    st.normal = true;
                    st.out.push(b);
                  },
                },
              ]),
            );
          },
        }),
      );
    } finally {
      this.listStack.pop();
    }
    return exact(state.out);
  });

  private argAlts?: { ALT: () => Arg }[];
  /** One argument read in normal mode: a word or `[ ... ]`. */
  private arg = this.RULE('arg', (): Arg => {
    return this.OR(
      (this.argAlts ??= [
        {
          ALT: () => {
            const tok = this.CONSUME(T.Word);
            return this.RECORDING_PHASE ? (tok as unknown as Arg) : this.lit(tok);
          },
        },
        { ALT: () => this.SUBRULE(this.bracket) },
      ]),
    );
  });

  private bracket = this.RULE('bracket', (): Arg => {
    const open = this.CONSUME(T.LBracket);
    const func = this.SUBRULE(this.func);
    this.CONSUME(T.RBracket);
    return this.ACTION((): Arg => ({ kind: 'call', func, ...this.pos(open) }));
  });

  private func = this.RULE('func', (): Func => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.On);
          const target = this.SUBRULE(this.arg);
          return this.OR1([
            {
              ALT: () => {
                this.CONSUME(T.Return);
                const list = this.SUBRULE(this.list, { ARGS: [false] });
                return this.ACTION((): Func => ({ kind: 'onReturn', target, list }));
              },
            },
            {
              ALT: () => {
                const rule = this.SUBRULE1(this.arg);
                const args = this.SUBRULE(this.lol, { ARGS: [false] });
                return this.ACTION((): Func => ({ kind: 'onInvoke', target, rule, args }));
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          const rule = this.SUBRULE2(this.arg);
          const args = this.SUBRULE1(this.lol, { ARGS: [false] });
          return this.ACTION((): Func => ({ kind: 'invoke', rule, args }));
        },
      },
    ]);
  });

  // ---- conditions, loosest to tightest: || |, && &, = !=, < <= > >=, ! ----

  private expr = this.RULE('expr', (): Cond => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.BarBar) }, { ALT: () => this.CONSUME(T.Bar) }]);
      const right = this.SUBRULE1(this.andExpr);
      this.ACTION(() => (left = { kind: 'or', left, right }));
    });
    return left;
  });

  private andExpr = this.RULE('andExpr', (): Cond => {
    let left = this.SUBRULE(this.eqExpr);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.AmperAmper) }, { ALT: () => this.CONSUME(T.Amper) }]);
      const right = this.SUBRULE1(this.eqExpr);
      this.ACTION(() => (left = { kind: 'and', left, right }));
    });
    return left;
  });

  private eqExpr = this.RULE('eqExpr', (): Cond => {
    let left = this.SUBRULE(this.relExpr);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => (this.CONSUME(T.Equals), 'eq' as const) },
        { ALT: () => (this.CONSUME(T.BangEquals), 'ne' as const) },
      ]);
      const right = this.SUBRULE1(this.relExpr);
      this.ACTION(() => (left = { kind: op, left, right }));
    });
    return left;
  });

  private relExpr = this.RULE('relExpr', (): Cond => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => (this.CONSUME(T.Less), 'lt' as const) },
        { ALT: () => (this.CONSUME(T.LessEquals), 'le' as const) },
        { ALT: () => (this.CONSUME(T.Greater), 'gt' as const) },
        { ALT: () => (this.CONSUME(T.GreaterEquals), 'ge' as const) },
      ]);
      const right = this.SUBRULE1(this.unary);
      this.ACTION(() => (left = { kind: op, left, right }));
    });
    return left;
  });

  private unary = this.RULE('unary', (): Cond => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Bang);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION((): Cond => ({ kind: 'not', operand }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
          return e;
        },
      },
      {
        ALT: () => {
          const a = this.SUBRULE(this.arg);
          let right: ListExpr | null = null;
          this.OPTION(() => {
            this.CONSUME(T.In);
            right = this.SUBRULE(this.list, { ARGS: [false] });
          });
          return this.ACTION(
            (): Cond => (right === null ? { kind: 'exists', arg: a } : { kind: 'in', left: a, right }),
          );
        },
      },
    ]);
  });
}

type ArgStmtTail =
  | { readonly kind: 'set'; readonly op: AssignOp; readonly values: ListExpr }
  | { readonly kind: 'setOn'; readonly targets: ListExpr; readonly op: AssignOp; readonly values: ListExpr }
  | { readonly kind: 'invoke'; readonly args: ListExpr[] };

/** `local` statements take the rest of their block as their body. */
function foldLocals(stmts: Stmt[]): Stmt[] {
  for (let i = stmts.length - 1; i >= 0; i--) {
    const s = stmts[i]!;
    if (s.kind === 'local' && i < stmts.length - 1) {
      stmts[i] = { ...s, body: stmts.slice(i + 1) };
      stmts.length = i + 1;
    }
  }
  return stmts;
}

/**
 * A copy of a finished array at its exact length. An array grown by push
 * keeps room for 17 or more elements; the tree holds over a million small
 * lists on large inputs, and the spare room was most of its memory (227 MB
 * of tree for a 5 MB Jamfile; the copies die young and cost little).
 */
function exact<T>(a: T[]): T[] {
  // Literals for the common short lengths: V8 tracks where literals are
  // made and allocates long-lived ones straight in the old generation,
  // which it cannot do for slice()'s results.
  switch (a.length) {
    case 0:
      return [];
    case 1:
      return [a[0]!];
    case 2:
      return [a[0]!, a[1]!];
    case 3:
      return [a[0]!, a[1]!, a[2]!];
    default:
      return a.slice();
  }
}

let parserInstance: JamParser | undefined;
/** The shared parser (building one costs a grammar analysis). */
export function jamParser(): JamParser {
  parserInstance ??= new JamParser();
  return parserInstance;
}
