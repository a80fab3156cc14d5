/**
 * Turning a target's actions into commands (jam's make1cmds): `together`
 * merges the sources of repeated actions, `updated` and `existing` filter
 * them, `bind` binds listed variables, and `piecemeal` splits commands
 * that exceed `maxline`.
 */
import type { JamReporter } from '../events.js';
import {
  type Action,
  type ActionRule,
  Binding,
  Fate,
  RuleFlag,
  type Target,
  TargetFlag,
  type TargetTable,
} from '../graph/target.js';
import { expandActionText } from '../interpreter/expand.js';
import { addSetting, EMPTY, type List, type Settings, type Variables } from '../interpreter/variables.js';

/** jam's MAXLINE on Unix: the longest command it will run. */
export const EXEC_MAX = 20480;

export interface Command {
  readonly rule: ActionRule;
  /** Bound names of the targets ($(<)). */
  readonly targets: List;
  readonly sources: List;
  readonly shell: List;
  readonly text: string;
}

/** What building commands needs from the rest of the engine. */
export interface CommandContext {
  readonly vars: Variables;
  readonly targets: TargetTable;
  readonly reporter: JamReporter;
  /** Bind a target that make0 never saw, under its own variables. */
  bind(t: Target): { boundname: string; time: number };
}

/** Raised when an action's command is too long and cannot be split. */
export class ActionsTooLong extends Error {
  constructor(
    readonly rule: string,
    readonly maxline: number,
  ) {
    super(`${rule} actions too long (max ${maxline})!`);
  }
}

export function buildCommands(actions: readonly Action[], ctx: CommandContext): Command[] {
  const cmds: Command[] = [];
  const shell = ctx.vars.get('JAMSHELL');
  for (let i = 0; i < actions.length; i++) {
    const a0 = actions[i]!;
    const rule = a0.rule;
    const def = rule.actions;
    if (def === null || a0.running) continue;
    a0.running = true;
    const flags = def.flags;
    const nt = bindList([], a0.targets, 0, ctx);
    let ns = bindList([], a0.sources, flags, ctx);
    if (flags & RuleFlag.together) {
      for (let j = i + 1; j < actions.length; j++) {
        const a1 = actions[j]!;
        if (a1.rule === rule && !a1.running) {
          ns = bindList(ns, a1.sources, flags, ctx);
          a1.running = true;
        }
      }
    }
    if (!ns.length && flags & (RuleFlag.updated | RuleFlag.existing)) continue;

    const boundVars = bindVariables(def.bindlist, ctx);
    ctx.vars.swapSettings(boundVars);
    try {
      let start = 0;
      let chunk = ns.length;
      const length = ns.length;
      let maxline = Math.trunc(flags / RuleFlag.maxlineUnit);
      maxline = maxline && maxline < EXEC_MAX ? maxline : EXEC_MAX;
      do {
        const sources = ns.slice(start, start + chunk);
        const text = expandActionText(def.text, [nt, sources], (n) => ctx.vars.get(n), maxline);
        if (text !== null) {
          cmds.push({ rule, targets: nt, sources, shell, text });
          start += chunk;
        } else if (flags & RuleFlag.piecemeal && chunk > 1) {
          chunk = Math.trunc((chunk * 9) / 10);
        } else {
          throw new ActionsTooLong(rule.name, maxline);
        }
      } while (start < length);
    } finally {
      ctx.vars.swapSettings(boundVars);
    }
  }
  return cmds;
}

/** $(<) / $(>) as bound names (jam's make1list). */
function bindList(l: string[], targets: readonly Target[], flags: number, ctx: CommandContext): string[] {
  for (const t of targets) {
    if (t.binding === Binding.unbound) bindLate(t, !(flags & RuleFlag.existing), ctx);
    if (flags & RuleFlag.existing && t.binding !== Binding.exists) continue;
    if (flags & RuleFlag.updated && t.fate <= Fate.stable) continue;
    if (flags & RuleFlag.together && l.includes(t.boundname)) continue;
    l.push(t.boundname);
  }
  return l;
}

/** Values of `bind` variables replaced by the bound names of those targets. */
function bindVariables(names: List, ctx: CommandContext): Settings | null {
  let settings: Settings | null = null;
  for (const name of names) {
    const nl: string[] = [];
    for (const v of ctx.vars.get(name)) {
      const t = ctx.targets.bind(v);
      if (t.binding === Binding.unbound) bindLate(t, true, ctx);
      nl.push(t.boundname);
    }
    settings = addSetting(settings, 'set', name, nl.length ? nl : EMPTY);
  }
  return settings;
}

/** Bind a target outside the dependency graph (jam's make1bind). */
export function bindLate(t: Target, warn: boolean, ctx: CommandContext): void {
  if (t.flags & TargetFlag.notfile) return;
  if (warn) ctx.reporter.emit({ type: 'independentTarget', target: t.name });
  const b = ctx.bind(t);
  t.boundname = b.boundname;
  t.time = b.time;
  t.binding = t.time ? Binding.exists : Binding.missing;
}
