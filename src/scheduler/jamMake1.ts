/**
 * Running the actions (jam's make1.c and execunix.c's bookkeeping).
 *
 * A target is started as soon as its last dependency is done (jam's
 * asynccnt/parents scheme), while the traversal goes on; when as many
 * commands run as allowed, the traversal waits for one to finish and
 * handles that completion first. That is exactly jam's control flow, so
 * with one job the order of everything matches jam's, and with several the
 * schedule is a ready-set one.
 */
import type { JamReporter } from '../events.js';
import {
  Fate,
  Progress,
  RuleFlag,
  Status,
  type Target,
} from '../graph/target.js';
import type { DebugFlags } from '../planner/jamMake.js';
import { ActionsTooLong, buildCommands, type Command, type CommandContext } from './commands.js';
import type { CommandResult, CommandRunner } from './exec.js';

const MAXJOBS = 64;

/** Done synchronously (undefined), or a promise when a command had to be waited for. */
type Step = Promise<void> | void;

export interface Make1Options {
  readonly jobs: number;
  readonly noexec: boolean;
  readonly quitQuick: boolean;
  readonly debug: DebugFlags;
  /** -o FILE: where to write each command's text. */
  readonly commandOut: ((text: string) => void) | null;
}

export interface Make1Host extends CommandContext {
  readonly reporter: JamReporter;
  readonly runner: CommandRunner;
  /** Remove a file; true when one was removed. */
  unlink(path: string): boolean;
}

interface Completion {
  readonly t: Target;
  readonly slot: number;
  readonly result: CommandResult;
}

export class Make1 {
  private failed = 0;
  private skipped = 0;
  private total = 0;
  private made = 0;
  private intr = 0;
  /** Set by an interrupt signal (execunix's own flag). */
  private interrupted = false;
  private cmdsRunning = 0;
  /** Busy command slots (JAMSHELL's `!` is the slot number). */
  private readonly slots: boolean[] = [];
  private readonly completions: Completion[] = [];
  private wake: (() => void) | null = null;

  constructor(
    private readonly opts: Make1Options,
    private readonly host: Make1Host,
  ) {}

  /** Build `root` and everything below it; true when something failed. */
  async run(root: Target): Promise<boolean> {
    const r = this.make1a(root, null);
    if (r) await r;
    while (await this.execwait()) {
      /* drain */
    }
    const { debug } = this.opts;
    if (debug.make && (this.failed || this.skipped || this.made)) {
      this.host.reporter.emit({
        type: 'makeSummary',
        failed: this.failed,
        skipped: this.skipped,
        made: this.made,
      });
    }
    return this.total !== this.made;
  }

  /** Called on SIGINT/SIGTERM: stop starting work and stop what runs. */
  interrupt(): void {
    this.interrupted = true;
    this.host.reporter.emit({ type: 'interrupted' });
    this.host.runner.interrupt('SIGINT');
  }

  get commandsRunning(): number {
    return this.cmdsRunning;
  }

  // The functions below return a promise only when they had to wait for a
  // command; otherwise they finish synchronously. With -n, or while
  // commands are still allowed to start, no promise is made at all.

  private make1a(t: Target, parent: Target | null): Step {
    if (parent !== null) {
      switch (t.progress) {
        case Progress.init:
        case Progress.active:
        case Progress.running:
          (t.parents ??= []).push(parent);
          parent.asynccnt++;
      }
    }
    if (t.progress !== Progress.init) return;
    t.asynccnt = 1;
    t.progress = Progress.onstack;
    return this.make1aFrom(t, 0);
  }

  private make1aFrom(t: Target, from: number): Step {
    for (let i = from; i < t.depends.length && !this.intr; i++) {
      const r = this.make1a(t.depends[i]!, t);
      if (r) return r.then(() => this.make1aFrom(t, i + 1));
    }
    t.progress = Progress.active;
    return this.make1b(t);
  }

  private make1b(t: Target): Step {
    if (--t.asynccnt) return;
    let failed = 'dependents';
    for (const c of t.depends) {
      if (c.status > t.status) {
        failed = c.name;
        t.status = c.status;
      }
    }
    if (t.status === Status.fail && t.actions) {
      this.skipped++;
      this.host.reporter.emit({ type: 'skipped', target: t.name, lackOf: failed });
    }
    if (t.status === Status.ok) {
      switch (t.fate) {
        case Fate.cantfind:
        case Fate.cantmake:
          t.status = Status.fail;
          break;
        case Fate.istmp:
          if (this.opts.debug.makeQuiet) this.host.reporter.emit({ type: 'usingTemp', target: t.name });
          break;
        case Fate.touched:
        case Fate.missing:
        case Fate.needtmp:
        case Fate.outdated:
        case Fate.update:
          if (t.actions) {
            ++this.total;
            if (this.opts.debug.make && !(this.total % 100)) this.host.reporter.emit({ type: 'onNth', n: this.total });
            this.host.vars.swapSettings(t.settings);
            try {
              t.cmds = buildCommands(t.actions, this.host);
            } finally {
              this.host.vars.swapSettings(t.settings);
            }
            t.progress = Progress.running;
          }
          break;
      }
    }
    return this.make1c(t);
  }

  private make1c(t: Target): Step {
    const cmds = t.cmds as Command[] | null;
    const cmd = cmds && cmds.length ? cmds[0]! : null;
    if (cmd !== null && t.status === Status.ok) {
      const { debug } = this.opts;
      const quietly = ((cmd.rule.actions?.flags ?? 0) & RuleFlag.quietly) !== 0;
      this.host.reporter.emit({
        type: 'actionStart',
        rule: cmd.rule.name,
        targets: cmd.targets,
        announce: debug.make && (debug.makeQuiet || !quietly),
        command: cmd.text,
        showCommand: debug.exec,
        commandOut: this.opts.commandOut !== null,
      });
      this.opts.commandOut?.(cmd.text);
      if (this.opts.noexec) return this.make1d(t, Status.ok);
      this.host.reporter.emit({ type: 'flush' });
      return this.execcmd(cmd, t);
    }
    if (t.actions) {
      for (const a of t.actions) if (a.status > t.status) t.status = a.status;
      for (const a of t.actions) if (t.status > a.status) a.status = t.status;
    }
    if (t.progress === Progress.running) {
      if (t.status === Status.ok) ++this.made;
      else if (t.status === Status.fail) ++this.failed;
    }
    t.progress = Progress.done;
    return this.notifyParents(t, 0);
  }

  private notifyParents(t: Target, from: number): Step {
    const parents = t.parents;
    if (parents === null) return;
    for (let i = from; i < parents.length; i++) {
      if (this.intr) break;
      const r = this.make1b(parents[i]!);
      if (r) return r.then(() => this.notifyParents(t, i + 1));
    }
  }

  private make1d(t: Target, statusIn: number): Step {
    const cmds = t.cmds as Command[];
    const cmd = cmds[0]!;
    const flags = cmd.rule.actions?.flags ?? 0;
    let status = statusIn;
    if (status === Status.fail && flags & RuleFlag.ignore) status = Status.ok;
    if (status === Status.intr) ++this.intr;
    if (status === Status.fail) {
      if (this.opts.quitQuick) ++this.intr;
      if (this.opts.quitQuick || this.opts.debug.make) {
        this.host.reporter.emit({
          type: 'actionFailed',
          rule: cmd.rule.name,
          targets: cmd.targets,
          command: cmd.text,
          printCommand: !this.opts.debug.exec,
        });
      }
    }
    if (status !== Status.ok && !(flags & RuleFlag.updated)) {
      for (const target of cmd.targets) {
        if (this.host.unlink(target)) this.host.reporter.emit({ type: 'removing', target });
      }
    }
    t.status = status;
    cmds.shift();
    return this.make1c(t);
  }

  /**
   * Start a command; wait while as many run as allowed (jam's execcmd).
   *
   * With several jobs (and no -q), one more command per job may be handed
   * to the shell workers while a short command runs (CommandRunner.canQueue):
   * it is queued on a worker and starts the moment the one in front of it
   * ends, so the count of running commands still never passes -j. A
   * command that cannot be queued so waits here, as jam's would.
   */
  private execcmd(cmd: Command, t: Target): Step {
    if (!this.roomFor(cmd)) {
      return this.execwait().then((handled) => (handled ? this.execcmd(cmd, t) : this.execcmd1(cmd, t)));
    }
    return this.execcmd1(cmd, t);
  }

  private get limit(): number {
    return Math.min(Math.max(this.opts.jobs, 1), MAXJOBS);
  }

  /** Whether commands may be queued on shell workers (see execcmd). */
  private get queueing(): boolean {
    return this.opts.jobs > 1 && !this.opts.quitQuick;
  }

  /**
   * Whether a command (`cmd`, or whichever comes next when null) may start
   * now: fewer than -j run, or it can be queued behind a short one (plain
   * `/bin/sh -c` commands only: a JAMSHELL command is started by execa).
   */
  private roomFor(cmd: Command | null): boolean {
    if (this.cmdsRunning < this.limit) return true;
    return this.queueing && this.cmdsRunning < 2 * this.limit && (cmd === null || cmd.shell.length === 0) && this.host.runner.canQueue();
  }

  private execcmd1(cmd: Command, t: Target): Step {
    let slot = this.slots.indexOf(false);
    if (slot < 0) slot = this.slots.length;
    this.slots[slot] = true;
    const argv = this.argv(cmd, slot);
    const capture = this.opts.jobs > 1;
    this.cmdsRunning++;
    this.host.runner.run(argv, capture, this.queueing).then(
      (result) => this.complete({ t, slot, result }),
      () => this.complete({ t, slot, result: { exitCode: 127, output: null } }),
    );
    return this.waitBelowLimit();
  }

  private waitBelowLimit(): Step {
    if (this.roomFor(null)) return;
    return this.execwait().then((handled) => (handled ? this.waitBelowLimit() : undefined));
  }

  private argv(cmd: Command, slot: number): string[] {
    if (!cmd.shell.length) return ['/bin/sh', '-c', cmd.text];
    const argv: string[] = [];
    let gotPercent = false;
    const jobNo = String(slot + 1);
    for (const w of cmd.shell.slice(0, 32)) {
      if (w[0] === '%') {
        argv.push(cmd.text);
        gotPercent = true;
      } else if (w[0] === '!') argv.push(jobNo);
      else argv.push(w);
    }
    if (!gotPercent) argv.push(cmd.text);
    return argv;
  }

  private complete(c: Completion): void {
    this.completions.push(c);
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Wait for one command to finish and handle it (jam's execwait). */
  private async execwait(): Promise<boolean> {
    if (!this.cmdsRunning) return false;
    while (!this.completions.length) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const c = this.completions.shift()!;
    this.cmdsRunning--;
    this.slots[c.slot] = false;
    if (c.result.output && c.result.output.length) {
      this.host.reporter.emit({ type: 'actionOutput', output: c.result.output });
    }
    const status = this.interrupted ? Status.intr : c.result.exitCode === 0 ? Status.ok : Status.fail;
    const r = this.make1d(c.t, status);
    if (r) await r;
    return true;
  }
}

export { ActionsTooLong };
