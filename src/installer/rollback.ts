/**
 * Planning a rollback (pure): which packages go back to which earlier build
 * when the chosen transactions are undone, newest first, step by step in
 * reverse. A package ends at its state before the oldest undone transaction
 * touched it: an earlier build (from its cached archive and the record kept
 * when it was replaced), or not installed at all.
 */
import type { Transaction } from './journal.js';

export interface RestoreTarget {
  readonly version: string;
  readonly archive: string;
  /** The kept NAME.state text of that build, or null if none was kept. */
  readonly record: string | null;
}

export interface RollbackAction {
  readonly name: string;
  /** null: remove the package. */
  readonly to: RestoreTarget | null;
}

export function planRollback(
  undo: readonly Transaction[],
  replaced: (txId: number, step: number) => string | null,
): Map<string, RestoreTarget | null> {
  const desired = new Map<string, RestoreTarget | null>();
  for (const tx of [...undo].sort((a, b) => b.id - a.id)) {
    for (const step of [...tx.steps].reverse()) {
      if (!step.done) continue;
      const a = step.action;
      if (a.op === 'install') {
        desired.set(a.name, a.prev ? { version: a.prev.version, archive: a.prev.archive, record: replaced(tx.id, step.n) } : null);
      } else {
        desired.set(a.name, { version: a.version, archive: a.archive, record: replaced(tx.id, step.n) });
      }
    }
  }
  return desired;
}

/** Which transactions `jux rollback [N] [--to ID|TIME]` undoes. */
export function selectTransactions(all: readonly Transaction[], count: number, to: string | null): Transaction[] {
  const done = all.filter((t) => t.committed && t.steps.some((s) => s.done));
  if (to !== null) {
    if (/^\d+$/.test(to)) return done.filter((t) => t.id > Number(to));
    const when = Date.parse(to);
    if (Number.isNaN(when)) return [];
    return done.filter((t) => Date.parse(t.time) > when);
  }
  return done.slice(-count);
}
