/**
 * `jux watch [TARGET...] [--build] [--debounce MS]`: keep the spell tree in
 * memory and, on every change under the spell roots (or to jux.yaml, or to
 * the installed state), re-read only the files that changed, re-plan, and
 * print what changed in the plan and why. Errors are shown and the last good
 * plan kept until they are fixed. With --build, a plan with work in it is
 * built (by a `jux build` child, so an interrupted build leaves watch
 * running). Bursts of changes are handled once, after a quiet period.
 * Ctrl-C (or SIGTERM) stops watching with status 0.
 */
import path from 'node:path';
import chokidar from 'chokidar';
import { execa } from 'execa';
import { type Config, loadConfig } from '../../config/config.js';
import type { PackageGraph } from '../../graph/packageGraph.js';
import { LiveTree } from '../../graph/liveTree.js';
import { type Plan, planRebuilds } from '../../planner/rebuild.js';
import { type Resolution, resolveDependencies } from '../../planner/resolve.js';
import { formatDiagnostic, forgetSources } from '../../render/diagnostics.js';
import { pointAtWords } from '../../lint/position.js';
import { diffPlans, diffText } from '../../render/planDiff.js';
import { planText } from '../../render/planText.js';
import { paint } from '../../render/style.js';
import type { FailureRecord, InstalledRecord } from '../../state/stateFile.js';
import { StateStore } from '../../state/stateStore.js';
import { defaultScripts } from '../context.js';
import { flushSay, flushWarn, overridesFrom, say } from '../options.js';
import { cachedArchives, requestFrom } from '../planning.js';

interface Planned {
  readonly graph: PackageGraph;
  readonly resolution: Resolution;
  readonly plan: Plan;
}

export default async function watch(o: Record<string, unknown>, targets: string[]): Promise<number> {
  const overrides = overridesFrom(o);
  const debounceMs = Math.max(0, Number(o.debounce ?? 100));
  let config = await loadConfig(overrides);
  const request = requestFrom(targets, o);
  let tree = await LiveTree.load(config.roots, config.rulesDir, defaultScripts(config));
  let state = await loadState(config);
  let last: Planned | null = null; // the last good plan
  let broken = false; // the tree has errors: the plan waits for a fix

  const show = (): void => {
    flushWarn();
    flushSay();
  };
  const rel = (p: string): string => path.relative(process.cwd(), p) || p;

  /** Plan the tree as it is now; null (errors printed, after `announce`) when it has load errors. */
  const replan = (graph: PackageGraph, announce: () => void = () => undefined): Planned | null => {
    const errors = graph.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      announce();
      forgetSources();
      for (const d of pointAtWords(errors)) say(formatDiagnostic(d, { cwd: process.cwd() }));
      say(
        paint.red(`${errors.length} error${errors.length === 1 ? '' : 's'} in the spell tree`) +
          (last ? ': the plan above stands until they are fixed' : ': nothing to plan until they are fixed'),
      );
      return null;
    }
    const resolution = resolveDependencies(
      graph,
      state.installed,
      config,
      last ? { graph: last.graph, installed: state.installed, cfg: config, resolution: last.resolution } : undefined,
    );
    const plan = planRebuilds({
      graph,
      resolution,
      installed: state.installed,
      failures: state.failures,
      request,
      cachedArchives: o.cache === false ? new Set() : cachedArchives(config.cache),
    });
    return { graph, resolution, plan };
  };

  const describeFull = (p: Plan): void => {
    for (const d of pointAtWords([...p.errors, ...p.warnings])) say(formatDiagnostic(d, { source: false, cwd: process.cwd() }));
    say(p.entries.length ? planText(p) : 'Nothing to build: everything is up to date.');
  };

  // Watching starts before the first plan is printed: a change made after
  // the "Watching" line is always seen.
  const early: string[] = [];
  let onChange: (abs: string) => void = (abs) => early.push(abs);
  const stateDir = path.resolve(config.state);
  const configFile = config.file ? path.resolve(config.file) : null;
  const watched = [...config.roots, config.rulesDir, ...(configFile ? [configFile] : []), stateDir];
  const watcher = chokidar.watch(watched, {
    ignoreInitial: true,
    // The journal and lock change on every run; only package records matter.
    ignored: (p: string) => p.startsWith(stateDir + '/') && !/\.(state|files)$/.test(p) && p !== stateDir,
  });
  watcher.on('all', (_event, p) => onChange(path.resolve(p)));
  watcher.on('error', (e) => {
    say(paint.red(`jux watch: ${(e as Error).message}`));
    show();
  });
  await new Promise<void>((resolve) => watcher.on('ready', () => resolve()));
  say(
    `Watching ${tree.graph.spells.size} spell${tree.graph.spells.size === 1 ? '' : 's'} in ` +
      `${config.roots.map(rel).join(', ')} (Ctrl-C to stop)`,
  );
  const first = replan(tree.graph);
  if (first) {
    last = first;
    describeFull(first.plan);
  } else broken = true;
  show();

  // ---- building (--build) ----
  let building: ReturnType<typeof execa> | null = null;
  const build = async (): Promise<void> => {
    if (!o.build || !last || broken || last.plan.entries.length === 0 || last.plan.errors.length) return;
    say(paint.bold(`Building ${last.plan.entries.length} package${last.plan.entries.length === 1 ? '' : 's'}...`));
    show();
    const args = [...globalArgs(o), 'build', ...targets, ...(o.cache === false ? ['--no-cache'] : []), '--wait'];
    building = execa(process.execPath, [process.argv[1]!, ...args], { stdio: 'inherit', reject: false });
    const r = await building;
    building = null;
    say(r.exitCode === 0 ? paint.green('Build finished.') : paint.red(`Build failed (status ${r.exitCode ?? r.signal}).`));
    state = await loadState(config);
    stateChanged = false; // what the build wrote is read now
    const after = replan(tree.graph);
    if (after) {
      const d = diffPlans(last.plan, after.plan, (n) => after.graph.spells.has(n));
      for (const l of diffText(d)) say(l);
      say(summary(after.plan, last.plan));
      last = after;
    }
    show();
  };

  // ---- reacting to changes ----
  const pending = new Set<string>();
  let stateChanged = false;
  let configChanged = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const cycle = async (): Promise<void> => {
    if (stopped) return;
    const paths = [...pending];
    pending.clear();
    const reloadConfig = configChanged;
    const reloadState = stateChanged;
    configChanged = stateChanged = false;
    if (!paths.length && !reloadConfig && !reloadState) return;
    const started = performance.now();
    try {
      let reread: readonly string[] = [];
      let dropped: readonly string[] = [];
      if (reloadConfig) {
        const next = await loadConfig(overrides);
        if (JSON.stringify(next.roots) !== JSON.stringify(config.roots)) {
          config = next;
          tree = await LiveTree.load(config.roots, config.rulesDir, defaultScripts(config));
          last = null;
        } else config = next;
      }
      if (reloadState) state = await loadState(config);
      if (paths.length) {
        const u = await tree.update(paths);
        reread = u.reread;
        dropped = u.dropped;
      }
      const what = [
        ...[...reread].sort().map((p) => `${rel(p)}`),
        ...[...dropped].sort().map((p) => `${rel(p)} (removed)`),
        ...(reread.length + dropped.length === 0 && paths.length ? paths.map(rel) : []),
        ...(reloadConfig ? ['configuration'] : []),
        ...(reloadState ? ['installed state'] : []),
      ];
      // What changed comes first, then the errors or the new plan.
      let announced = false;
      const announce = (): void => {
        if (announced) return;
        announced = true;
        say(paint.dim(`[${clock()}] ${summarize(what)} — re-planned in ${(performance.now() - started).toFixed(0)} ms`));
      };
      const next = replan(tree.graph, announce);
      announce();
      if (next === null) {
        broken = true;
        return;
      }
      if (broken) say(paint.green('The spell tree has no errors any more.'));
      broken = false;
      if (last === null) describeFull(next.plan);
      else {
        const d = diffPlans(last.plan, next.plan, (n) => next.graph.spells.has(n));
        const lines = diffText(d);
        if (lines.length) for (const l of lines) say(l);
        else say('The plan did not change.');
        say(summary(next.plan, last.plan));
      }
      last = next;
      show();
      await build();
    } catch (e) {
      // A problem reading the tree is shown; watching goes on.
      say(paint.red(`jux watch: ${(e as Error).message ?? String(e)}`));
    } finally {
      show();
    }
  };

  onChange = (abs: string): void => {
    if (abs === configFile) configChanged = true;
    else if (abs === stateDir || abs.startsWith(stateDir + '/')) stateChanged = true;
    else pending.add(abs);
    schedule();
  };
  for (const abs of early.splice(0)) onChange(abs);

  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      running = running.then(cycle);
    }, debounceMs);
  };

  if (o.build) await build();

  return new Promise<number>((resolve) => {
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      building?.kill('SIGINT');
      void Promise.allSettled([running, building]).then(async () => {
        await watcher.close();
        say('Stopped watching.');
        show();
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function loadState(config: Config): Promise<{ installed: Map<string, InstalledRecord>; failures: Map<string, FailureRecord> }> {
  return new StateStore(config.state, path.join(config.cache, 'index', 'state.cache')).load();
}

/** The global options given, to pass on to a child jux. */
function globalArgs(o: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof o.config === 'string') out.push('--config', o.config);
  for (const r of (o.spellRoot as string[] | undefined) ?? []) out.push('--spell-root', r);
  if (typeof o.root === 'string') out.push('--root', o.root);
  if (typeof o.state === 'string') out.push('--state', o.state);
  if (typeof o.cacheDir === 'string') out.push('--cache-dir', o.cacheDir);
  if (o.plain) out.push('--plain');
  return out;
}

function summary(now: Plan, before?: Plan): string {
  const n = now.entries.length;
  return `${n} to build${before !== undefined && before.entries.length !== n ? ` (was ${before.entries.length})` : ''}` +
    `; ${now.upToDate.length} up to date` + (now.unbuildable.length ? `; ${now.unbuildable.length} cannot be built` : '');
}

function summarize(what: readonly string[]): string {
  if (what.length === 0) return 'changes';
  if (what.length <= 3) return what.join(', ') + ' changed';
  return `${what.slice(0, 3).join(', ')} and ${what.length - 3} more changed`;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}
