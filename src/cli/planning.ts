/**
 * Making a plan for a command: load the context, list the binary package
 * cache, run the planner, and report errors and warnings.
 */
import fs from 'node:fs';
import { JuxError } from '../errors.js';
import { archiveDirs } from '../installer/archiveLocation.js';
import { type Plan, type PlanRequest, planRebuilds } from '../planner/rebuild.js';
import { formatDiagnostic } from '../render/diagnostics.js';
import { pointAtWords } from '../lint/position.js';
import { warn } from './options.js';
import { type Context, loadContext } from './context.js';
import type { ConfigOverrides } from '../config/config.js';

/** The names of the built packages in the cache (CACHE/, and the old CACHE/packages/). */
export function cachedArchives(cacheDir: string): Set<string> {
  const names = new Set<string>();
  for (const dir of archiveDirs(cacheDir)) {
    try {
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.tar.gz')) names.add(f);
    } catch {
      // no such folder
    }
  }
  return names;
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

const AMBIGUOUS = /^(\S+) depends on (\S+), which (?:both|all) of (.*) provide; (choose .*)$/;

/**
 * Print warnings, one line per distinct problem (a capability several spells
 * provide, needed by 400 spells, is one line naming how many and the
 * first); throw (exit 2) on errors.
 */
export function checkPlan(plan: Plan): void {
  const groups = new Map<string, { first: Plan['warnings'][number]; count: number }>();
  for (const w of plan.warnings) {
    const m = AMBIGUOUS.exec(w.message);
    const key = m ? `cap:${m[2]}` : `${w.message}\0${JSON.stringify(w.at)}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { first: w, count: 1 });
  }
  for (const g of groups.values()) {
    const m = AMBIGUOUS.exec(g.first.message);
    const message = m
      ? `${m[2]} is provided by ${m[3]}; ${m[4]} — needed by ${g.count} spell${g.count === 1 ? '' : 's'}, first ${m[1]}`
      : g.first.message;
    warn(formatDiagnostic(pointAtWords([{ ...g.first, message }])[0]!, { source: false, cwd: process.cwd() }));
  }
  if (plan.unbuildable.length) {
    warn(
      `${plan.unbuildable.length} spell${plan.unbuildable.length === 1 ? '' : 's'} cannot be built because of the problems above ` +
        '(jux plan --json lists them, with why)',
    );
  }
  if (plan.errors.length) {
    throw new JuxError(
      `cannot plan: ${plan.errors.length} error${plan.errors.length === 1 ? '' : 's'}`,
      null,
      2,
      pointAtWords(plan.errors).map((d) => formatDiagnostic(d, { cwd: process.cwd() })),
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
