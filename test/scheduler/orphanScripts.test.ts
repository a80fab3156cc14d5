/**
 * Stopping what a dead jux recorded as running (STATE/running): never a
 * process whose pid was reused (other start time), never the groups of a
 * live jux; the recorded group when it is the one recorded. The processes
 * are this test's own detached `sleep`s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopOrphanScripts } from '../../src/scheduler/orphanScripts.js';
import { formatEntry, isIdle, LINE_WIDTH, parseEntry, readRunning, RunningRecord, runningDir } from '../../src/scheduler/runningRecord.js';
import { processStart } from '../../src/util/processes.js';
import { tempDir } from '../helpers/run.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A detached `sleep` (its own process group) and when it started. */
async function sleeper(): Promise<{ child: ChildProcess; pid: number; started: number }> {
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid!;
  return { child, pid, started: processStart(pid)! };
}

function running(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

function stateDir(): string {
  const d = tempDir('jux-orphan-unit-');
  dirs.push(d);
  fs.mkdirSync(runningDir(d));
  return d;
}

const me = processStart(process.pid)!;
/** This process with another start time: a dead jux whose pid was reused by this one. */
const deadHolder = { pid: process.pid, started: me + 1 };

function record(state: string, name: string, pgid: number, started: number, holder: { pid: number; started: number }): string {
  const file = path.join(runningDir(state), name);
  fs.writeFileSync(file, formatEntry({ pgid, started }, holder));
  return file;
}

describe('stopOrphanScripts', () => {
  it('does not kill a group whose leader pid was reused (another start time), and drops the record', async () => {
    const s = await sleeper();
    const state = stateDir();
    const file = record(state, '1.1', s.pid, s.started - 1, deadHolder);
    const r = await stopOrphanScripts(state, { graceMs: 200 });
    expect(r.pgids).toEqual([]);
    await new Promise((res) => setTimeout(res, 100));
    expect(running(s.child)).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('does not touch the groups of a live jux', async () => {
    const s = await sleeper();
    const state = stateDir();
    const file = record(state, '1.1', s.pid, s.started, { pid: process.pid, started: me });
    expect((await stopOrphanScripts(state, { graceMs: 200 })).pgids).toEqual([]);
    expect(running(s.child)).toBe(true);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('stops the recorded group of a dead jux', async () => {
    const s = await sleeper();
    const state = stateDir();
    const file = record(state, '1.1', s.pid, s.started, deadHolder);
    fs.writeFileSync(path.join(runningDir(state), '999999999.2.tmp'), 'pgid 1');
    const exit = new Promise((res) => s.child.once('exit', (_c, sig) => res(sig)));
    const r = await stopOrphanScripts(state, { graceMs: 200 });
    expect(r).toEqual({ pgids: [s.pid], holders: [process.pid] });
    expect(await exit).toBe('SIGTERM');
    expect(fs.readdirSync(runningDir(state))).toEqual([]);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('RunningRecord', () => {
  it('writes one record per running script and removes it when told', () => {
    const state = tempDir('jux-orphan-unit-');
    dirs.push(state);
    const rec = new RunningRecord(state);
    const clear = rec.add({ pgid: 4242, started: 77 });
    const { entries, other } = readRunning(state);
    expect(other).toEqual([]);
    expect(entries.map((e) => ({ group: e.group, holder: e.holder }))).toEqual([{ group: { pgid: 4242, started: 77 }, holder: { pid: process.pid, started: me } }]);
    const line = `pgid 4242 started 77 holder ${process.pid} holder-started ${me}`;
    expect(fs.readFileSync(entries[0]!.file, 'latin1')).toBe(`${line.padEnd(LINE_WIDTH - 1)}\n`);
    expect(rec.add({ pgid: 4243, started: null })()).toBeUndefined(); // not recorded: no start time
    clear();
    // The slot stays, idle, for the next script: written over in place.
    expect(readRunning(state).entries).toEqual([]);
    const [slot] = readRunning(state).other;
    expect(fs.readFileSync(slot!, 'latin1')).toBe(`${'idle'.padEnd(LINE_WIDTH - 1)}\n`);
    const ino = fs.statSync(slot!).ino;
    const clear2 = rec.add({ pgid: 4244, started: 78 });
    expect(readRunning(state).entries.map((e) => [e.file, e.group.pgid])).toEqual([[slot, 4244]]);
    expect(fs.statSync(slot!).ino).toBe(ino);
    // A second script at once gets a second slot.
    const clear3 = rec.add({ pgid: 4245, started: 79 });
    expect(readRunning(state).entries.map((e) => e.group.pgid)).toEqual([4244, 4245]);
    clear3();
    rec.close();
    // The busy slot stays until its script ends; the idle one went.
    expect(readRunning(state).entries.map((e) => e.group.pgid)).toEqual([4244]);
    expect(readRunning(state).other).toEqual([]);
    clear2();
    expect(fs.readdirSync(runningDir(state))).toEqual([]);
  });

  it('leaves the idle slots of a dead jux for the next one to remove', async () => {
    const state = tempDir('jux-orphan-unit-');
    dirs.push(state);
    fs.mkdirSync(runningDir(state));
    const idle = path.join(runningDir(state), '999999999.1');
    fs.writeFileSync(idle, `${'idle'.padEnd(LINE_WIDTH - 1)}\n`);
    expect(isIdle(fs.readFileSync(idle, 'latin1'))).toBe(true);
    const mine = new RunningRecord(state);
    mine.add({ pgid: 4246, started: 80 })();
    await stopOrphanScripts(state);
    // The dead jux's idle slot went; this jux's stays until it closes.
    expect(fs.readdirSync(runningDir(state))).toEqual([`${process.pid}.1`]);
    mine.close();
    expect(fs.readdirSync(runningDir(state))).toEqual([]);
  });

  it('reads only whole records', () => {
    expect(parseEntry('f', 'pgid 12 started 3 holder 4 holder-started')).toBeNull();
    expect(parseEntry('f', 'pgid 1 started 3 holder 4 holder-started 5\n')).toBeNull();
    expect(parseEntry('f', 'pgid 12 started 3 holder 4 holder-started 5\n')?.group).toEqual({ pgid: 12, started: 3 });
    expect(parseEntry('f', 'pgid 12 started 3 holder 4 holder-started 5      \n')?.group).toEqual({ pgid: 12, started: 3 });
    expect(parseEntry('f', `${'idle'.padEnd(LINE_WIDTH - 1)}\n`)).toBeNull();
  });
});
