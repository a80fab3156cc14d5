/** `jux plan [TARGET...]`: what would be built and why. */
import { planJson, planText } from '../../render/planText.js';
import { overridesFrom, say, sayJson } from '../options.js';
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
  return 0;
}
