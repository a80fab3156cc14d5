/**
 * Long-lived shell workers that run `/bin/sh -c TEXT` on jux's behalf.
 *
 * Starting a process from Node costs 1-2.5 ms (libuv forks the whole Node
 * process, and it grows with the heap); jam pays about 0.4 ms with vfork.
 * With thousands of short actions that difference is the whole run time. So
 * each job slot has a small /bin/sh process (started once, with execa) that
 * reads commands from a pipe and starts `/bin/sh -c TEXT` itself — the same
 * program, arguments, environment, working directory, standard input and
 * output that jam would give the command — and reports its exit status on
 * another pipe. Command text travels as raw bytes, line by line, ended by a
 * line holding a random marker (shell builtins only: no extra process).
 *
 * Each worker is the leader of its own process group, and the commands it
 * runs stay in that group. When jux dies without closing its workers
 * (SIGKILL, the OOM killer), what they run must not go on building on its
 * own: a worker blocked on a command cannot see its input end, so each
 * worker starts a watcher in its group (`jux-orphan-watch` in ps) that
 * blocks reading a pipe (fd 5) only jux holds the other end of. The kernel
 * closes that end when jux dies, however it dies; the watcher then reads
 * end-of-file and stops its whole group: SIGTERM, and SIGKILL a second
 * later to what is left. A jux that closes its workers normally first
 * writes "quit" on the pipe, and the watcher leaves without killing
 * anything (as before, a command's own background processes outlive jux).
 * Nothing is polled and no pid is looked up: `kill 0` is the watcher's
 * own group. Scripts run with execa get the same watcher (see
 * watchedScriptCommand). The record in STATE/running
 * (scheduler/runningRecord.ts) covers what this cannot: a watcher that was
 * itself killed, a program env(1) cannot start for execa.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processStart, type ProcessGroup } from '../util/processes.js';
import type { CommandResult } from './exec.js';

/** The parts of an execa subprocess a worker uses. */
interface WorkerProcess extends PromiseLike<unknown> {
  readonly pid?: number | undefined;
  readonly stdin: NodeJS.WritableStream | null;
  readonly stdio: readonly unknown[];
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

// fd 3: exit statuses back to jux; fd 4: jux's own standard input.
// A message is a mode line ("I": output inherited, "C": output captured in
// the worker's file, "F": the worker's code file, written by jux, sourced by
// the worker itself in a subshell with standard input from /dev/null and
// fds 3 and 4 closed — the code sets up its own output and environment, see
// scriptCommand; it travels in a file because the shell reads a pipe one
// byte per system call, a file a block at a time), the command's lines
// (none for "F"), and the end marker line. When its input ends (jux closed
// it, or jux died, even by SIGKILL) the worker removes its files, and the
// last one out their folder: the code file holds a script's environment.
// fd 5: the watcher's pipe (see above); the worker closes its own copy so
// that commands do not inherit it.
const SCRIPT = `
out=$JUX_OUT; code=$JUX_CODE; end=$JUX_END; watch=$JUX_WATCH; unset JUX_OUT JUX_CODE JUX_END JUX_WATCH
/bin/sh -c "$watch" jux-orphan-watch "$out" "$code" </dev/null >/dev/null 2>&1 3>&- 4<&- &
exec 5<&-
while IFS= read -r mode; do
  cmd=
  while IFS= read -r l; do
    [ "$l" = "$end" ] && break
    cmd="$cmd$l
"
  done
  if [ "$mode" = C ]; then
    /bin/sh -c "$cmd" <&4 >"$out" 2>&1
  elif [ "$mode" = F ]; then
    ( exec 3>&- 4<&-; . "$code" ) </dev/null
  else
    /bin/sh -c "$cmd" <&4
  fi
  printf '%d\\n' "$?" >&3
done
rm -f "$out" "$code"; rmdir "\${out%/*}" 2>/dev/null
`;

/**
 * The watcher (arguments: a worker's two files, or two empty words). "quit":
 * jux is closing the worker (or its script ended), leave. End of file: jux
 * died (or saw the worker die): stop the group, TERM ignored by the watcher
 * itself so that it can follow up with KILL, and remove the worker's files,
 * which it may not get to. Started in the background, it ignores SIGINT (as
 * POSIX says), so jux jam's SIGINT to a group leaves it running until jux
 * sees the worker die.
 */
const WATCH = `read -r l <&5
[ "$l" = quit ] && exit 0
trap '' TERM
kill -TERM 0
[ -n "$1" ] && { rm -f "$1" "$2"; rmdir "\${1%/*}"; } 2>/dev/null
sleep 1
kill -KILL 0
`;

const END = `\x01jux-end-${Math.random().toString(36).slice(2)}`;

interface Pending {
  readonly capture: boolean;
  readonly resolve: (r: CommandResult) => void;
}

class Worker {
  private pending: Pending | null = null;
  private statusBuf = '';
  private dead = false;
  readonly outFile: string;
  readonly codeFile: string;
  private codeFd: number | null = null;
  private codeLength = 0;
  /** jux's end of the watcher's pipe (fd 5 of the worker). */
  private readonly life: NodeJS.WritableStream;
  private lifeEnded = false;
  private started: number | null | undefined;

  constructor(
    private readonly child: WorkerProcess,
    outFile: string,
    codeFile: string,
  ) {
    this.outFile = outFile;
    this.codeFile = codeFile;
    const status = child.stdio[3] as NodeJS.ReadableStream;
    status.setEncoding('latin1');
    status.on('data', (d: string) => this.onStatus(d));
    this.life = child.stdio[5] as NodeJS.WritableStream;
    // The watcher may be gone (killed with its group): a write then fails.
    this.life.on('error', () => undefined);
    // On 'exit', not when execa's promise settles: that waits for the
    // watcher, which holds the pipe until told (or until the group is gone).
    child.once('exit', (_code, signal) => this.onExit(signal));
    // And when it settles, for a worker that never started (no 'exit').
    child.then(
      (r) => this.onExit((r as { signal?: string } | undefined)?.signal ?? null),
      () => this.onExit(null),
    );
  }

  /** The worker's process group, where its commands run. */
  get group(): ProcessGroup | null {
    if (this.child.pid === undefined) return null;
    this.started ??= processStart(this.child.pid);
    return { pgid: this.child.pid, started: this.started };
  }

  get busy(): boolean {
    return this.pending !== null;
  }
  get alive(): boolean {
    return !this.dead;
  }
  get pid(): number | undefined {
    return this.child.pid;
  }

  run(text: string, capture: boolean): Promise<CommandResult> {
    return this.send(`${capture ? 'C' : 'I'}\n${text}\n${END}\n`, 'latin1', capture);
  }

  /**
   * Run shell code in a subshell of the worker (no /bin/sh -c of its own):
   * the code gets standard input from /dev/null and must redirect its own
   * output. Text is written as UTF-8, the encoding Node gives environment
   * values and paths.
   */
  runCode(code: string): Promise<CommandResult> {
    // Written over the last code in place, padded with newlines to its
    // length: no truncation, which costs the file system more than the write.
    const text = Buffer.from(code + '\n', 'utf8');
    this.codeFd ??= fs.openSync(this.codeFile, 'w');
    const buf = text.length >= this.codeLength ? text : Buffer.concat([text, Buffer.alloc(this.codeLength - text.length, 0x0a)]);
    fs.writeSync(this.codeFd, buf, 0, buf.length, 0);
    this.codeLength = buf.length;
    return this.send(`F\n${END}\n`, 'latin1', false);
  }

  private send(msg: string, encoding: BufferEncoding, capture: boolean): Promise<CommandResult> {
    return new Promise((resolve) => {
      this.pending = { capture, resolve };
      (this.child.stdin as NodeJS.WritableStream).write(Buffer.from(msg, encoding));
    });
  }

  /** Signal the worker's process group: the worker and what it runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.dead || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // gone
    }
  }

  close(): void {
    this.endLife('quit\n');
    (this.child.stdin as NodeJS.WritableStream).end();
    this.closeCode();
  }

  /** Close jux's end of the watcher's pipe: with "quit" the watcher just leaves; without, it stops the group. */
  private endLife(text: string): void {
    if (this.lifeEnded) return;
    this.lifeEnded = true;
    this.life.end(text);
  }

  private closeCode(): void {
    if (this.codeFd !== null) fs.closeSync(this.codeFd);
    this.codeFd = null;
  }

  private onStatus(d: string): void {
    this.statusBuf += d;
    let nl: number;
    while ((nl = this.statusBuf.indexOf('\n')) >= 0) {
      const code = Number(this.statusBuf.slice(0, nl));
      this.statusBuf = this.statusBuf.slice(nl + 1);
      this.finish(code);
    }
  }

  private finish(code: number | null, signal: string | null = null): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    let output: Buffer | null = null;
    if (p.capture) {
      try {
        output = fs.readFileSync(this.outFile);
      } catch {
        output = null;
      }
    }
    p.resolve(signal === null ? { exitCode: code, output } : { exitCode: code, output, signal });
  }

  private onExit(signal: string | null): void {
    if (this.dead) return;
    this.dead = true;
    this.closeCode();
    // A worker that died on its own (killed alone, not with its group) may
    // leave its command running: the watcher stops what is left of the group.
    this.endLife('');
    // A status written just before the worker died is read in this turn of
    // the event loop; the command ends when that status says, if it came.
    setImmediate(() => this.finish(null, signal));
  }
}

/** A pool of shell workers, one per job slot. */
export class ShellWorkers {
  private readonly workers: Worker[] = [];
  private dir: string | null = null;

  constructor(private readonly execa: typeof import('execa').execa) {}

  /** A worker that is not running a command (started on demand). */
  acquire(): Worker {
    for (const w of this.workers) if (w.alive && !w.busy) return w;
    const w = this.start();
    this.workers.push(w);
    return w;
  }

  private start(): Worker {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'jux-sh-'));
    const outFile = path.join(this.dir, `out.${this.workers.length}`);
    const codeFile = path.join(this.dir, `code.${this.workers.length}`);
    const env: Record<string, string | undefined> = { ...process.env, JUX_OUT: outFile, JUX_CODE: codeFile, JUX_END: END, JUX_WATCH: WATCH };
    const child = this.execa('/bin/sh', ['-c', SCRIPT], {
      stdio: ['pipe', 'inherit', 'inherit', 'pipe', 0, 'pipe'],
      env,
      extendEnv: false,
      reject: false,
      buffer: false,
      detached: true,
    });
    return new Worker(child as unknown as WorkerProcess, outFile, codeFile);
  }

  /** Signal every worker's process group (the worker and its command). */
  signal(signal: NodeJS.Signals): number[] {
    const pids: number[] = [];
    for (const w of this.workers) {
      if (w.alive && w.busy && w.pid !== undefined) {
        try {
          process.kill(-w.pid, signal);
          pids.push(w.pid);
        } catch {
          // gone
        }
      }
    }
    return pids;
  }

  /**
   * Run a program as scriptCommand describes, in a worker's process group;
   * `kill` sends SIGTERM to that group (the worker goes too and is replaced).
   */
  runScript(
    program: string,
    cwd: string,
    env: Readonly<Record<string, string>>,
    log: string,
  ): { readonly done: Promise<CommandResult>; readonly kill: () => void; readonly group: ProcessGroup | null } {
    const w = this.acquire();
    return { done: w.runCode(scriptCommand(program, cwd, env, log)), kill: () => w.signal('SIGTERM'), group: w.group };
  }

  close(): void {
    for (const w of this.workers) if (w.alive) w.close();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

export type { Worker };

/** env(1), by its path: the worker's PATH is jux's, which need not lead to it. */
export const ENV = '/usr/bin/env';

/** A word quoted for the shell: in single quotes, each ' written as '\'' (quote, backslash-quote, quote). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Shell code for runCode that runs `program` (no arguments) exactly as
 * execa would with `extendEnv: false`: in `cwd`, with exactly `env` as its
 * environment (env -i), standard input from /dev/null, and standard output
 * and error both to `log` (created or truncated), in order.
 */
export function scriptCommand(program: string, cwd: string, env: Readonly<Record<string, string>>, log: string): string {
  const assignments = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`));
  return `exec >${shellQuote(log)} 2>&1; cd ${shellQuote(cwd)} && exec ${ENV} -i ${assignments.join(' ')} ${shellQuote(program)}`;
}

/**
 * Shell code for `/bin/sh -c`, with a pipe from jux at fd 3, that starts a
 * watcher on that pipe (see WATCH) and then runs `program` as
 * scriptCommand does — exactly `env`, in the shell's working directory —
 * without fd 3, as the group's leader. For scripts run with execa (see
 * builder/runScript.ts): jux writes "quit" on the pipe when the script ends.
 */
export function watchedScriptCommand(program: string, env: Readonly<Record<string, string>>): string {
  const assignments = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`));
  return `/bin/sh -c ${shellQuote(WATCH)} jux-orphan-watch '' '' 5<&3 3>&- </dev/null >/dev/null 2>&1 &
exec 3>&-; exec ${ENV} -i ${assignments.join(' ')} ${shellQuote(program)}`;
}
