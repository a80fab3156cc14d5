/**
 * Opening the system for a command that changes it: take the state lock
 * (waiting with --wait), then finish or undo an interrupted transaction
 * before anything else, and say so.
 */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { Journal } from '../installer/journal.js';
import { StateLock } from '../installer/lock.js';
import { Installer } from '../installer/transaction.js';
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
    const store = new StateStore(config.state, path.join(config.cache, 'index', 'state.v8'));
    const journal = new Journal(journalPath(config));
    const installer = new Installer(config.root, store, journal);
    const recovered = installer.recover();
    if (recovered) {
      for (const l of recovered.split('\n')) warn(paint.yellow(`jux: recovered: ${l}`));
      flushWarn();
    }
    return { store, journal, installer, recovered, close: () => lock.release() };
  } catch (e) {
    lock.release();
    throw e;
  }
}
