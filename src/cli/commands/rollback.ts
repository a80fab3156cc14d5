/**
 * `jux rollback [N] [--to ID|TIME]`: undo the last transaction (or the last
 * N, or every one after a point), in reverse order, by reinstalling the
 * earlier builds from the package cache and removing what was added. It is
 * itself a journalled transaction. If an archive it needs is gone from the
 * cache, it says which before changing anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config.js';
import { JuxError } from '../../errors.js';
import { packagesDir } from '../../installer/archive.js';
import { planRollback, selectTransactions } from '../../installer/rollback.js';
import { replacedRecord } from '../../installer/transaction.js';
import { parseSpell } from '../../interpreter/interpreter.js';
import { parseInstalled } from '../../state/stateFile.js';
import { openSystem } from '../system.js';
import { overridesFrom, say } from '../options.js';

export default async function rollback(o: Record<string, unknown>, args: string[]): Promise<number> {
  const config = await loadConfig(overridesFrom(o));
  const count = Number(args[0] ?? '1');
  if (!Number.isInteger(count) || count < 1) throw new JuxError(`not a number of transactions: ${args[0]}`);
  const to = typeof o.to === 'string' ? o.to : null;
  const system = await openSystem(config, o, `rollback ${args.join(' ')}${to ? ` --to ${to}` : ''}`);
  try {
    const all = system.journal.read();
    const undo = selectTransactions(all, count, to);
    if (to !== null && Number.isNaN(Date.parse(to)) && !/^\d+$/.test(to)) throw new JuxError(`--to takes a transaction id or a time, not ${to}`);
    if (!undo.length) {
      say('nothing to roll back');
      return 0;
    }
    const desired = planRollback(undo, (id, n) => replacedRecord(system.store, id, n));
    const { installed } = await system.store.load();
    const cache = packagesDir(config.cache);
    // Everything needed must be at hand before anything changes.
    const problems: string[] = [];
    for (const [name, target] of desired) {
      if (target === null) continue;
      const cur = installed.get(name);
      if (cur && cur.version === target.version && cur.archive === target.archive) continue;
      if (!target.archive || !fs.existsSync(path.join(cache, target.archive))) {
        problems.push(`  ${name} ${target.version}: the archive ${target.archive || '(unknown)'} is no longer in ${cache}`);
      } else if (target.record === null) {
        problems.push(`  ${name} ${target.version}: no record of that build was kept`);
      }
    }
    if (problems.length) throw new JuxError('cannot roll back: needed builds are missing', null, 2, problems);
    const ids = undo.map((t) => t.id).join(', ');
    const tx = system.journal.begin(`jux rollback (transaction${undo.length === 1 ? '' : 's'} ${ids})`);
    try {
      for (const [name, target] of [...desired].sort((a, b) => (a[1] === null ? -1 : b[1] === null ? 1 : 0))) {
        const cur = installed.get(name);
        if (target === null) {
          if (!cur) continue;
          system.installer.remove(tx, name, cur.archive ?? '');
          say(`removed ${name} ${cur.version}`);
          continue;
        }
        if (cur && cur.version === target.version && cur.archive === target.archive) continue;
        const record = parseInstalled(system.store.statePath(name), name, target.record!, parseSpell);
        await system.installer.install(tx, record, path.join(cache, target.archive), cur?.archive ?? null);
        say(`restored ${name} ${target.version}${cur ? ` (was ${cur.version})` : ''}`);
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
