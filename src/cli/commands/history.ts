/** `jux history`: the journal of transactions. */
import path from 'node:path';
import { loadConfig } from '../../config/config.js';
import { Journal, type Transaction } from '../../installer/journal.js';
import { paint } from '../../render/style.js';
import { overridesFrom, say, sayJson } from '../options.js';

export function describeSteps(tx: Transaction): string[] {
  return tx.steps.map((s) => {
    const a = s.action;
    const what =
      a.op === 'remove'
        ? `remove ${a.name} ${a.version}`
        : a.prev
          ? `install ${a.name} ${a.version} (replacing ${a.prev.version || '-'})`
          : `install ${a.name} ${a.version} (new)`;
    return s.done ? what : `${what} — not finished`;
  });
}

export default async function history(o: Record<string, unknown>): Promise<number> {
  const config = await loadConfig(overridesFrom(o));
  const txs = new Journal(path.join(config.state, 'journal')).read();
  if (o.json) {
    sayJson(txs);
    return 0;
  }
  if (!txs.length) say('no transactions yet');
  for (const tx of txs) {
    say(`${paint.bold(String(tx.id))}  ${tx.time}  ${tx.command}${tx.committed ? '' : paint.red('  (interrupted)')}`);
    for (const l of describeSteps(tx)) say(`    ${l}`);
    if (tx.recovered) say(paint.yellow(`    recovered: ${tx.recovered}`));
  }
  return 0;
}
