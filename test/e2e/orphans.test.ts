/**
 * A killed jux does not leave its build scripts running. A spell whose BUILD
 * starts a child and a grandchild that would each write a marker after 3 s;
 * `jux build` is SIGKILLed while BUILD runs (through shell workers, with
 * execa, with execa and -v):
 * - the watcher in the script's process group stops the whole group at once;
 * - when that cannot happen (the watcher was killed too), the next jux that
 *   takes the lock stops them from the record in STATE/running, and says so.
 * Processes are checked by the pids the script wrote, and only those (and
 * the watcher of the script's own group) are ever signalled by the test.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJux, startJux, tempDir, writeFiles } from '../helpers/run.js';

const dirs: string[] = [];
/** Pids the tests' scripts wrote: anything left is stopped at the end. */
const started: number[] = [];

afterAll(() => {
  for (const p of started) {
    if (isRunning(p)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function stat(pid: number): { state: string; pgrp: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, pgrp: Number(f[2]) };
  } catch {
    return null;
  }
}

/** A process that exists and is not a zombie (dead, waiting for its parent). */
function isRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Setup {
  readonly dir: string;
  readonly marks: string;
  pids(): { script: number; child: number; grandchild: number };
}

/** A spell tree with one spell, "sleeper", whose BUILD leaves two processes writing markers after 3 s. */
function setup(): Setup {
  const dir = tempDir('jux-orphans-');
  dirs.push(dir);
  const marks = path.join(dir, 'marks');
  fs.mkdirSync(marks);
  writeFiles(dir, {
    'jux.yaml': 'roots: [spells]\n',
    'spells/test/sleeper/sleeper.jux': 'Spell sleeper ;\nVersion sleeper : 1.0 ;\nSource sleeper : src ;\n',
    'spells/test/sleeper/src/README': 'nothing to build\n',
    'spells/test/sleeper/BUILD': [
      '#!/bin/bash',
      `cd '${marks}'`,
      // The child starts the grandchild, then both sleep and write a marker.
      `sh -c 'sh -c "sleep 3; echo late > grandchild-done" & echo $! > grandchild.pid; sleep 3; echo late > child-done' &`,
      'echo $! > child.pid',
      'echo $$ > script.pid',
      'while [ ! -s grandchild.pid ]; do sleep 0.02; done',
      ': > started',
      'wait',
      '',
    ].join('\n'),
  });
  fs.chmodSync(path.join(dir, 'spells/test/sleeper/BUILD'), 0o755);
  const read = (f: string): number => Number(fs.readFileSync(path.join(marks, f), 'utf8').trim());
  return {
    dir,
    marks,
    pids: () => {
      const p = { script: read('script.pid'), child: read('child.pid'), grandchild: read('grandchild.pid') };
      started.push(p.script, p.child, p.grandchild);
      return p;
    },
  };
}

/** How jux runs the scripts: through shell workers, with execa, with execa and -v (output passed on). */
interface Mode {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}
const WORKERS: Mode = { name: 'shell workers', args: [], env: {} };
const EXECA: Mode = { name: 'execa, JUX_SHELL_WORKERS=0', args: [], env: { JUX_SHELL_WORKERS: '0' } };
const VERBOSE: Mode = { name: 'execa, -v', args: ['-v'], env: {} };

/** Start `jux build`, wait until BUILD runs; the script's pids. */
async function buildUntilRunning(s: Setup, mode: Mode): Promise<{ jux: ChildProcess; pids: number[]; pgid: number }> {
  // TMPDIR: the workers' files stay in the test's folder, also those of a
  // worker whose watcher the test kills (nothing else removes them then).
  const tmp = path.join(s.dir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const jux = startJux(['build', '-j', '1', ...mode.args], { cwd: s.dir, env: { JUX_JOBS: '1', TMPDIR: tmp, ...mode.env } });
  let err = '';
  jux.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await until('BUILD to start', () => fs.existsSync(path.join(s.marks, 'started')) || jux.exitCode !== null);
  expect(jux.exitCode, err).toBeNull();
  const p = s.pids();
  const pids = [p.script, p.child, p.grandchild];
  for (const pid of pids) expect(isRunning(pid)).toBe(true);
  return { jux, pids, pgid: stat(p.script)!.pgrp };
}

async function killJux(jux: ChildProcess): Promise<void> {
  jux.kill('SIGKILL');
  await exited(jux);
}

/** SIGKILL the watcher of the script's own group (a process this test's jux started). */
function killWatcher(pgid: number): void {
  const watchers = fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && stat(Number(n))?.pgrp === pgid)
    .filter((n) => {
      try {
        return fs.readFileSync(`/proc/${n}/cmdline`, 'latin1').split('\0').includes('jux-orphan-watch');
      } catch {
        return false;
      }
    })
    .map(Number);
  expect(watchers).toHaveLength(1);
  process.kill(watchers[0]!, 'SIGKILL');
}

function markers(s: Setup): string[] {
  return ['child-done', 'grandchild-done'].filter((m) => fs.existsSync(path.join(s.marks, m)));
}

describe('a SIGKILLed jux build', () => {
  for (const mode of [WORKERS, EXECA, VERBOSE]) {
    it(`stops its running BUILD script, children and grandchildren, at once (${mode.name})`, async () => {
      const s = setup();
      const { jux, pids } = await buildUntilRunning(s, mode);
      const t0 = Date.now();
      await killJux(jux);
      await until('the script and what it started to stop', () => pids.every((p) => !isRunning(p)), 2500);
      expect(Date.now() - t0).toBeLessThan(2500);
      // Past the time the markers would have been written.
      await sleep(Math.max(0, 3500 - (Date.now() - t0)));
      expect(markers(s)).toEqual([]);
      // The watcher removed the worker's files (the code file holds a script's environment).
      expect(fs.readdirSync(path.join(s.dir, 'tmp'))).toEqual([]);
      // The next jux finds nothing left to stop and says nothing about it.
      const r = await runJux(['recover'], { cwd: s.dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('stopped build scripts');
      expect(fs.readdirSync(path.join(s.dir, '.jux', 'state', 'running'))).toEqual([]);
    });
  }

  for (const mode of [WORKERS, EXECA]) {
    it(`leaves the next jux to stop them from the record when the watcher was killed too, and it says so (${mode.name})`, async () => {
      const s = setup();
      const { jux, pids, pgid } = await buildUntilRunning(s, mode);
      killWatcher(pgid);
      await killJux(jux);
      await sleep(1500);
      // Nothing stopped them: they are orphans now.
      for (const p of pids) expect(isRunning(p)).toBe(true);
      const records = fs.readdirSync(path.join(s.dir, '.jux', 'state', 'running'));
      expect(records).toHaveLength(1);
      expect(fs.readFileSync(path.join(s.dir, '.jux', 'state', 'running', records[0]!), 'latin1')).toMatch(
        new RegExp(`^pgid ${pgid} started \\d+ holder ${jux.pid} holder-started \\d+ *\\n$`),
      );

      const r = await runJux(['recover'], { cwd: s.dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`jux: stopped build scripts left running by a killed jux (jux pid ${jux.pid}): process group ${pgid}\n`);
      for (const p of pids) expect(isRunning(p)).toBe(false);
      expect(fs.readdirSync(path.join(s.dir, '.jux', 'state', 'running'))).toEqual([]);
      await sleep(2000);
      expect(markers(s)).toEqual([]);
    });
  }
});
