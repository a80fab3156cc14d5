/**
 * `jux build [TARGET...]` (and `jux update`): plan, then build, install and
 * record. The state lock is held for the whole run; an interrupted
 * transaction from an earlier run is finished or undone first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkScripts } from '../../builder/build.js';
import { type Config, loadConfig } from '../../config/config.js';
import { JuxError } from '../../errors.js';
import { checkArchive, findArchive } from '../../installer/archive.js';
import type { PlanRequest } from '../../planner/rebuild.js';
import { BuildView } from '../../render/buildView.js';
import { planJson, planText } from '../../render/planText.js';
import { colorEnabled } from '../../render/style.js';
import type { RunSummary } from '../../scheduler/buildEvents.js';
import { PackageRun } from '../../scheduler/packageScheduler.js';
import { defaultScripts, loadContext } from '../context.js';
import { openSystem } from '../system.js';
import { overridesFrom, say, sayJson, warn } from '../options.js';
import { checkPlan, makePlan, requestFrom } from '../planning.js';
import { missingSources, sourceFetcher } from '../fetching.js';

export async function buildCommand(o: Record<string, unknown>, targets: string[], mode?: PlanRequest['mode']): Promise<number> {
  const overrides = overridesFrom(o);
  const config = await loadConfig(overrides);
  const request = requestFrom(targets, o, mode);

  if (o.dryRun) {
    const ctx = await loadContext(overrides);
    const plan = makePlan(ctx, request, { useCache: o.cache !== false });
    checkPlan(plan);
    if (o.json) sayJson(planJson(plan));
    else say(plan.entries.length ? planText(plan) : 'Nothing to build: everything is up to date.');
    return 0;
  }

  checkRoot(config);
  const system = await openSystem(config, o, process.argv.slice(2).join(' '));
  try {
    const ctx = await loadContext(overrides);
    const plan = makePlan(ctx, request, { useCache: o.cache !== false });
    checkPlan(plan);
    if (plan.entries.length === 0) {
      say('Nothing to build: everything is up to date.');
      return 0;
    }
    // Scripts that cannot run are bad input: say so before anything changes.
    const defaults = defaultScripts(config);
    const problems = plan.entries.flatMap((e) => checkScripts(ctx.graph.spells.get(e.name)!, defaults));
    if (problems.length) throw new JuxError(`cannot build: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, null, 2, problems);
    // So are unsafe archives in the cache: every one the plan installs is checked first.
    if (o.cache !== false) {
      for (const e of plan.entries) {
        const archive = e.fromCache ? findArchive(config.cache, e.archive) : null;
        if (archive !== null) await checkArchive(archive);
      }
    }
    if (o.offline) {
      // Offline, a source missing from the cache is known now: say which before building anything.
      const compiled = plan.entries.filter((e) => !(o.cache !== false && e.fromCache)).map((e) => ctx.graph.spells.get(e.name)!);
      const missing = missingSources(config, compiled);
      if (missing.length) {
        const n = missing.length;
        throw new JuxError(
          `cannot build offline: ${n} source${n === 1 ? ' is' : 's are'} not in the source cache (jux fetch gets them); nothing was built`,
          null,
          2,
          missing.map((m) => `  ${m}`),
        );
      }
    }

    const tx = system.journal.begin(`jux ${process.argv.slice(2).join(' ')}`);
    const live = colorEnabled() && Boolean(process.stdout.isTTY) && !o.plain;
    const view = new BuildView({ live, verbose: Boolean(o.verbose), cwd: process.cwd() });
    const run = new PackageRun(
      plan,
      { config, graph: ctx.graph, installer: system.installer, tx, installed: ctx.installed },
      {
        jobs: config.jobs,
        quit: Boolean(o.quit),
        verbose: Boolean(o.verbose),
        useCache: o.cache !== false,
        offline: Boolean(o.offline),
        strict: Boolean(o.strict),
        keepBuild: Boolean(o.keepBuild) || process.env.JUX_KEEP_BUILD === '1',
        defaults,
        fetchSources: sourceFetcher(config, { offline: Boolean(o.offline), strict: Boolean(o.strict), warn }),
      },
      view,
    );
    const stop = (): void => run.interrupt();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    let summary: RunSummary;
    try {
      summary = await run.run();
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      system.installer.commit(tx);
    }
    if (summary.interrupted) return 130;
    // A build that tried to write outside its staging tree is bad input.
    if (summary.failed.some((f) => f.status === 'unsafe')) return 2;
    return summary.failed.length || summary.skipped.length ? 1 : 0;
  } finally {
    system.close();
  }
}

/** The root must be a directory jux can write to; it is created if missing. */
function checkRoot(config: Config): void {
  try {
    fs.mkdirSync(config.root, { recursive: true });
    const st = fs.statSync(config.root);
    if (!st.isDirectory()) throw new Error('not a directory');
    const probe = path.join(config.root, `.jux-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (e) {
    throw new JuxError(`the root ${config.root} is not a writable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was built`);
  }
}

export default function build(o: Record<string, unknown>, targets: string[]): Promise<number> {
  return buildCommand(o, targets);
}
