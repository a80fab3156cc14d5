/**
 * Running one phase script with its output in its log: through a shell
 * worker when one is available (see scheduler/shellWorkers.ts: no Node
 * spawn, which forks the whole Node process), else — and with -v, whose
 * output is also passed on as it comes — with execa. Either way the script
 * runs with exactly the given environment, in `cwd`, standard input from
 * /dev/null, standard output and error to the log in order, in a process
 * group of its own that `track`'s kill stops.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENV, watchedScriptCommand } from '../scheduler/shellWorkers.js';
import { processStart, type ProcessGroup } from '../util/processes.js';

export interface ScriptExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Why the script could not be started at all (as execa words it), or null. */
  readonly error: string | null;
}

export type WorkerRun = (
  program: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
  log: string,
) => {
  readonly done: Promise<{ readonly exitCode: number | null; readonly signal?: string | null }>;
  readonly kill: () => void;
  /** The process group the script runs in, when known. */
  readonly group?: ProcessGroup | null;
};

/**
 * Told of each script as it starts: how to stop it, when it ends, and the
 * process group it runs in (null when unknown), so that the scheduler can
 * record it (scheduler/runningRecord.ts).
 */
export type Track = (kill: () => void, done: Promise<unknown>, group: ProcessGroup | null) => void;

/**
 * Whether the worker can start `program` just as execa would: env(1) takes
 * a word with "=" for an assignment and one starting with "-" for an
 * option, so those (never produced for spells, whose scripts are absolute
 * paths) go to execa.
 */
export function workerCanRun(program: string): boolean {
  return program.startsWith('/') && !program.includes('=');
}

/**
 * Why exec would refuse `program` in `cwd`, as execa reports it
 * ("spawn PROGRAM ENOENT"), or null. Checked before a worker starts it,
 * because from the shell a script that cannot be started (status 126 or
 * 127) looks like one that ran and failed: the working directory, the
 * program (executable), and a "#!" interpreter (present, executable, not
 * a directory). Anything else exec refuses is reported by env(1) in the
 * log, with its exit status.
 */
export function execProblem(program: string, cwd: string): string | null {
  const fail = (code: string | undefined): string => `spawn ${program} ${code ?? 'EACCES'}`;
  try {
    if (!fs.statSync(cwd).isDirectory()) return fail('ENOENT');
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'ENOENT' : (e as NodeJS.ErrnoException).code);
  }
  let head: Buffer;
  try {
    fs.accessSync(program, fs.constants.X_OK);
    if (fs.statSync(program).isDirectory()) return fail('EACCES');
    const fd = fs.openSync(program, 'r');
    try {
      head = Buffer.alloc(256);
      head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code);
  }
  if (head[0] !== 0x23 || head[1] !== 0x21) return null; // no "#!"
  const line = head.subarray(2).toString('latin1').split('\n')[0]!;
  const interpreter = line.trim().split(/[ \t]/)[0] ?? '';
  if (interpreter === '') return null; // the kernel refuses it; env(1) says so in the log
  try {
    const abs = path.resolve(cwd, interpreter);
    fs.accessSync(abs, fs.constants.X_OK);
    if (fs.statSync(abs).isDirectory()) return fail('EACCES');
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code);
  }
  return null;
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

/**
 * A script run by a worker. The worker's shell reports a script killed by
 * signal N as status 128+N, which is how it is reported here (a script
 * that itself exits with such a status reads the same to a shell).
 */
export async function runInWorker(run: WorkerRun, program: string, cwd: string, env: Readonly<Record<string, string>>, log: string, track: Track | undefined): Promise<ScriptExit> {
  const problem = execProblem(program, cwd);
  if (problem !== null) {
    fs.writeFileSync(log, '');
    return { code: null, signal: null, error: problem };
  }
  const { done, kill, group } = run(program, cwd, env, log);
  track?.(kill, done, group ?? null);
  const r = await done;
  if (r.exitCode === null) return { code: null, signal: r.signal ?? 'SIGTERM', error: null }; // the worker was killed
  const sig = r.exitCode > 128 ? SIGNAL_NAMES.get(r.exitCode - 128) : undefined;
  return sig !== undefined ? { code: null, signal: sig, error: null } : { code: r.exitCode, signal: null, error: null };
}

/** A script run by execa; with `output`, stdout and stderr are passed on as they come, as well as logged. */
export async function runWithExeca(
  program: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
  log: string,
  track: Track | undefined,
  output: ((chunk: Buffer) => void) | null,
): Promise<ScriptExit> {
  // Where env(1) can start the program as execa would (see workerCanRun),
  // a small shell starts a watcher in the script's process group and then
  // becomes the script: should jux die, even by SIGKILL, the watcher stops
  // the group (see shellWorkers.ts). A program that cannot start is then
  // found first, as for workers (the shell would only say 126 or 127).
  const watched = workerCanRun(program) && fs.existsSync(ENV);
  if (watched) {
    const problem = execProblem(program, cwd);
    if (problem !== null) {
      fs.writeFileSync(log, '');
      return { code: null, signal: null, error: problem };
    }
  }
  const { execa } = await import('execa');
  const fd = fs.openSync(log, 'w');
  try {
    // The log gets stdout and stderr through one descriptor (in order);
    // with -v they are also passed on as they come.
    const common = { cwd, env, extendEnv: false, stdin: 'ignore', reject: false, detached: true } as const;
    // execa's types accept a descriptor number only as a literal type.
    const logFd = fd as 3;
    const child = watched
      ? execa('/bin/sh', ['-c', watchedScriptCommand(program, env)], {
          cwd,
          // The shell's own (the script gets exactly `env`, through env -i).
          env: { PATH: '/usr/bin:/bin' },
          extendEnv: false,
          reject: false,
          detached: true,
          buffer: false,
          // fd 3: the watcher's pipe; jux says "quit" on it when the script ends.
          stdio: output ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', logFd, logFd, 'pipe'],
        })
      : output
        ? execa(program, [], { ...common, buffer: false })
        : execa(program, [], { ...common, stdout: logFd, stderr: logFd });
    if (watched) {
      // execa types fd 3 as output; Node's end of it is a socket, writable too.
      const life = child.stdio[3] as unknown as NodeJS.WritableStream;
      life.on('error', () => undefined); // the watcher was killed with the group
      child.once('exit', () => life.end('quit\n'));
    }
    if (output) {
      const pass = (d: Buffer): void => {
        fs.writeSync(fd, d);
        output(d);
      };
      child.stdout?.on('data', pass);
      child.stderr?.on('data', pass);
    }
    track?.(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // gone
        }
      }
    }, child, child.pid === undefined ? null : { pgid: child.pid, started: processStart(child.pid) });
    const r = await child;
    return {
      code: typeof r.exitCode === 'number' ? r.exitCode : null,
      signal: r.signal ?? null,
      error: r.failed && r.exitCode === undefined && !r.signal ? ((r.cause as Error | undefined)?.message ?? r.message ?? 'failed') : null,
    };
  } finally {
    fs.closeSync(fd);
  }
}
