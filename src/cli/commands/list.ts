/** `jux list`: installed packages, their versions, and which are out of date. */
import { describeReason } from '../../render/planText.js';
import { paint } from '../../render/style.js';
import { loadContext } from '../context.js';
import { overridesFrom, say, sayJson } from '../options.js';
import { makePlan } from '../planning.js';
import { failureText } from '../../render/failure.js';

export default async function list(o: Record<string, unknown>): Promise<number> {
  const ctx = await loadContext(overridesFrom(o));
  const plan = makePlan(ctx, { mode: 'update', targets: [], forceAll: false, rebuild: [] });
  const pending = new Map(plan.entries.map((e) => [e.name, e]));
  const rows = [...ctx.installed.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((r) => {
      const spell = ctx.graph.spells.get(r.name);
      const e = pending.get(r.name);
      const status = !spell ? 'orphan' : e ? (e.action === 'update' ? 'update' : 'rebuild') : 'current';
      return {
        name: r.name,
        version: r.version,
        available: spell?.version ?? null,
        builtAt: r.builtAt,
        status,
        reason: e ? describeReason(e.reasons[0]!) : null,
        failed: ctx.failures.get(r.name) ?? null,
      };
    });
  if (o.json) {
    sayJson(rows);
    return 0;
  }
  for (const r of rows) {
    let line = `${paint.bold(r.name)} ${r.version}`;
    if (r.status === 'update') line += paint.cyan(`  → ${r.available} available`);
    else if (r.status === 'rebuild') line += paint.yellow(`  needs a rebuild: ${r.reason}`);
    else if (r.status === 'orphan') line += paint.dim('  (no longer in any spell root)');
    if (r.failed) line += paint.red(`  (${failureText(r.failed, r.version)})`);
    say(line);
  }
  if (!rows.length) say('nothing is installed');
  return 0;
}
