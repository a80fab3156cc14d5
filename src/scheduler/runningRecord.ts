/**
 * STATE/running: the process groups running phase scripts for the jux that
 * holds the state lock, so that the next jux can stop them if this one is
 * killed and they outlive it (their watcher was killed too, or they have
 * none: see shellWorkers.ts).
 *
 * One small ASCII file per script running at once, `PID.SLOT` (PID: the
 * jux that wrote it), holding one line
 *
 *     pgid 4242 started 1234567 holder 4200 holder-started 1234000
 *
 * the group (its leader's pid and start time) and the jux that started it
 * (pid and start time), so that neither a reused pid nor a live jux is ever
 * mistaken for them; or `idle` when no script runs in that slot. The line
 * is padded with spaces to a fixed width, so that a slot is reused by
 * writing its line over the last one in place, with one write and no new
 * file (creating, renaming and removing a file for every script cost more
 * than the short scripts of a bulk build). A slot's file is first made
 * whole (written to PID.SLOT.tmp and renamed: a reader sees a whole line
 * or nothing), and removed when the jux is done. Not synced: after a crash
 * of the machine no process is left to stop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { processStart, type ProcessGroup } from '../util/processes.js';

/** A process, named by pid and start time. */
export interface ProcessId {
  readonly pid: number;
  readonly started: number;
}

export interface RunningEntry {
  /** The record's file. */
  readonly file: string;
  readonly group: { readonly pgid: number; readonly started: number };
  readonly holder: ProcessId;
}

export function runningDir(stateDir: string): string {
  return path.join(stateDir, 'running');
}

/** How long a slot's line is (spaces pad it), newline included. */
export const LINE_WIDTH = 100;

function padded(line: string): string {
  return line.length < LINE_WIDTH ? `${line.padEnd(LINE_WIDTH - 1)}\n` : `${line}\n`;
}

export function formatEntry(group: { readonly pgid: number; readonly started: number }, holder: ProcessId): string {
  return padded(`pgid ${group.pgid} started ${group.started} holder ${holder.pid} holder-started ${holder.started}`);
}

const LINE = /^pgid (\d+) started (\d+) holder (\d+) holder-started (\d+) *\n?$/;
const IDLE_LINE = /^idle *\n?$/;

/** A record's text, or null when it is not one (a file cut short). */
export function parseEntry(file: string, text: string): RunningEntry | null {
  const m = LINE.exec(text);
  if (!m) return null;
  const [pgid, started, pid, holderStarted] = m.slice(1).map(Number) as [number, number, number, number];
  if (pgid <= 1) return null;
  return { file, group: { pgid, started }, holder: { pid, started: holderStarted } };
}

/**
 * The records in `stateDir`, and the files there that are not (idle slots
 * and half-written files).
 */
export function readRunning(stateDir: string): { readonly entries: RunningEntry[]; readonly other: string[] } {
  const dir = runningDir(stateDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { entries: [], other: [] };
  }
  const entries: RunningEntry[] = [];
  const other: string[] = [];
  for (const n of names.sort()) {
    const file = path.join(dir, n);
    let text: string | null = null;
    if (!n.endsWith('.tmp')) {
      try {
        text = fs.readFileSync(file, 'latin1');
      } catch {
        continue; // removed meanwhile
      }
    }
    const e = text === null ? null : parseEntry(file, text);
    if (e) entries.push(e);
    else other.push(file);
  }
  return { entries, other };
}

/** Whether a record's text is an idle slot's. */
export function isIdle(text: string): boolean {
  return IDLE_LINE.test(text);
}

/** One file of STATE/running, held open: the length of its line, and whether a script runs in it. */
interface Slot {
  readonly file: string;
  fd: number;
  length: number;
  busy: boolean;
}

/** Writes this jux's records. */
export class RunningRecord {
  private readonly dir: string;
  private readonly holder: ProcessId | null;
  private dirMade = false;
  private closed = false;
  private readonly slots: Slot[] = [];
  /** Slots made so far: the next one's number. */
  private slotsMade = 0;

  constructor(stateDir: string) {
    this.dir = runningDir(stateDir);
    const started = processStart(process.pid);
    this.holder = started === null ? null : { pid: process.pid, started };
  }

  /**
   * Record `group` as running a script; returns what clears the record.
   * A group whose leader's start time is unknown (no /proc) is not
   * recorded: it could not be told from a reused pid later.
   */
  add(group: ProcessGroup): () => void {
    if (this.holder === null || group.started === null) return () => undefined;
    const line = formatEntry({ pgid: group.pgid, started: group.started }, this.holder);
    let slot = this.slots.find((s) => !s.busy);
    if (slot === undefined) {
      if (!this.dirMade) {
        fs.mkdirSync(this.dir, { recursive: true });
        this.dirMade = true;
      }
      slot = { file: path.join(this.dir, `${process.pid}.${++this.slotsMade}`), fd: -1, length: 0, busy: false };
      this.slots.push(slot);
    }
    if (slot.fd >= 0 && slot.length === line.length) fs.writeSync(slot.fd, line, 0, 'latin1');
    else {
      // A new slot (or a line of another length, which the padding makes rare): a whole new file.
      if (slot.fd >= 0) fs.closeSync(slot.fd);
      slot.fd = -1;
      fs.writeFileSync(`${slot.file}.tmp`, line, 'latin1');
      fs.renameSync(`${slot.file}.tmp`, slot.file);
      slot.fd = fs.openSync(slot.file, 'r+');
      slot.length = line.length;
    }
    const taken = slot;
    taken.busy = true;
    return () => {
      if (!taken.busy) return;
      taken.busy = false;
      if (this.closed) this.drop(taken);
      else fs.writeSync(taken.fd, `${'idle'.padEnd(taken.length - 1)}\n`, 0, 'latin1');
    };
  }

  /**
   * Remove this jux's slot files: the idle ones now, the others as their
   * scripts end.
   */
  close(): void {
    this.closed = true;
    for (const s of this.slots.filter((x) => !x.busy)) this.drop(s);
  }

  private drop(slot: Slot): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    fs.closeSync(slot.fd);
    fs.rmSync(slot.file, { force: true });
  }
}
