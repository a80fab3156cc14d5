/**
 * The record an installed build leaves: what the planner needs to decide
 * later whether it must be rebuilt (DESIGN.md §6).
 */
import type { Spell } from '../graph/packageGraph.js';
import type { PlanEntry } from '../planner/rebuild.js';
import type { BuiltAgainst, InstalledRecord } from './stateFile.js';

/**
 * The record for a package just built from `entry`. `current` gives the
 * installed record of each dependency as it is now (after anything this run
 * built before it).
 */
export function installedRecordFor(
  entry: PlanEntry,
  spell: Spell,
  current: (name: string) => InstalledRecord | undefined,
  builtAt: string,
  archive: string | null,
): InstalledRecord {
  const builtAgainst = new Map<string, BuiltAgainst>();
  for (const d of entry.deps) {
    if (d.kind === 'runtime') continue;
    const r = current(d.name);
    if (!r) continue;
    builtAgainst.set(d.name, {
      name: d.name,
      version: r.version,
      abi: r.abi,
      fingerprint: r.fingerprint,
      builtAt: r.builtAt,
      options: r.options,
    });
  }
  return {
    name: entry.name,
    version: entry.to,
    abi: entry.abi,
    builtAt,
    fingerprint: entry.fingerprint,
    inputs: entry.inputs,
    options: entry.options,
    provides: spell.provides,
    root: spell.root,
    archive,
    depends: entry.deps.map((d) => ({ kind: d.kind, name: d.name })),
    builtAgainst,
  };
}
