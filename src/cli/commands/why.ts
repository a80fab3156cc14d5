/** `jux why PACKAGE [TARGET...]`: the chain of reasons back to the change that caused it. */
import { JuxError } from '../../errors.js';
import type { Plan, PlanEntry, Reason } from '../../planner/rebuild.js';
import { describeReason } from '../../render/planText.js';
import { overridesFrom, say, sayJson } from '../options.js';
import { checkPlan, planFor } from '../planning.js';

/** The package a reason points at, if it is part of the plan. */
function cause(r: Reason): string | null {
  switch (r.kind) {
    case 'tight-rebuilt':
      return r.dep;
    case 'loose-abi':
    case 'loose-options':
      return r.rebuilt ? r.dep : null;
    case 'provider':
      return r.now;
    case 'needed-by':
      return r.by;
    default:
      return null;
  }
}

export interface WhyLine {
  readonly depth: number;
  readonly name: string;
  readonly reason: string;
}

export function whyChain(plan: Plan, name: string): WhyLine[] {
  const byName = new Map(plan.entries.map((e) => [e.name, e]));
  const lines: WhyLine[] = [];
  const seen = new Set<string>();
  const walk = (e: PlanEntry, depth: number): void => {
    if (seen.has(e.name)) return;
    seen.add(e.name);
    for (const r of e.reasons) {
      lines.push({ depth, name: e.name, reason: describeReason(r) });
      const c = cause(r);
      const next = c !== null && r.kind !== 'needed-by' ? byName.get(c) : undefined;
      if (next) walk(next, depth + 1);
    }
  };
  const e = byName.get(name);
  if (e) walk(e, 0);
  return lines;
}

export default async function why(o: Record<string, unknown>, args: string[]): Promise<number> {
  const [name, ...targets] = args;
  const { ctx, plan } = await planFor(overridesFrom(o), targets, o);
  checkPlan(plan);
  const lines = whyChain(plan, name!);
  if (o.json) {
    sayJson({ package: name, rebuilt: lines.length > 0, chain: lines });
    return 0;
  }
  if (lines.length) {
    for (const l of lines) say(`${'  '.repeat(l.depth)}${l.name}: ${l.reason}`);
    return 0;
  }
  const u = plan.unbuildable.find((x) => x.name === name);
  if (u) say(`${name} cannot be built: ${u.why}`);
  else if (ctx.installed.has(name!) && !ctx.graph.spells.has(name!)) say(`${name} is installed but no longer in any spell root; it is never rebuilt`);
  else if (ctx.installed.has(name!)) say(`${name} is up to date: nothing requires a rebuild`);
  else if (ctx.graph.spells.has(name!)) say(`${name} is not installed and not part of this request`);
  else throw new JuxError(`no spell named ${name}`);
  return 0;
}
