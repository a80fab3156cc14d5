/**
 * STATE/running: the process groups running phase scripts for the jux that
 * holds the state lock, so that the next jux can stop them if this one is
 * killed and they outlive it (their watcher was killed too, or they have
 * none: see shellWorkers.ts).
 *
 * One small ASCII file per running script, `PID.SEQ` (PID: the jux that
 * wrote it), holding one line
 *
 *     pgid 4242 started 1234567 holder 4200 holder-started 1234000
 *
 * the group (its leader's pid and start time) and the jux that started it
 * (pid and start time), so that neither a reused pid nor a live jux is ever
 * mistaken for them. Written to PID.SEQ.tmp and renamed (a reader sees a
 * whole line or nothing) when the script starts, removed when it ends. Not
 * synced: after a crash of the machine no process is left to stop.
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

export function formatEntry(group: { readonly pgid: number; readonly started: number }, holder: ProcessId): string {
  return `pgid ${group.pgid} started ${group.started} holder ${holder.pid} holder-started ${holder.started}\n`;
}

const LINE = /^pgid (\d+) started (\d+) holder (\d+) holder-started (\d+)\n?$/;

/** A record's text, or null when it is not one (a file cut short). */
export function parseEntry(file: string, text: string): RunningEntry | null {
  const m = LINE.exec(text);
  if (!m) return null;
  const [pgid, started, pid, holderStarted] = m.slice(1).map(Number) as [number, number, number, number];
  if (pgid <= 1) return null;
  return { file, group: { pgid, started }, holder: { pid, started: holderStarted } };
}

/** The records in `stateDir`, and the files there that are not (half-written ones). */
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

/** Writes this jux's records. */
export class RunningRecord {
  private readonly dir: string;
  private readonly holder: ProcessId | null;
  private seq = 0;
  private made = false;

  constructor(stateDir: string) {
    this.dir = runningDir(stateDir);
    const started = processStart(process.pid);
    this.holder = started === null ? null : { pid: process.pid, started };
  }

  /**
   * Record `group` as running a script; returns what removes the record.
   * A group whose leader's start time is unknown (no /proc) is not
   * recorded: it could not be told from a reused pid later.
   */
  add(group: ProcessGroup): () => void {
    if (this.holder === null || group.started === null) return () => undefined;
    if (!this.made) {
      fs.mkdirSync(this.dir, { recursive: true });
      this.made = true;
    }
    const file = path.join(this.dir, `${process.pid}.${++this.seq}`);
    fs.writeFileSync(`${file}.tmp`, formatEntry({ pgid: group.pgid, started: group.started }, this.holder));
    fs.renameSync(`${file}.tmp`, file);
    return () => fs.rmSync(file, { force: true });
  }
}
