/**
 * Opening the system for a command that changes it: take the state lock
 * (waiting with --wait), stop the build scripts a killed jux left running,
 * then finish or undo an interrupted transaction before anything else, and
 * say so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { archiveDirs } from '../installer/archiveLocation.js';
import { Journal } from '../installer/journal.js';
import { StateLock } from '../installer/lock.js';
import { Installer } from '../installer/transaction.js';
import { stopOrphanScripts } from '../scheduler/orphanScripts.js';
import { StateStore } from '../state/stateStore.js';
import { paint } from '../render/style.js';
import { warn, flushWarn } from './options.js';

export interface System {
  readonly store: StateStore;
  readonly journal: Journal;
  readonly installer: Installer;
  /** What recovery did, if anything. */
  readonly recovered: string | null;
  close(): void;
}

/**
 * Archives a killed build left half-written (NAME-VERSION-KEY.tar.gz.PID.tmp)
 * go: only a jux holding the lock writes archives, and we hold it now.
 */
function sweepPartialArchives(config: Config): void {
  for (const dir of archiveDirs(config.cache)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (/\.tar\.gz\.\d+\.tmp$/.test(n)) fs.rmSync(path.join(dir, n), { force: true });
  }
}

/** Probe files (ROOT/.jux-probe-PID, see build's checkRoot) of processes that died writing them. */
function sweepProbes(config: Config): void {
  let names: string[];
  try {
    names = fs.readdirSync(config.root);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^\.jux-probe-(\d+)$/.exec(n);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // its jux is still alive
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    fs.rmSync(path.join(config.root, n), { force: true });
  }
}

export function journalPath(config: Config): string {
  return path.join(config.state, 'journal');
}

export async function openSystem(config: Config, o: Record<string, unknown>, command: string): Promise<System> {
  const lock = new StateLock(path.join(config.state, 'lock'), `jux ${command}`);
  await lock.acquire({
    wait: Boolean(o.wait),
    waiting: (holder) => {
      warn(paint.yellow(`jux: ${holder}`));
      flushWarn();
    },
  });
  try {
    const store = new StateStore(config.state, path.join(config.cache, 'index', 'state.cache'));
    const journal = new Journal(journalPath(config));
    const installer = new Installer(config.root, store, journal, config.configProtect);
    // Scripts a killed jux left running stop first: nothing may write into
    // the build folders and staging trees while this run recovers or builds.
    const orphans = await stopOrphanScripts(config.state);
    if (orphans.pgids.length > 0) {
      const who = orphans.holders.length === 1 ? `jux pid ${orphans.holders[0]!}` : `jux pids ${orphans.holders.join(', ')}`;
      const groups = `process group${orphans.pgids.length === 1 ? '' : 's'} ${orphans.pgids.join(', ')}`;
      warn(paint.yellow(`jux: stopped build scripts left running by a killed jux (${who}): ${groups}`));
    }
    const recovered = installer.recover();
    sweepPartialArchives(config);
    sweepProbes(config);
    if (recovered) for (const l of recovered.split('\n')) warn(paint.yellow(`jux: recovered: ${l}`));
    if (recovered || orphans.pgids.length > 0) flushWarn();
    return { store, journal, installer, recovered, close: () => lock.release() };
  } catch (e) {
    lock.release();
    throw e;
  }
}
