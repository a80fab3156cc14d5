/**
 * What changed between two plans (jux watch): packages that came into the
 * plan, left it, or are in both with a different line (version, action,
 * reason, cache), and the problems that appeared or went away.
 */
import type { Diagnostic } from '../graph/spellTree.js';
import type { Plan, PlanEntry } from '../planner/rebuild.js';
import { formatDiagnostic } from './diagnostics.js';
import { planLine } from './planText.js';
import { paint } from './style.js';

export interface PlanChange {
  readonly kind: 'added' | 'removed' | 'changed';
  readonly name: string;
  readonly before: PlanEntry | null;
  readonly after: PlanEntry | null;
  /** For a package that left the plan: why. */
  readonly why: string | null;
}

export interface PlanDiff {
  readonly changes: readonly PlanChange[];
  readonly newProblems: readonly Diagnostic[];
  readonly fixedProblems: readonly Diagnostic[];
}

/** Compare two plans; `spells` says which names the tree still has, `unbuildable` why some cannot be built. */
export function diffPlans(before: Plan, after: Plan, hasSpell: (name: string) => boolean): PlanDiff {
  const old = new Map(before.entries.map((e) => [e.name, e]));
  const now = new Map(after.entries.map((e) => [e.name, e]));
  const unbuildable = new Map(after.unbuildable.map((u) => [u.name, u.why]));
  const upToDate = new Set(after.upToDate);
  const changes: PlanChange[] = [];
  for (const e of after.entries) {
    const b = old.get(e.name);
    if (b === undefined) changes.push({ kind: 'added', name: e.name, before: null, after: e, why: null });
    else if (!sameEntry(b, e)) {
      changes.push({ kind: 'changed', name: e.name, before: b, after: e, why: null });
    }
  }
  for (const b of before.entries) {
    if (now.has(b.name)) continue;
    const why = !hasSpell(b.name)
      ? 'no longer in any spell root'
      : unbuildable.has(b.name)
        ? `cannot be built: ${unbuildable.get(b.name)}`
        : upToDate.has(b.name)
          ? 'up to date'
          : 'no longer needed';
    changes.push({ kind: 'removed', name: b.name, before: b, after: null, why });
  }
  const order = new Map(after.entries.map((e, i) => [e.name, i]));
  changes.sort((x, y) => (order.get(x.name) ?? 1e9) - (order.get(y.name) ?? 1e9) || (x.name < y.name ? -1 : 1));
  const key = (d: Diagnostic): string => `${d.severity}\0${d.message}\0${d.at?.file}\0${d.at?.line}\0${d.at?.col}`;
  const problems = (p: Plan): Diagnostic[] => [...p.errors, ...p.warnings];
  // (Most problems are the same objects in both plans: the texts are compared only when some are not.)
  const was = problems(before);
  const is = problems(after);
  // The same problems in the same order (the usual case): nothing appeared or went away.
  if (was.length === is.length && was.every((d, i) => d === is[i] || key(d) === key(is[i]!))) {
    return { changes, newProblems: [], fixedProblems: [] };
  }
  const wasSet = new Set(was);
  const isSet = new Set(is);
  const newOnes = is.filter((d) => !wasSet.has(d));
  const goneOnes = was.filter((d) => !isSet.has(d));
  const had = newOnes.length ? new Set(was.map(key)) : null;
  const has = goneOnes.length ? new Set(is.map(key)) : null;
  return {
    changes,
    newProblems: newOnes.filter((d) => !had!.has(key(d))),
    fixedProblems: goneOnes.filter((d) => !has!.has(key(d))),
  };
}

/** Two plan entries print the same line and build the same archive. */
function sameEntry(a: PlanEntry, b: PlanEntry): boolean {
  if (a === b) return true;
  return (
    a.archive === b.archive &&
    a.action === b.action &&
    a.from === b.from &&
    a.to === b.to &&
    a.fromCache === b.fromCache &&
    (a.failed?.at ?? null) === (b.failed?.at ?? null) &&
    sameValue(a.reasons, b.reasons)
  );
}

/** Structural equality of reasons (plain data: strings, numbers, booleans, arrays, objects). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (!Object.hasOwn(rb, k) || !sameValue(ra[k], rb[k])) return false;
  return true;
}

/** The diff as lines for a terminal. */
export function diffText(diff: PlanDiff): string[] {
  const lines: string[] = [];
  for (const c of diff.changes) {
    if (c.kind === 'added') lines.push(`${paint.green('+')} ${planLine(c.after!)}`);
    else if (c.kind === 'changed') lines.push(`${paint.yellow('~')} ${planLine(c.after!)}`);
    else lines.push(`${paint.red('-')} ${paint.bold(c.name)}  ${paint.dim(c.why ?? '')}`);
  }
  for (const d of diff.newProblems) lines.push(formatDiagnostic(d, { source: false }));
  for (const d of diff.fixedProblems) lines.push(`${paint.green('fixed')}: ${formatDiagnostic(d, { source: false })}`);
  return lines;
}
