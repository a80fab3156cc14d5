/**
 * Running shell commands for actions: execa for the processes, p-queue as
 * the concurrency limit. With one job the command inherits the terminal
 * (as jam's does); with several, each command's output is captured and
 * handed back whole, so outputs never interleave.
 *
 * execa and p-queue are loaded on first use: a run that starts no command
 * (jam -n, jux plan) does not pay for loading them.
 *
 * Plain `/bin/sh -c TEXT` commands go through shell workers (see
 * shellWorkers.ts), which start them far faster than Node can; anything
 * else (a JAMSHELL) is started by execa directly, through the p-queue.
 * The pool of workers is itself the limit for the first kind: one worker
 * per job, one command running on each. With several jobs, a short
 * command may be queued on a worker behind another short one (`queue`).
 */
import type { ResultPromise } from 'execa';
import type PQueue from 'p-queue';
import { ShellWorkers } from './shellWorkers.js';

export interface CommandResult {
  /** Exit code, or null when killed by a signal. */
  readonly exitCode: number | null;
  readonly output: Buffer | null;
  /** The signal that killed the shell worker running the command, when it was killed. */
  readonly signal?: string;
}

type Execa = typeof import('execa').execa;
let loaded: Promise<{ execa: Execa; PQueue: typeof PQueue }> | undefined;
function load(): Promise<{ execa: Execa; PQueue: typeof PQueue }> {
  loaded ??= Promise.all([import('execa'), import('p-queue')]).then(([e, q]) => ({
    execa: e.execa,
    PQueue: q.default,
  }));
  return loaded;
}

export class CommandRunner {
  private queue: PQueue | undefined;
  private mods: { execa: Execa; PQueue: typeof PQueue } | undefined;
  private readonly running = new Set<ResultPromise>();
  private workers: ShellWorkers | undefined;
  private readonly useWorkers = process.env.JUX_SHELL_WORKERS !== '0';

  constructor(readonly jobs: number) {}

  /** Load what running commands needs (before the first run, so that run() picks its worker at once). */
  async prepare(): Promise<void> {
    this.mods ??= await load();
  }

  /**
   * Whether a command given to run() now with `queue` would start at once
   * or be queued on a shell worker behind a short command (see
   * ShellWorkers.run): jam's -j limit counts running commands, and such a
   * command waits for nothing but the one in front of it.
   */
  canQueue(): boolean {
    return this.workers?.canTake(true) ?? false;
  }

  /** Run argv; `capture` collects stdout and stderr together; `queue`: see canQueue. */
  async run(argv: readonly string[], capture: boolean, queue = false): Promise<CommandResult> {
    const { execa, PQueue } = (this.mods ??= await load());
    if (this.useWorkers && argv.length === 3 && argv[0] === '/bin/sh' && argv[1] === '-c') {
      this.workers ??= new ShellWorkers(execa, Math.max(1, this.jobs));
      return this.workers.run(argv[2]!, capture, queue);
    }
    this.queue ??= new PQueue({ concurrency: Math.max(1, this.jobs) });
    return (await this.queue.add(async () => {
      const child = execa(argv[0]!, argv.slice(1), {
        stdin: 'inherit',
        stdout: capture ? 'pipe' : 'inherit',
        stderr: capture ? 'pipe' : 'inherit',
        all: capture,
        encoding: 'buffer',
        reject: false,
        stripFinalNewline: false,
        extendEnv: true,
        windowsHide: true,
        // Each command gets its own process group, so an interrupt reaches
        // the whole command (a shell and what it runs), as Ctrl-C does.
        detached: true,
      });
      this.running.add(child);
      try {
        const r = await child;
        const all = capture ? (r.all as unknown as Uint8Array | undefined) : undefined;
        return {
          exitCode: typeof r.exitCode === 'number' ? r.exitCode : null,
          output: all ? Buffer.from(all) : null,
        };
      } finally {
        this.running.delete(child);
      }
    })) as CommandResult;
  }

  /**
   * Stop every running command: its whole process group gets `signal`, and
   * SIGKILL after `graceMs` if it is still running.
   */
  interrupt(signal: NodeJS.Signals = 'SIGINT', graceMs = 3000): void {
    if (this.workers) {
      const pids = this.workers.signal(signal);
      const timer = setTimeout(() => pids.forEach((p) => killGroup(p, 'SIGKILL')), graceMs);
      timer.unref();
    }
    for (const c of this.running) {
      const pid = c.pid;
      if (pid === undefined) continue;
      killGroup(pid, signal);
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      timer.unref();
      c.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
  }

  /** Let the shell workers go (they end when their input closes). */
  close(): void {
    this.workers?.close();
    this.workers = undefined;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
