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
// one of the worker's two output files, used in turn so that the next
// command can run while jux reads the last one's; "i" and "c": the same
// for a command of one line, which follows the letter on the mode line;
// "F": the worker's code file, written by jux, sourced by
// the worker itself in a subshell with standard input from /dev/null and
// fds 3 and 4 closed — the code sets up its own output and environment, see
// scriptCommand; it travels in a file because the shell reads a pipe one
// byte per system call, a file a block at a time), the command's lines
// (none for "F"), and the end marker line. When its input ends (jux closed
// it, or jux died, even by SIGKILL) the worker removes its files, and the
// last one out their folder: the code file holds a script's environment.
// Each answer on fd 3 is a line: the exit status, then " o" when a captured
// command wrote output (jux reads the file only then). Messages are
// answered in the order they were sent.
// fd 5: the watcher's pipe (see above); the worker closes its own copy so
// that commands do not inherit it.
const SCRIPT = `
out=$JUX_OUT; code=$JUX_CODE; end=$JUX_END; watch=$JUX_WATCH; unset JUX_OUT JUX_CODE JUX_END JUX_WATCH
/bin/sh -c "$watch" jux-orphan-watch "$out" "$code" </dev/null >/dev/null 2>&1 3>&- 4<&- &
exec 5<&-
n=0
while IFS= read -r mode; do
  case $mode in
  [ci]*)
    cmd="\${mode#?}
" ;;
  *)
    cmd=
    while IFS= read -r l; do
      [ "$l" = "$end" ] && break
      cmd="$cmd$l
"
    done ;;
  esac
  case $mode in
  [Cc]*)
    o=$out.$n; n=$((1 - n))
    /bin/sh -c "$cmd" <&4 >"$o" 2>&1
    s=$?
    if [ -s "$o" ]; then printf '%d o\\n' "$s" >&3; else printf '%d\\n' "$s" >&3; fi ;;
  F)
    ( exec 3>&- 4<&-; . "$code" ) </dev/null
    printf '%d\\n' "$?" >&3 ;;
  *)
    /bin/sh -c "$cmd" <&4
    printf '%d\\n' "$?" >&3 ;;
  esac
done
rm -f "$out.0" "$out.1" "$code"; rmdir "\${out%/*}" 2>/dev/null
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
[ -n "$1" ] && { rm -f "$1.0" "$1.1" "$2"; rmdir "\${1%/*}"; } 2>/dev/null
sleep 1
kill -KILL 0
`;

const END = `\x01jux-end-${Math.random().toString(36).slice(2)}`;

interface Pending {
  readonly capture: boolean;
  /** Which of the worker's two output files a captured command writes. */
  readonly outIndex: number;
  readonly resolve: (r: CommandResult) => void;
}

/**
 * A command that took less than this (as jux saw it) counts as short: a
 * worker whose last command was short, and whose current one started less
 * than this ago, may be given the next command before it finishes (see
 * ShellWorkers.run).
 */
const QUICK_MS = 5;

class Worker {
  /** Commands sent and not yet answered, oldest (the running one) first. */
  private readonly pending: Pending[] = [];
  private statusBuf = '';
  private dead = false;
  private captured = 0;
  /** When the running command started, as far as jux can tell, and how long the last one took. */
  private currentStart = 0;
  private lastMs = Infinity;
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
    /** Names the worker's shell exports (see exportedNames); undefined: not known. */
    readonly exported: readonly string[] | undefined,
    private readonly onAnswer: () => void,
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
    return this.pending.length > 0;
  }
  /** Running a short command (shorter than `quickMs`, as was the last), with nothing queued behind it: it may take one more. */
  quick(now: number, quickMs: number): boolean {
    return this.pending.length === 1 && this.lastMs < quickMs && now - this.currentStart < quickMs;
  }
  get alive(): boolean {
    return !this.dead;
  }
  get pid(): number | undefined {
    return this.child.pid;
  }

  run(text: string, capture: boolean): Promise<CommandResult> {
    // One line of text (the usual action) travels on its mode line ("c",
    // "i"); the worker gives it back with one newline at its end.
    const nl = text.indexOf('\n');
    const msg =
      nl < 0
        ? `${capture ? 'c' : 'i'}${text}\n`
        : nl === text.length - 1
          ? `${capture ? 'c' : 'i'}${text}`
          : `${capture ? 'C' : 'I'}\n${text}\n${END}\n`;
    return this.send(msg, 'latin1', capture);
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
      if (this.pending.length === 0) this.currentStart = performance.now();
      const outIndex = capture ? this.captured++ % 2 : 0;
      this.pending.push({ capture, outIndex, resolve });
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
      const line = this.statusBuf.slice(0, nl);
      this.statusBuf = this.statusBuf.slice(nl + 1);
      // "STATUS" or "STATUS o": the command wrote output.
      this.finish(Number.parseInt(line, 10), null, line.endsWith(' o'));
    }
  }

  private finish(code: number | null, signal: string | null = null, wroteOutput = true): void {
    const p = this.pending.shift();
    if (p === undefined) return;
    const now = performance.now();
    this.lastMs = now - this.currentStart;
    this.currentStart = now;
    let output: Buffer | null = null;
    if (p.capture) {
      // Read before anything else happens: the worker writes this file
      // again only for the command after the next one, which is not sent yet.
      try {
        output = wroteOutput ? fs.readFileSync(`${this.outFile}.${p.outIndex}`) : Buffer.alloc(0);
      } catch {
        output = null;
      }
    }
    p.resolve(signal === null ? { exitCode: code, output } : { exitCode: code, output, signal });
    this.onAnswer();
  }

  private onExit(signal: string | null): void {
    if (this.dead) return;
    this.dead = true;
    this.closeCode();
    // A worker that died on its own (killed alone, not with its group) may
    // leave its command running: the watcher stops what is left of the group.
    this.endLife('');
    // A status written just before the worker died is read in this turn of
    // the event loop; the commands end when their statuses say, if they
    // came, and the rest (the running one and any queued) with the signal.
    setImmediate(() => {
      while (this.pending.length) this.finish(null, signal);
    });
  }
}

/**
 * A pool of shell workers, one per job slot: at most `max` (jux jam's -j),
 * each running one command at a time.
 */
export class ShellWorkers {
  private readonly workers: Worker[] = [];
  private dir: string | null = null;
  /** Commands waiting for a worker (run() when none could take them). */
  private readonly waiting: (() => void)[] = [];
  /** Set by signal(): commands still waiting for a worker never start. */
  private halted: NodeJS.Signals | null = null;

  constructor(
    private readonly execa: typeof import('execa').execa,
    private readonly max = Infinity,
    private readonly quickMs = QUICK_MS,
  ) {}

  /** A worker that is not running a command (started on demand). */
  acquire(): Worker {
    for (const w of this.workers) if (w.alive && !w.busy) return w;
    const w = this.start();
    this.workers.push(w);
    return w;
  }

  /**
   * The worker that can take a command now: an idle one, a new one while
   * fewer than `max` live, or (with `queue`) a worker running a short
   * command with nothing behind it — it starts the new command the moment
   * the running one ends, without waiting for jux to hear of it. That
   * round trip through Node's event loop costs more than a short command
   * itself; a long command (a compile) is never queued behind.
   */
  private pick(queue: boolean): Worker | 'new' | null {
    let live = 0;
    let quick: Worker | null = null;
    const now = queue ? performance.now() : 0;
    for (const w of this.workers) {
      if (!w.alive) continue;
      live++;
      if (!w.busy) return w;
      if (queue && quick === null && w.quick(now, this.quickMs)) quick = w;
    }
    if (live < this.max) return 'new';
    return quick;
  }

  /** Whether run(…, true) would hand a command to a worker at once. */
  canTake(queue: boolean): boolean {
    return this.pick(queue) !== null;
  }

  /**
   * Run `/bin/sh -c TEXT` on a worker (pick); when none can take it, wait
   * for one to answer. `queue`: a short command may be queued behind
   * another on one worker (never more than one behind).
   */
  run(text: string, capture: boolean, queue: boolean): Promise<CommandResult> {
    if (this.halted !== null) return Promise.resolve({ exitCode: null, output: null, signal: this.halted });
    const p = this.pick(queue);
    if (p === null) return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.run(text, capture, queue));
    const w = p === 'new' ? this.acquire() : p;
    return w.run(text, capture);
  }

  private answered(): void {
    this.waiting.shift()?.();
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
    const exported = shellIsDash() ? exportedNames(process.env) : undefined;
    return new Worker(child as unknown as WorkerProcess, outFile, codeFile, exported, () => this.answered());
  }

  /**
   * Signal every busy worker's process group (the worker, its command and
   * any command queued behind it). Commands waiting for a worker are
   * answered as stopped by `signal` and never start.
   */
  signal(signal: NodeJS.Signals): number[] {
    this.halted = signal;
    for (const wake of this.waiting.splice(0)) wake();
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
    return { done: w.runCode(scriptCommand(program, cwd, env, log, w.exported)), kill: () => w.signal('SIGTERM'), group: w.group };
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

/** A name the shell can set, export and unset (others it drops from its environment). */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the shell holds on to: dash will not unset OPTIND, nor set it to anything but a number. */
const HELD = new Set(['OPTIND']);

/** What the worker's shell is started with on top of jux's environment, and unsets itself (see SCRIPT). */
const WORKER_OWN = new Set(['JUX_OUT', 'JUX_CODE', 'JUX_END', 'JUX_WATCH']);

let dash: boolean | undefined;
/**
 * Whether /bin/sh is dash, whose exports exportedNames knows. (bash as sh
 * adds SHLVL and `_` to what it starts.)
 */
function shellIsDash(): boolean {
  if (dash === undefined) {
    try {
      dash = path.basename(fs.realpathSync('/bin/sh')) === 'dash';
    } catch {
      dash = false;
    }
  }
  return dash;
}

/**
 * The names a worker's shell (/bin/sh as dash, started with `env` as its
 * environment) exports: the shell keeps those it can name, adds PWD, and
 * its commands' `cd` adds OLDPWD. (WORKER_OWN it unsets itself.)
 */
export function exportedNames(env: Readonly<Record<string, string | undefined>>): string[] {
  const names = Object.keys(env).filter((k) => SHELL_NAME.test(k) && !WORKER_OWN.has(k));
  return [...new Set([...names, 'PWD', 'OLDPWD'])];
}

/**
 * Shell code for runCode that runs `program` (no arguments) exactly as
 * execa would with `extendEnv: false`: in `cwd`, with exactly `env` as its
 * environment, standard input from /dev/null, and standard output and
 * error both to `log` (created or truncated), in order.
 *
 * The environment is set by the worker's own shell (a subshell that
 * unsets what the worker exports, `exported`, and exports `env`) before it
 * execs the program: starting env(1) as well cost about half a
 * millisecond of processor per script. Where the shell cannot name a
 * variable of `env` (NOT-A-NAME=1: it would drop it) or would not let it
 * go (OPTIND), or `exported` is not known, env -i sets it instead.
 */
export function scriptCommand(
  program: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
  log: string,
  exported?: readonly string[],
): string {
  const names = Object.keys(env);
  const head = `exec >${shellQuote(log)} 2>&1; cd ${shellQuote(cwd)} && `;
  const gone = exported?.filter((k) => !Object.hasOwn(env, k));
  if (gone === undefined || !names.every((k) => SHELL_NAME.test(k) && !HELD.has(k)) || gone.some((k) => HELD.has(k))) {
    const assignments = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`));
    return `${head}exec ${ENV} -i ${assignments.join(' ')} ${shellQuote(program)}`;
  }
  // (Exported last: an IFS of the script's does not change how this code is read.)
  const unset = gone.length ? `unset ${gone.join(' ')}; ` : '';
  const exports = names.length ? `export ${names.map((k) => `${k}=${shellQuote(env[k]!)}`).join(' ')}; ` : '';
  return `${head}{ ${unset}${exports}exec ${shellQuote(program)}; }`;
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
