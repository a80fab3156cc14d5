/**
 * Stopping the phase scripts a killed jux left running, from its record in
 * STATE/running (runningRecord.ts). Called by the jux that takes the state
 * lock, before it recovers transactions or builds anything: an orphaned
 * `make install` must not go on writing into a build folder or staging tree
 * the new run reuses or removes.
 *
 * A group is stopped only when the jux that recorded it is dead (its pid
 * gone, or now another process: other start time) and the group is the
 * recorded one: its leader has the recorded start time; or its leader is
 * gone but members remain — Linux does not give a pid number to a new
 * process while a process group of that number exists, so the number
 * still names the recorded group (unless, in between, the group emptied,
 * its number was reused by a new group leader, and that leader died
 * leaving members: not a case to guard against). A leader with another
 * start time is a reused pid: nothing is killed. Stopping is SIGTERM to
 * the group, then SIGKILL to what is left after a grace period; the
 * records go once their groups are gone.
 */
import fs from 'node:fs';
import { groupMembers, processStart } from '../util/processes.js';
import { readRunning, type ProcessId, type RunningEntry } from './runningRecord.js';

export interface OrphanOptions {
  /** How long the groups have to end after SIGTERM before SIGKILL (ms). */
  readonly graceMs?: number;
}

export interface StoppedOrphans {
  /** The groups that were still running and were stopped. */
  readonly pgids: number[];
  /** The dead jux processes that had started them. */
  readonly holders: number[];
}

function pidExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAlive(p: ProcessId): boolean {
  return pidExists(p.pid) && processStart(p.pid) === p.started;
}

/** Whether the group of a record is still there and is the recorded one (see above). */
export function isRecordedGroupRunning(e: RunningEntry): boolean {
  const leader = processStart(e.group.pgid);
  if (leader !== null) return leader === e.group.started;
  const members = groupMembers(e.group.pgid);
  return members !== null && members.length > 0;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone, or not ours to signal
  }
}

async function waitGone(pgids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = [...pgids];
  for (;;) {
    left = left.filter((g) => (groupMembers(g)?.length ?? 0) > 0);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The holder's pid from a record's file name (PID.SEQ or PID.SEQ.tmp). */
function holderOfName(file: string): number {
  return Number(/(\d+)\.\d+(?:\.tmp)?$/.exec(file)?.[1] ?? NaN);
}

/**
 * Stop what dead jux processes recorded as running, and remove their
 * records. Records of live processes (this one included) are left alone.
 */
export async function stopOrphanScripts(stateDir: string, opts: OrphanOptions = {}): Promise<StoppedOrphans> {
  const { entries, other } = readRunning(stateDir);
  // Half-written records (their writer died between writing and renaming).
  for (const f of other) if (!pidExists(holderOfName(f))) fs.rmSync(f, { force: true });
  const dead = entries.filter((e) => !isAlive(e.holder));
  const running = dead.filter(isRecordedGroupRunning);
  const pgids = [...new Set(running.map((e) => e.group.pgid))];
  if (pgids.length > 0) {
    for (const g of pgids) signalGroup(g, 'SIGTERM');
    const left = await waitGone(pgids, opts.graceMs ?? 2000);
    for (const g of left) signalGroup(g, 'SIGKILL');
    await waitGone(left, 1000);
  }
  for (const e of dead) fs.rmSync(e.file, { force: true });
  return { pgids, holders: [...new Set(running.map((e) => e.holder.pid))] };
}
