/**
 * `node dist/bench/installState.js [DIR]`: make the state in DIR's jux.yaml
 * say that everything the whole-tree plan would build is installed, without
 * building anything — the records a successful `jux build` would have
 * written (src/state/records.ts `installedRecordFor`, written with
 * src/state/stateFile.ts `formatInstalled`), one STATE/NAME.state each.
 *
 * Installing some providers can make spells that named an ambiguous
 * capability buildable (a provider that is installed is chosen), so the
 * plan is made again until it is empty (at most 20 rounds; `--once`: one
 * round, not planned again — enough when no capability has two providers).
 * Prints a JSON summary: records written, rounds, what the last plan holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadContext } from '../src/cli/context.js';
import { makePlan } from '../src/cli/planning.js';
import { installedRecordFor } from '../src/state/records.js';
import { formatInstalled, type InstalledRecord } from '../src/state/stateFile.js';

export async function installEverything(
  dir: string,
  maxRounds = 20,
): Promise<{ records: number; rounds: number; left: number | null; unbuildable: number }> {
  const builtAt = new Date().toISOString();
  let records = 0;
  let rounds = 0;
  let left: number | null = null;
  let unbuildable = 0;
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    for (;;) {
      if (rounds >= maxRounds) {
        left = null; // not planned again
        break;
      }
      const ctx = await loadContext({ config: path.join(dir, 'jux.yaml') });
      const plan = makePlan(ctx, { mode: 'tree', targets: [], forceAll: false, rebuild: [] }, { useCache: false });
      left = plan.entries.length;
      unbuildable = plan.unbuildable.length;
      if (left === 0) break;
      rounds++;
      // Every new record first without what it was built against, so that a
      // dependency's record is there whatever the order (cycles included).
      const fresh = new Map<string, InstalledRecord>();
      const current = (n: string): InstalledRecord | undefined => fresh.get(n) ?? ctx.installed.get(n);
      for (const e of plan.entries) {
        const spell = ctx.graph.spells.get(e.name)!;
        fresh.set(e.name, installedRecordFor(e, spell, () => undefined, builtAt, null));
      }
      fs.mkdirSync(ctx.config.state, { recursive: true });
      for (const e of plan.entries) {
        const spell = ctx.graph.spells.get(e.name)!;
        const r = installedRecordFor(e, spell, current, builtAt, null);
        fs.writeFileSync(path.join(ctx.config.state, `${e.name}.state`), formatInstalled(r));
        records++;
      }
    }
  } finally {
    process.chdir(cwd);
  }
  return { records, rounds, left, unbuildable };
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('bench', 'installState.js'))) {
  const args = process.argv.slice(2);
  const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? '.');
  installEverything(dir, args.includes('--once') ? 1 : 20).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`installState: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
