/**
 * Rules: a name with an optional procedure (from `rule` or a built-in) and
 * optional command text (from `actions`). Invoking an unknown name creates
 * an empty rule, as jam's bindrule does.
 */
import type { Stmt } from '../../grammar/ast.js';
import type { ActionRule, ActionsDefinition } from '../graph/target.js';
import type { List } from './variables.js';

export type BuiltinFn = (args: readonly List[], at: CallSite) => List;

/** Where a rule was invoked from, for messages. */
export interface CallSite {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Procedure =
  | { readonly kind: 'user'; readonly body: readonly Stmt[]; readonly params: readonly string[]; readonly at: CallSite }
  | { readonly kind: 'builtin'; readonly run: BuiltinFn };

export interface Rule extends ActionRule {
  readonly name: string;
  procedure: Procedure | null;
  actions: ActionsDefinition | null;
}

export class RuleTable {
  private readonly rules = new Map<string, Rule>();

  bind(name: string): Rule {
    let r = this.rules.get(name);
    if (r === undefined) {
      r = { name, procedure: null, actions: null };
      this.rules.set(name, r);
    }
    return r;
  }

  find(name: string): Rule | undefined {
    return this.rules.get(name);
  }

  all(): IterableIterator<Rule> {
    return this.rules.values();
  }
}
