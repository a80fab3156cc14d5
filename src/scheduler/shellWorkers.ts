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
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandResult } from './exec.js';

/** The parts of an execa subprocess a worker uses. */
interface WorkerProcess extends PromiseLike<unknown> {
  readonly pid?: number | undefined;
  readonly stdin: NodeJS.WritableStream | null;
  readonly stdio: readonly unknown[];
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
const SCRIPT = `
out=$JUX_OUT; code=$JUX_CODE; end=$JUX_END; unset JUX_OUT JUX_CODE JUX_END
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
    child.then(
      (r) => this.onExit((r as { signal?: string } | undefined)?.signal ?? null),
      () => this.onExit(null),
    );
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
    (this.child.stdin as NodeJS.WritableStream).end();
    this.closeCode();
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
    this.dead = true;
    this.closeCode();
    this.finish(null, signal);
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
    const env: Record<string, string | undefined> = { ...process.env, JUX_OUT: outFile, JUX_CODE: codeFile, JUX_END: END };
    const child = this.execa('/bin/sh', ['-c', SCRIPT], {
      stdio: ['pipe', 'inherit', 'inherit', 'pipe', 0],
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
  ): { readonly done: Promise<CommandResult>; readonly kill: () => void } {
    const w = this.acquire();
    return { done: w.runCode(scriptCommand(program, cwd, env, log)), kill: () => w.signal('SIGTERM') };
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
