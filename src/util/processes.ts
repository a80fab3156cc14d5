/**
 * Processes as /proc shows them. A pid with its start time names one process
 * even after the pid is reused by another (the state lock, the record of
 * running build scripts); a process group is found by its members.
 */
import fs from 'node:fs';

/** A process group that runs jux's commands, named so that a reused pid is not mistaken for it. */
export interface ProcessGroup {
  /** The group's id: its leader's pid. */
  readonly pgid: number;
  /** The leader's start time (processStart), null when unknown. */
  readonly started: number | null;
}

interface Stat {
  readonly state: string;
  readonly pgrp: number;
  /** Clock ticks since boot. */
  readonly started: number;
}

function readStat(pid: number | string): Stat | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const started = Number(fields[19]); // field 22 counted from PID
    const pgrp = Number(fields[2]); // field 5
    if (!Number.isSafeInteger(started) || !Number.isSafeInteger(pgrp)) return null;
    return { state: fields[0] ?? '?', pgrp, started };
  } catch {
    return null;
  }
}

/** The start time of process `pid` (clock ticks since boot), or null when unknown (gone, or no /proc). */
export function processStart(pid: number): number | null {
  return readStat(pid)?.started ?? null;
}

/**
 * The live processes of process group `pgid` (zombies, already dead and
 * only waiting for their parent, are left out), or null when /proc cannot
 * be read.
 */
export function groupMembers(pgid: number): number[] | null {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  const members: number[] = [];
  for (const n of names) {
    if (n.charCodeAt(0) < 48 || n.charCodeAt(0) > 57) continue;
    const s = readStat(n);
    if (s !== null && s.pgrp === pgid && s.state !== 'Z' && s.state !== 'X') members.push(Number(n));
  }
  return members;
}
