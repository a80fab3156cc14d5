/**
 * The plan as text (Portage-like lines) and as JSON.
 */
import type { Plan, PlanEntry, Reason } from '../planner/rebuild.js';
import { paint } from './style.js';
import { failureText } from './failure.js';

const INPUT_WORDS: Record<string, string> = {
  statements: 'build statements',
  scripts: 'scripts',
  sources: 'source checksums',
  options: 'options',
  unknown: 'inputs',
};

function list(xs: readonly string[]): string {
  return xs.length ? xs.join(' ') : '(none)';
}

export function describeReason(r: Reason): string {
  switch (r.kind) {
    case 'new':
      return 'not installed';
    case 'version':
      return `version ${r.from || '(none)'} → ${r.to || '(none)'}`;
    case 'inputs':
      return `changed ${r.what.map((w) => INPUT_WORDS[w] ?? w).join(', ')}`;
    case 'forced':
      return 'forced';
    case 'tight-rebuilt':
      return `tight dependency ${r.dep} rebuilt (${r.from === null ? `new ${r.to}` : r.from === r.to ? r.to : `${r.from} → ${r.to}`})`;
    case 'tight-changed':
      return (
        `tight dependency ${r.dep} changed since it was built ` +
        `(built against ${r.was.version} of ${r.was.builtAt}, installed is ${r.now.version} of ${r.now.builtAt})`
      );
    case 'loose-abi':
      return `loose dependency ${r.dep} ${r.rebuilt ? 'rebuilt with' : 'has'} ABI ${r.now} (built against ${r.was})`;
    case 'loose-options':
      return `loose dependency ${r.dep} options ${list(r.was)} → ${list(r.now)}`;
    case 'provider':
      return `${r.requested} now provided by ${r.now} (was ${r.was})`;
    case 'needed-by':
      return `needed by ${r.by}`;
  }
}

const LETTER: Record<string, string> = { new: 'N', update: 'U', rebuild: 'R' };

export function planLine(e: PlanEntry): string {
  const letter = LETTER[e.action]!;
  const col = e.action === 'new' ? paint.green : e.action === 'update' ? paint.cyan : paint.yellow;
  const version = e.from !== null && e.from !== e.to ? `${e.from || '-'} → ${e.to || '-'}` : e.to || '-';
  const main = e.reasons.find((r) => r.kind !== 'new' && r.kind !== 'needed-by') ?? e.reasons[0]!;
  let line = `[${col(letter)}] ${paint.bold(e.name)} ${version}  ${paint.dim(describeReason(main))}`;
  if (e.fromCache) line += paint.blue('  [from cache]');
  if (e.failed) line += paint.red(`  (${failureText(e.failed, e.to)})`);
  return line;
}

export function planText(plan: Plan): string {
  const lines = plan.entries.map(planLine);
  const counts = { new: 0, update: 0, rebuild: 0 };
  for (const e of plan.entries) counts[e.action]++;
  const cached = plan.entries.filter((e) => e.fromCache).length;
  lines.push(
    '',
    `${plan.entries.length} to build: ${counts.new} new, ${counts.update} updated, ${counts.rebuild} rebuilt` +
      (cached ? ` (${cached} from the cache)` : '') +
      `; ${plan.upToDate.length} up to date` +
      (plan.unbuildable.length ? `; ${plan.unbuildable.length} cannot be built` : ''),
  );
  return lines.join('\n');
}

export function planJson(plan: Plan): unknown {
  return {
    entries: plan.entries.map((e) => ({
      name: e.name,
      action: e.action,
      from: e.from,
      to: e.to,
      origin: e.origin,
      fingerprint: e.fingerprint,
      abi: e.abi,
      options: e.options,
      fromCache: e.fromCache,
      reasons: e.reasons.map((r) => ({ ...r, text: describeReason(r) })),
      failed: e.failed,
      dependencies: e.deps.map((d) => ({ kind: d.kind, name: d.name, requested: d.requested })),
    })),
    upToDate: plan.upToDate,
    unbuildable: plan.unbuildable,
    cycles: plan.cycles,
    orphans: plan.orphans,
  };
}
