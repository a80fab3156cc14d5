/**
 * STATE/journal: one entry per transaction, ASCII, appended line by line
 * (when each line is synced: below), so a crash leaves at worst a torn last
 * line (ignored):
 *
 *   begin 7 2026-11-22T01:02:03.004Z "jux build openssl"
 *   step 7 1 install openssl 3.0.3 openssl-3.0.3-ab12.tar.gz replacing 3.0.2 openssl-3.0.2-cd34.tar.gz
 *   done 7 1
 *   step 7 2 install openssh 9.1 openssh-9.1-ef56.tar.gz new
 *   done 7 2
 *   step 7 3 remove fortune 1.0 fortune-1.0-0011.tar.gz
 *   done 7 3
 *   commit 7
 *
 * A transaction without `commit` was interrupted; recovery undoes its
 * unfinished step, keeps the finished ones and appends `recovered` and
 * `commit`.
 *
 * Every line is written to the file before the next action (so a SIGKILL
 * at any moment leaves the journal saying exactly what happened), and all
 * but `done` are fsynced before it: a `done` line reaches the disk with the
 * next line that is synced (the next step or the commit), since fsync
 * writes out the whole file. After a power loss that lost it, the step
 * reads as unfinished and recovery undoes it from its step directory (kept
 * until the commit line is on disk): that package is left fully old, never
 * half new, and nothing later in the journal can be on disk without it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { syncFd } from './durable.js';

export type StepAction =
  | {
      readonly op: 'install';
      readonly name: string;
      readonly version: string;
      readonly archive: string;
      readonly prev: { readonly version: string; readonly archive: string } | null;
    }
  | { readonly op: 'remove'; readonly name: string; readonly version: string; readonly archive: string };

export interface JournalStep {
  readonly n: number;
  readonly action: StepAction;
  done: boolean;
}

export interface Transaction {
  readonly id: number;
  readonly time: string;
  readonly command: string;
  readonly steps: JournalStep[];
  committed: boolean;
  recovered: string | null;
}

export class Journal {
  constructor(readonly file: string) {}

  read(): Transaction[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const txs = new Map<number, Transaction>();
    const lines = text.split('\n');
    if (!text.endsWith('\n')) lines.pop(); // a torn last line
    for (const line of lines) {
      if (!line) continue;
      const w = line.split(' ');
      const id = Number(w[1]);
      if (!/^\d+$/.test(w[1] ?? '') || !wellFormed(w)) continue; // torn by a crash: never acted on
      switch (w[0]) {
        case 'begin':
          txs.set(id, {
            id,
            time: w[2] ?? '',
            command: safeJson(w.slice(3).join(' ')),
            steps: [],
            committed: false,
            recovered: null,
          });
          break;
        case 'step': {
          const tx = txs.get(id);
          if (!tx) break;
          const n = Number(w[2]);
          const action: StepAction =
            w[3] === 'remove'
              ? { op: 'remove', name: w[4]!, version: dec(w[5]), archive: dec(w[6]) }
              : {
                  op: 'install',
                  name: w[4]!,
                  version: dec(w[5]),
                  archive: dec(w[6]),
                  prev: w[7] === 'replacing' ? { version: dec(w[8]), archive: dec(w[9]) } : null,
                };
          tx.steps.push({ n, action, done: false });
          break;
        }
        case 'done': {
          const step = txs.get(id)?.steps.find((s) => s.n === Number(w[2]));
          if (step) step.done = true;
          break;
        }
        case 'recovered': {
          const tx = txs.get(id);
          if (tx) tx.recovered = safeJson(w.slice(2).join(' '));
          break;
        }
        case 'commit': {
          const tx = txs.get(id);
          if (tx) tx.committed = true;
          break;
        }
      }
    }
    return [...txs.values()].sort((a, b) => a.id - b.id);
  }

  begin(command: string): Transaction {
    const all = this.read();
    const id = all.reduce((m, t) => Math.max(m, t.id), 0) + 1;
    const time = new Date().toISOString();
    this.append(`begin ${id} ${time} ${JSON.stringify(command)}`);
    return { id, time, command, steps: [], committed: false, recovered: null };
  }

  /**
   * Journal a step. With `sync: false` the line is written but not yet on
   * disk: the caller must await sync() before the step changes anything.
   */
  step(tx: Transaction, action: StepAction, opts: { sync: boolean } = { sync: true }): JournalStep {
    const n = tx.steps.length + 1;
    const a =
      action.op === 'remove'
        ? `remove ${action.name} ${enc(action.version)} ${enc(action.archive)}`
        : `install ${action.name} ${enc(action.version)} ${enc(action.archive)} ` +
          (action.prev ? `replacing ${enc(action.prev.version)} ${enc(action.prev.archive)}` : 'new');
    this.append(`step ${tx.id} ${n} ${a}`, opts.sync);
    const step: JournalStep = { n, action, done: false };
    tx.steps.push(step);
    return step;
  }

  /** Mark a step done; on disk with the next synced line (see the top of this file). */
  done(tx: Transaction, step: JournalStep): void {
    this.append(`done ${tx.id} ${step.n}`, false);
    step.done = true;
  }

  recovered(tx: Transaction, note: string): void {
    this.append(`recovered ${tx.id} ${JSON.stringify(note)}`);
    tx.recovered = note;
  }

  commit(tx: Transaction): void {
    this.append(`commit ${tx.id}`);
    tx.committed = true;
  }

  /** Wait until every line written so far is on disk (fsync on the thread pool). */
  async sync(): Promise<void> {
    const fd = fs.openSync(this.file, 'r');
    try {
      await syncFd(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private append(line: string, sync = true): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = fs.openSync(this.file, 'a+');
    try {
      // A line torn by a crash is ended first, so it stays a line of its own.
      const size = fs.fstatSync(fd).size;
      let sep = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) sep = '\n';
      }
      fs.writeSync(fd, sep + line + '\n');
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** Is a split journal line complete (not torn off by a crash)? */
function wellFormed(w: readonly string[]): boolean {
  switch (w[0]) {
    case 'begin':
      return w.length >= 4 && /^".*"$/.test(w.slice(3).join(' '));
    case 'step':
      if (!/^\d+$/.test(w[2] ?? '')) return false;
      if (w[3] === 'remove') return w.length === 7;
      return w[3] === 'install' && ((w.length === 8 && w[7] === 'new') || (w.length === 10 && w[7] === 'replacing'));
    case 'done':
      return w.length === 3 && /^\d+$/.test(w[2]!);
    case 'recovered':
      return w.length >= 3 && /^".*"$/.test(w.slice(2).join(' '));
    case 'commit':
      return w.length === 2;
    default:
      return false;
  }
}

/** Versions and archive names never hold blanks; '-' stands for the empty string. */
function enc(s: string): string {
  return s === '' ? '-' : s.replace(/ /g, '_');
}
function dec(s: string | undefined): string {
  return s === undefined || s === '-' ? '' : s;
}
function safeJson(s: string): string {
  try {
    return String(JSON.parse(s));
  } catch {
    return s;
  }
}
