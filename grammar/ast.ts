/**
 * The abstract syntax tree of the Jam language.
 *
 * Every node carries the file, line and column (1-based) where it starts.
 * Literal words are pre-analysed for `$(...)` references (`template`), so
 * the interpreter never re-scans constant text.
 */

export interface Node {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/**
 * A word compiled for variable expansion: `prefix $(inner) rest`.
 * `inner` is the text between `$(` and its `)` with Jam's magic characters
 * substituted for `:` `[` `]`; `rest` is the remainder of the word.
 * A plain string means "no variable reference: this text as it is".
 */
export type Template = string | TemplateRef;
export interface TemplateRef {
  readonly prefix: string;
  readonly inner: Template;
  /** True when the text between the parentheses is empty: `$()`. */
  readonly innerEmpty: boolean;
  /** The remainder after `)`, or null when nothing follows. */
  readonly rest: Template | null;
  /** `$(<)`, `$(>)`, `$(1)`..`$(9)` alone: the index of the argument, else -1. */
  readonly argIndex: number;
}

/**
 * A literal word. Literals carry no position (the statement holding them
 * does) and equal words share one object, which keeps large trees small.
 */
export interface LiteralArg {
  readonly kind: 'lit';
  /** The decoded word (quotes and escapes resolved). */
  readonly text: string;
  /** The compiled form when the word holds `$(`, else null. */
  readonly template: TemplateRef | null;
}

export interface CallArg extends Node {
  readonly kind: 'call';
  readonly func: Func;
}

/** One element of a list: a word, or a `[ ... ]` invocation. */
export type Arg = LiteralArg | CallArg;
export type ListExpr = readonly Arg[];

/** The inside of `[ ... ]`. */
export type Func =
  | { readonly kind: 'invoke'; readonly rule: Arg; readonly args: readonly ListExpr[] }
  | { readonly kind: 'onInvoke'; readonly target: Arg; readonly rule: Arg; readonly args: readonly ListExpr[] }
  | { readonly kind: 'onReturn'; readonly target: Arg; readonly list: ListExpr };

export type AssignOp = 'set' | 'append' | 'default';

export type Stmt =
  | BlockStmt
  | IncludeStmt
  | JumpStmt
  | ForStmt
  | SwitchStmt
  | IfStmt
  | WhileStmt
  | RuleDefStmt
  | OnStmt
  | ActionsDefStmt
  | SetStmt
  | SetOnStmt
  | InvokeStmt
  | LocalStmt;

export interface BlockStmt extends Node {
  readonly kind: 'block';
  readonly body: readonly Stmt[];
}
export interface IncludeStmt extends Node {
  readonly kind: 'include';
  readonly list: ListExpr;
}
export interface JumpStmt extends Node {
  readonly kind: 'break' | 'continue' | 'return';
  readonly list: ListExpr;
}
export interface ForStmt extends Node {
  readonly kind: 'for';
  readonly variable: string;
  readonly list: ListExpr;
  readonly body: readonly Stmt[];
}
export interface SwitchCase extends Node {
  readonly pattern: string;
  readonly body: readonly Stmt[];
}
export interface SwitchStmt extends Node {
  readonly kind: 'switch';
  readonly list: ListExpr;
  readonly cases: readonly SwitchCase[];
}
export interface IfStmt extends Node {
  readonly kind: 'if';
  readonly cond: Cond;
  readonly then: readonly Stmt[];
  readonly otherwise: Stmt | null;
}
export interface WhileStmt extends Node {
  readonly kind: 'while';
  readonly cond: Cond;
  readonly body: readonly Stmt[];
}
export interface RuleDefStmt extends Node {
  readonly kind: 'ruleDef';
  readonly name: string;
  readonly params: readonly string[];
  readonly body: readonly Stmt[];
}
export interface OnStmt extends Node {
  readonly kind: 'on';
  readonly target: Arg;
  readonly stmt: Stmt;
}

/** Modifier bits of `actions`, as jam's RULE_* flags. */
export const ActionFlag = {
  updated: 0x01,
  together: 0x02,
  ignore: 0x04,
  quietly: 0x08,
  piecemeal: 0x10,
  existing: 0x20,
  /** `maxline N` is stored as N * 0x40, or-ed in (jam's encoding). */
  maxlineUnit: 0x40,
} as const;

export interface ActionsDefStmt extends Node {
  readonly kind: 'actionsDef';
  readonly name: string;
  /** RULE_* bits, with maxline encoded as jam does. */
  readonly flags: number;
  readonly bind: ListExpr;
  /** The raw command text between the braces. */
  readonly body: string;
}
export interface SetStmt extends Node {
  readonly kind: 'set';
  readonly names: Arg;
  readonly op: AssignOp;
  readonly values: ListExpr;
}
export interface SetOnStmt extends Node {
  readonly kind: 'setOn';
  readonly names: Arg;
  readonly targets: ListExpr;
  readonly op: AssignOp;
  readonly values: ListExpr;
}
export interface InvokeStmt extends Node {
  readonly kind: 'invoke';
  readonly rule: Arg;
  readonly args: readonly ListExpr[];
}
/** `local names [= values] ;` followed by the rest of its block. */
export interface LocalStmt extends Node {
  readonly kind: 'local';
  readonly names: ListExpr;
  readonly values: ListExpr | null;
  readonly body: readonly Stmt[];
}

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type Cond =
  | { readonly kind: 'exists'; readonly arg: Arg }
  | { readonly kind: 'in'; readonly left: Arg; readonly right: ListExpr }
  | { readonly kind: 'not'; readonly operand: Cond }
  | { readonly kind: 'and' | 'or'; readonly left: Cond; readonly right: Cond }
  | { readonly kind: CompareOp; readonly left: Cond; readonly right: Cond };

/** A parsed file. */
export interface Program {
  readonly file: string;
  readonly body: readonly Stmt[];
}
