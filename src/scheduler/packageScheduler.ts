/**
 * Carrying out a plan: a ready-set scheduler over the planned packages.
 * A package's build starts as soon as the packages it builds against
 * (tight, loose, build, optional) are installed; p-queue limits how many
 * build at once; installs go one at a time (they change the root and the
 * state). A runtime dependency only has to be installed before its
 * dependant is. A failure skips exactly the packages that need the failed
 * one (keep-going) or stops new work (quit).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { type BuildOutcome, buildPackage, logTail } from '../builder/build.js';
import type { PackageGraph, Phase, Spell } from '../graph/packageGraph.js';
import { findArchive } from '../installer/archive.js';
import type { Installer, PreparedInstall } from '../installer/transaction.js';
import type { StagedTree } from '../installer/stagedCopy.js';
import type { Transaction } from '../installer/journal.js';
import type { Plan, PlanEntry } from '../planner/rebuild.js';
import { installedRecordFor } from '../state/records.js';
import type { InstalledRecord } from '../state/stateFile.js';
import type { BuildReporter, FailedPackage, KeptConfig, RunSummary } from './buildEvents.js';
import { RootWatch } from './rootWatch.js';
import { RunningRecord } from './runningRecord.js';
import { BuildFolders } from '../builder/buildFolders.js';
import { ENV, ShellWorkers } from './shellWorkers.js';

export interface RunOptions {
  readonly jobs: number;
  readonly quit: boolean;
  readonly verbose: boolean;
  readonly useCache: boolean;
  readonly offline: boolean;
  readonly strict: boolean;
  readonly defaults: Readonly<Partial<Record<Phase, string>>>;
  /** Keep every build folder (BUILD/NAME), not only those of failed builds. */
  readonly keepBuild?: boolean;
  readonly fetchSources?: (spell: Spell, sourceDir: string, sourcesDir: string) => Promise<void>;
}

export interface RunContext {
  readonly config: Config;
  readonly graph: PackageGraph;
  readonly installer: Installer;
  readonly tx: Transaction;
  /** Installed records, updated as packages are installed. */
  readonly installed: Map<string, InstalledRecord>;
  readonly now?: () => string;
}

type Status = 'waiting' | 'running' | 'installed' | 'failed' | 'skipped';

/** A package ready to install: its files prepared (from its archive, or its staged tree when just built). */
interface Built {
  readonly prepared: PreparedInstall;
  readonly useCached: boolean;
}

export class PackageRun {
  private readonly status = new Map<string, Status>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly kills = new Set<() => void>();
  private interrupted = false;
  private stopping = false;
  private installChain: Promise<void> = Promise.resolve();
  private readonly built: string[] = [];
  private readonly fromCache: string[] = [];
  private readonly failed: FailedPackage[] = [];
  private readonly skipped: { name: string; missing: string }[] = [];
  private readonly blockedBy = new Map<string, number>();
  private readonly keptConfigs: KeptConfig[] = [];
  private rootWatch: RootWatch | null = null;
  /** Phase scripts start through these (with JUX_SHELL_WORKERS=0, or no /usr/bin/env: with execa). */
  private workers: ShellWorkers | null = null;
  /** STATE/running: the process groups of running scripts, for the next jux should this one be killed. */
  private readonly running: RunningRecord;
  /** BUILD/NAME folders, reused from one successful build to the next. */
  private readonly folders: BuildFolders;

  constructor(
    private readonly plan: Plan,
    private readonly ctx: RunContext,
    private readonly opts: RunOptions,
    private readonly out: BuildReporter,
  ) {
    this.running = new RunningRecord(ctx.config.state);
    this.folders = new BuildFolders(ctx.config.build);
  }

  /** SIGINT/SIGTERM: no new work, running builds stopped. */
  interrupt(): void {
    this.interrupted = this.stopping = true;
    for (const k of this.kills) k();
  }

  async run(): Promise<RunSummary> {
    const start = Date.now();
    const { default: PQueue } = await import('p-queue');
    const queue = new PQueue({ concurrency: Math.max(1, this.opts.jobs) });
    const entries = this.plan.entries;
    const inPlan = new Map(entries.map((e) => [e.name, e]));
    this.rootWatch = new RootWatch(this.ctx.config, this.ctx.installer);
    this.out.emit({
      type: 'start',
      total: entries.length,
      upToDate: this.plan.upToDate.length,
      fromCache: this.opts.useCache ? entries.filter((e) => e.fromCache).length : 0,
      jobs: this.opts.jobs,
    });
    for (const e of entries) this.status.set(e.name, 'waiting');

    if (process.env.JUX_SHELL_WORKERS !== '0' && fs.existsSync(ENV)) this.workers = new ShellWorkers((await import('execa')).execa);

    const tasks = entries.map(async (e) => {
      const needs = e.deps.filter((d) => d.kind !== 'runtime' && inPlan.has(d.name) && d.name !== e.name).map((d) => d.name);
      const missing = await this.waitFor(needs);
      if (missing !== null) return this.skip(e, missing);
      if (this.stopping) return this.skip(e, '(stopped)');
      // A job slot is held while the package builds, not while it waits for
      // its turn to install (installs go one at a time, each waiting on the
      // disk): the next build starts meanwhile.
      const built = await queue.add(() => this.build(e));
      if (built) await this.install(e, inPlan, built);
    });
    try {
      await Promise.all(tasks);
      await this.installChain;
    } finally {
      this.workers?.close();
      this.running.close();
      await this.folders.close();
    }
    const damaging = [...this.blockedBy.entries()]
      .map(([name, blocked]) => ({ name, blocked }))
      .sort((a, b) => b.blocked - a.blocked || (a.name < b.name ? -1 : 1));
    const summary: RunSummary = {
      built: this.built,
      fromCache: this.fromCache,
      upToDate: this.plan.upToDate.length,
      failed: this.failed,
      skipped: this.skipped,
      damaging,
      interrupted: this.interrupted,
      seconds: (Date.now() - start) / 1000,
      keptConfigs: this.keptConfigs,
    };
    this.out.emit({ type: 'finish', summary });
    return summary;
  }

  /** Resolves with the first dependency that failed or was skipped, or null when all are installed. */
  private async waitFor(names: readonly string[]): Promise<string | null> {
    for (const n of names) {
      for (;;) {
        const s = this.status.get(n);
        if (s === 'installed') break;
        if (s === 'failed' || s === 'skipped') return n;
        await new Promise<void>((resolve) => {
          const l = this.waiters.get(n) ?? [];
          l.push(resolve);
          this.waiters.set(n, l);
        });
      }
    }
    return null;
  }

  private settle(name: string, s: Status): void {
    this.status.set(name, s);
    const l = this.waiters.get(name);
    this.waiters.delete(name);
    for (const w of l ?? []) w();
  }

  private skip(e: PlanEntry, missing: string): void {
    this.skipped.push({ name: e.name, missing });
    // Charge the block to the root cause: the failed package at the bottom.
    let cause = missing;
    for (;;) {
      const s = this.skipped.find((x) => x.name === cause);
      if (!s) break;
      cause = s.missing;
    }
    if (this.failed.some((f) => f.name === cause)) this.blockedBy.set(cause, (this.blockedBy.get(cause) ?? 0) + 1);
    this.out.emit({ type: 'skipped', name: e.name, missing });
    this.settle(e.name, 'skipped');
  }

  private fail(e: PlanEntry, f: Omit<FailedPackage, 'name' | 'version'>): void {
    const failure: FailedPackage = { name: e.name, version: e.to, ...f };
    this.failed.push(failure);
    if (!this.blockedBy.has(e.name)) this.blockedBy.set(e.name, 0);
    this.out.emit({ type: 'failed', ...failure, tail: f.log ? logTail(f.log, 20) : [] });
    if (!this.interrupted) {
      this.ctx.installer.store.writeFailure({
        name: e.name,
        version: e.to,
        fingerprint: e.fingerprint,
        at: this.now(),
        phase: f.phase,
        // With no log to see, what went wrong is all there is to tell.
        status: f.log === null && f.message ? f.message : f.status,
        log: f.log ?? '',
      });
    }
    if (this.opts.quit) this.stopping = true;
    this.settle(e.name, 'failed');
  }

  private now(): string {
    return this.ctx.now ? this.ctx.now() : new Date().toISOString();
  }

  /** Build a package (or find it in the cache); null when it failed or was skipped. */
  private async build(e: PlanEntry): Promise<Built | null> {
    if (this.stopping) {
      this.skip(e, '(stopped)');
      return null;
    }
    const spell = this.ctx.graph.spells.get(e.name)!;
    this.status.set(e.name, 'running');
    const cached = this.opts.useCache && e.fromCache ? findArchive(this.ctx.config.cache, e.archive) : null;
    const useCached = cached !== null;
    this.out.emit({ type: 'begin', name: e.name, version: e.to, action: e.action, fromCache: useCached });
    let archive = cached ?? '';
    let staged: StagedTree | undefined;
    let work: string | null = null;
    if (!useCached) {
      const t0 = Date.now();
      const outcome: BuildOutcome = await buildPackage(e, spell, {
        config: this.ctx.config,
        jobs: this.opts.jobs,
        verbose: this.opts.verbose,
        offline: this.opts.offline,
        strict: this.opts.strict,
        defaults: this.opts.defaults,
        folders: this.folders,
        ...(this.opts.fetchSources ? { fetchSources: this.opts.fetchSources } : {}),
        ...(this.workers ? { runScript: this.workers.runScript.bind(this.workers) } : {}),
        events: {
          phase: (name, phase) => this.out.emit({ type: 'phase', name, phase }),
          output: (name, phase, chunk) => this.out.emit({ type: 'output', name, phase, chunk }),
        },
        track: (kill, done, group) => {
          this.kills.add(kill);
          const clear = group ? this.running.add(group) : null;
          void Promise.resolve(done).finally(() => {
            this.kills.delete(kill);
            clear?.();
          });
        },
      });
      if (!outcome.ok) {
        if (this.interrupted) this.skip(e, '(interrupted)');
        else this.fail(e, { phase: outcome.phase, status: outcome.status, message: outcome.message, log: outcome.log });
        return null;
      }
      archive = outcome.archive;
      staged = { dir: outcome.staged, files: outcome.files };
      work = outcome.work;
      this.out.emit({ type: 'built', name: e.name, seconds: (Date.now() - t0) / 1000 });
    }

    // Its files staged and checked now, while other packages install.
    try {
      const prepared = await this.ctx.installer.prepare(this.ctx.tx, e.name, archive, staged);
      // Its staged tree is copied: the build folder is done with.
      if (work !== null && !this.opts.keepBuild) this.folders.recycle(work);
      return { prepared, useCached };
    } catch (err) {
      this.fail(e, { phase: 'install', status: 'error', message: (err as Error).message, log: null });
      return null;
    }
  }

  /** Install a built package once its runtime dependencies are installed, in turn. */
  private async install(e: PlanEntry, inPlan: Map<string, PlanEntry>, built: Built): Promise<void> {
    const { prepared, useCached } = built;
    const archive = prepared.archive;
    const spell = this.ctx.graph.spells.get(e.name)!;
    const drop = (): void => this.ctx.installer.discard(prepared);
    // Runtime dependencies are installed before this one is.
    const runtime = e.deps.filter((d) => d.kind === 'runtime' && inPlan.has(d.name) && d.name !== e.name).map((d) => d.name);
    const missing = await this.waitFor(runtime);
    if (missing !== null) {
      drop();
      return this.skip(e, missing);
    }

    await this.serial(async () => {
      if (this.interrupted) {
        drop();
        return this.skip(e, '(interrupted)');
      }
      const stray = this.rootWatch!.check();
      if (stray !== null) {
        drop();
        return this.fail(e, {
          phase: 'install',
          status: 'wrote outside DESTDIR',
          message: `a build wrote into the root instead of DESTDIR: ${stray}`,
          log: null,
        });
      }
      const prev = this.ctx.installed.get(e.name) ?? null;
      const record = installedRecordFor(e, spell, (n) => this.ctx.installed.get(n), this.now(), path.basename(archive));
      let report;
      try {
        report = await this.ctx.installer.install(this.ctx.tx, record, archive, prev?.archive ?? null, prepared);
      } catch (err) {
        return this.fail(e, { phase: 'install', status: 'error', message: (err as Error).message, log: null });
      }
      for (const k of report.protected) {
        if (k.outcome === 'same') continue; // nothing new to merge
        const kept: KeptConfig = { name: e.name, ...k };
        this.keptConfigs.push(kept);
        this.out.emit({ type: 'kept-config', ...kept });
      }
      this.rootWatch!.installed(e.name);
      this.ctx.installed.set(e.name, record);
      this.ctx.installer.store.clearFailure(e.name);
      (useCached ? this.fromCache : this.built).push(e.name);
      this.out.emit({ type: 'installed', name: e.name, version: e.to, fromCache: useCached });
      this.settle(e.name, 'installed');
    });
  }

  /** Run installs one at a time, in the order they become ready. */
  private serial(f: () => Promise<void>): Promise<void> {
    const next = this.installChain.then(f, f);
    this.installChain = next.catch(() => undefined);
    return next;
  }
}
