/**
 * `jux rollback [N] [--to ID|TIME]`: undo the last transaction (or the last
 * N, or every one after a point), in reverse order, by reinstalling the
 * earlier builds from the package cache and removing what was added. It is
 * itself a journalled transaction. If an archive it needs is gone from the
 * cache, it says which before changing anything.
 */
import { loadConfig } from '../../config/config.js';
import { JuxError } from '../../errors.js';
import { checkArchive, findArchive } from '../../installer/archive.js';
import { planRollback, type RestoreTarget, selectTransactions } from '../../installer/rollback.js';
import { replacedRecord } from '../../installer/transaction.js';
import { parseSpell } from '../../interpreter/interpreter.js';
import { parseInstalled } from '../../state/stateFile.js';
import { openSystem } from '../system.js';
import { dependantsFirst } from './dispel.js';
import { overridesFrom, say } from '../options.js';
import { keptConfigText } from '../../render/keptConfig.js';
import { paint } from '../../render/style.js';

export default async function rollback(o: Record<string, unknown>, args: string[]): Promise<number> {
  const config = await loadConfig(overridesFrom(o));
  const count = Number(args[0] ?? '1');
  if (!/^\d+$/.test(args[0] ?? '1') || !Number.isInteger(count) || count < 1) throw new JuxError(`not a number of transactions: ${args[0]}`);
  const to = typeof o.to === 'string' ? o.to : null;
  if (to !== null && !/^\d+$/.test(to) && Number.isNaN(Date.parse(to))) throw new JuxError(`--to takes a transaction id or a time, not ${to}`);
  const commandLine = `jux ${process.argv.slice(2).join(' ')}`;
  const system = await openSystem(config, o, process.argv.slice(2).join(' '));
  try {
    const all = system.journal.read();
    if (to !== null && /^\d+$/.test(to) && !all.some((t) => t.id === Number(to))) throw new JuxError(`--to ${to}: there is no transaction ${to} (see jux history)`);
    const undo = selectTransactions(all, count, to);
    if (!undo.length) {
      say('nothing to roll back');
      return 0;
    }
    const desired = planRollback(undo, (id, n) => replacedRecord(system.store, id, n));
    const { installed } = await system.store.load();
    const cache = config.cache;
    // Everything needed must be at hand (and safe) before anything changes.
    const problems: string[] = [];
    const work: { name: string; to: RestoreTarget | null; file: string | null }[] = [];
    for (const [name, target] of desired) {
      const cur = installed.get(name);
      if (target === null) {
        if (cur) work.push({ name, to: null, file: null });
        continue;
      }
      if (cur && cur.version === target.version && cur.archive === target.archive) continue;
      const file = findArchive(cache, target.archive);
      work.push({ name, to: target, file });
      if (file === null) {
        problems.push(`  ${name} ${target.version}: the archive ${target.archive || '(unknown)'} is no longer in ${cache}`);
      } else if (target.record === null) {
        problems.push(`  ${name} ${target.version}: no record of that build was kept`);
      } else {
        try {
          await checkArchive(file);
        } catch (e) {
          problems.push(`  ${name} ${target.version}: ${(e as Error).message}`);
        }
      }
    }
    if (problems.length) throw new JuxError('cannot roll back: needed builds are missing or unusable; nothing was changed', null, 2, problems);
    const restores = new Map(
      work.filter((w) => w.to !== null).map((w) => [w.name, { w, record: parseInstalled(system.store.statePath(w.name), w.name, w.to!.record!, parseSpell) }]),
    );
    const ids = undo.map((t) => t.id).join(', ');
    const tx = system.journal.begin(`${commandLine} (undoing transaction${undo.length === 1 ? '' : 's'} ${ids})`);
    try {
      // Removals first (dependants before what they need): they free paths
      // the restored builds may need.
      const removals = work.filter((w) => w.to === null).map((w) => w.name);
      let changed = 0;
      for (const name of dependantsFirst(removals, (n) => installed.get(n)?.depends.map((d) => d.name) ?? [])) {
        const cur = installed.get(name)!;
        const report = system.installer.remove(tx, name, cur.archive ?? '');
        say(`removed ${name} ${cur.version}`);
        changed++;
        for (const p of report.keptChanged) say(paint.yellow(`  kept ${p}: changed since it was installed`));
      }
      // Then the earlier builds. One that clashes with a package not yet put
      // back waits for the next round (a failed install changes nothing).
      // Dependencies before their dependants, like a build.
      let pending = dependantsFirst([...restores.keys()], (n) => restores.get(n)!.record.depends.map((d) => d.name))
        .reverse()
        .map((n) => restores.get(n)!);
      while (pending.length) {
        const failed: { p: (typeof pending)[number]; e: unknown }[] = [];
        for (const { w, record } of pending) {
          const curRecord = installed.get(w.name);
          let report;
          try {
            report = await system.installer.install(tx, record, w.file!, curRecord?.archive ?? null);
          } catch (e) {
            failed.push({ p: { w, record }, e });
            continue;
          }
          say(`restored ${w.name} ${w.to!.version}${curRecord ? ` (was ${curRecord.version})` : ''}`);
          changed++;
          for (const k of report.protected) if (k.outcome !== 'same') say(paint.yellow(`warning: ${keptConfigText(w.name, k)}`));
        }
        if (failed.length === pending.length) {
          // (A bug is passed on as it is.)
          const bug = failed.find((f) => !(f.e instanceof JuxError));
          if (bug) throw bug.e;
          const names = failed.map((f) => f.p.w.name).join(', ');
          throw new JuxError(
            `cannot put back ${names}` +
              (changed ? `; the rest of transaction${undo.length === 1 ? '' : 's'} ${ids} was rolled back (transaction ${tx.id}: jux history)` : '; nothing was changed'),
            null,
            2,
            failed.map((f) => `  ${f.p.w.name} ${f.p.w.to!.version}: ${(f.e as Error).message}`),
          );
        }
        pending = failed.map((f) => f.p);
      }
    } finally {
      system.installer.commit(tx);
    }
    say(`rolled back transaction${undo.length === 1 ? '' : 's'} ${ids}`);
    return 0;
  } finally {
    system.close();
  }
}
