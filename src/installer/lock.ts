/**
 * One lock guards the state and the root: STATE/lock, created exclusively,
 * holding the owner's pid, host, command and start time. A second jux that
 * would change them waits (--wait) or fails at once, naming the holder. A
 * lock whose process is gone (same host, pid not alive, or the pid now
 * belongs to a process started at another moment than the holder: a reused
 * pid) is taken over, under a second lock (LOCK.break) so that two takers
 * cannot both win.
 *
 * Hand-written rather than proper-lockfile because the holder's pid and
 * command must be in the message and a dead holder must be recognised at
 * once, not after a staleness timeout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JuxError } from '../errors.js';
import { processStart } from '../util/processes.js';

export { processStart };

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  /**
   * When the holder process started, in clock ticks since boot
   * (/proc/PID/stat field 22): with the pid it names the process even after
   * the pid is reused. Absent where /proc is not available (and in locks of
   * older versions): then the pid alone is checked.
   */
  readonly started?: number;
}

/** Exit status when the lock is held by another jux (EX_TEMPFAIL: try again later). */
export const LOCKED_STATUS = 75;

/** Is the process that took the lock still running? */
function alive(h: { readonly pid: number; readonly started?: number }): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (typeof h.started !== 'number') return true;
  const now = processStart(h.pid);
  return now === null || now === h.started;
}

function me(command: string): LockHolder {
  const started = processStart(process.pid);
  return {
    pid: process.pid,
    host: os.hostname(),
    command,
    since: new Date().toISOString(),
    ...(started !== null ? { started } : {}),
  };
}

export function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function describe(h: LockHolder | null): string {
  return h ? `pid ${h.pid} (${h.command}), since ${h.since}` : 'a process that left no details';
}

export class StateLock {
  private held = false;
  private readonly onExit = (): void => this.release();

  constructor(
    readonly file: string,
    readonly command: string,
  ) {}

  /** Take the lock; with `wait`, poll until it is free (reporting once through `waiting`). */
  async acquire(opts: { wait: boolean; waiting?: (holder: string) => void }): Promise<void> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const self = me(this.command);
    let told = false;
    for (;;) {
      try {
        const fd = fs.openSync(this.file, 'wx');
        fs.writeSync(fd, JSON.stringify(self) + '\n');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        this.held = true;
        process.on('exit', this.onExit);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readHolder(this.file);
      if (holder === null && !fs.existsSync(this.file)) continue; // released meanwhile
      if (holder === null || (holder.host === os.hostname() && !alive(holder))) {
        // A dead holder, or a lock its creator never filled in: break it.
        if (holder === null) await new Promise((r) => setTimeout(r, 50));
        this.breakStale(holder);
        if (holder === null) await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (!opts.wait) {
        throw new JuxError(
          `another jux is changing this system: ${describe(holder)}; run again with --wait to wait for it`,
          null,
          LOCKED_STATUS,
        );
      }
      if (!told) {
        opts.waiting?.(`waiting for the jux holding the lock: ${describe(holder)}`);
        told = true;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Remove a lock left by a dead process (or an empty one older than a few
   * seconds). Only the process holding LOCK.break may do so, and it looks
   * again first, so two jux taking over at once cannot remove each other's
   * fresh lock. A LOCK.break left by a dead process is removed in turn.
   */
  private breakStale(seen: LockHolder | null): void {
    const brk = `${this.file}.break`;
    let fd: number;
    try {
      fd = fs.openSync(brk, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const other = readHolder(brk);
      let age = 0;
      try {
        age = Date.now() - fs.statSync(brk).mtimeMs;
      } catch {
        return; // just released
      }
      if ((other !== null && other.host === os.hostname() && !alive(other)) || (other === null && age > 5000)) {
        fs.rmSync(brk, { force: true });
      }
      return;
    }
    try {
      fs.writeSync(fd, JSON.stringify(me(this.command)) + '\n');
      fs.closeSync(fd);
      const now = readHolder(this.file);
      if (seen === null) {
        // Still empty and old: its creator died between creating and writing it.
        if (now === null && fs.existsSync(this.file) && Date.now() - fs.statSync(this.file).mtimeMs > 5000) fs.rmSync(this.file, { force: true });
      } else if (now !== null && now.pid === seen.pid && now.since === seen.since && now.host === seen.host && !alive(now)) {
        fs.rmSync(this.file, { force: true });
      }
    } finally {
      fs.rmSync(brk, { force: true });
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    process.off('exit', this.onExit);
    const h = readHolder(this.file);
    if (h && h.pid === process.pid) fs.rmSync(this.file, { force: true });
  }
}
