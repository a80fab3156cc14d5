/** `jux plan [TARGET...]`: what would be built and why. */
import { planJson, planText } from '../../render/planText.js';
import { formatDiagnostic } from '../../render/diagnostics.js';
import { overridesFrom, say, sayJson, warn } from '../options.js';
import { checkPlan, planFor } from '../planning.js';

export default async function plan(o: Record<string, unknown>, targets: string[]): Promise<number> {
  const { plan } = await planFor(overridesFrom(o), targets, o, o.update ? 'update' : undefined);
  checkPlan(plan);
  if (o.json) {
    sayJson(planJson(plan));
    return 0;
  }
  if (plan.entries.length === 0) say('Nothing to build: everything is up to date.');
  else say(planText(plan));
  for (const u of plan.unbuildable) warn(formatDiagnostic({ severity: 'warning', message: `cannot build ${u.name}: ${u.why}`, at: null }));
  return 0;
}
