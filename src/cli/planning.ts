/**
 * Making a plan for a command: load the context, list the binary package
 * cache, run the planner, and report errors and warnings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JuxError } from '../errors.js';
import { type Plan, type PlanRequest, planRebuilds } from '../planner/rebuild.js';
import { formatDiagnostic } from '../render/diagnostics.js';
import { warn } from './options.js';
import { type Context, loadContext } from './context.js';
import type { ConfigOverrides } from '../config/config.js';

export function cachedArchives(cacheDir: string): Set<string> {
  try {
    return new Set(fs.readdirSync(path.join(cacheDir, 'packages')).filter((f) => f.endsWith('.tar.gz')));
  } catch {
    return new Set();
  }
}

export function makePlan(ctx: Context, request: PlanRequest, opts: { useCache?: boolean } = {}): Plan {
  return planRebuilds({
    graph: ctx.graph,
    resolution: ctx.resolution,
    installed: ctx.installed,
    failures: ctx.failures,
    request,
    cachedArchives: opts.useCache === false ? new Set() : cachedArchives(ctx.config.cache),
  });
}

/** Print warnings; throw (exit 2) on errors. */
export function checkPlan(plan: Plan): void {
  for (const w of plan.warnings) warn(formatDiagnostic(w, { source: false }));
  if (plan.errors.length) {
    throw new JuxError(
      `cannot plan: ${plan.errors.length} error${plan.errors.length === 1 ? '' : 's'}`,
      null,
      2,
      plan.errors.map((d) => formatDiagnostic(d)),
    );
  }
}

export function requestFrom(targets: readonly string[], o: Record<string, unknown>, mode?: PlanRequest['mode']): PlanRequest {
  return {
    mode: mode ?? (targets.length ? 'targets' : 'tree'),
    targets,
    forceAll: Boolean(o.all),
    rebuild: (o.rebuild as string[] | undefined) ?? [],
  };
}

export async function planFor(
  overrides: ConfigOverrides,
  targets: readonly string[],
  o: Record<string, unknown>,
  mode?: PlanRequest['mode'],
): Promise<{ ctx: Context; plan: Plan }> {
  const ctx = await loadContext(overrides);
  const plan = makePlan(ctx, requestFrom(targets, o, mode), { useCache: o.cache !== false });
  return { ctx, plan };
}
