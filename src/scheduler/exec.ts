/**
 * Running shell commands for actions: execa for the processes, p-queue as
 * the concurrency limit. With one job the command inherits the terminal
 * (as jam's does); with several, each command's output is captured and
 * handed back whole, so outputs never interleave.
 */
import { execa, type ResultPromise } from 'execa';
import PQueue from 'p-queue';

export interface CommandResult {
  /** Exit code, or null when killed by a signal. */
  readonly exitCode: number | null;
  readonly output: Buffer | null;
}

export class CommandRunner {
  private readonly queue: PQueue;
  private readonly running = new Set<ResultPromise>();

  constructor(readonly jobs: number) {
    this.queue = new PQueue({ concurrency: Math.max(1, jobs) });
  }

  /** Run argv; `capture` collects stdout and stderr together. */
  run(argv: readonly string[], capture: boolean): Promise<CommandResult> {
    return this.queue.add(async () => {
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
    }) as Promise<CommandResult>;
  }

  /**
   * Stop every running command: its whole process group gets `signal`, and
   * SIGKILL after `graceMs` if it is still running.
   */
  interrupt(signal: NodeJS.Signals = 'SIGINT', graceMs = 3000): void {
    for (const c of this.running) {
      const pid = c.pid;
      if (pid === undefined) continue;
      killGroup(pid, signal);
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      timer.unref();
      c.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
  }

  get active(): number {
    return this.running.size;
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
