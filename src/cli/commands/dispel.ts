/**
 * `jux dispel PACKAGE...`: remove installed packages. Refused, naming the
 * dependants, when other installed packages depend on them (unless
 * --force); packages that needed them only to be built (build
 * dependencies) do not count, and are named in a note. Only files the package owns go; files changed since they were
 * installed are kept and reported; empty directories it created go.
 */
import { loadConfig } from '../../config/config.js';
import { JuxError } from '../../errors.js';
import { paint } from '../../render/style.js';
import { openSystem } from '../system.js';
import { overridesFrom, say } from '../options.js';

export default async function dispel(o: Record<string, unknown>, given: string[]): Promise<number> {
  const names = [...new Set(given)];
  const config = await loadConfig(overridesFrom(o));
  const system = await openSystem(config, o, process.argv.slice(2).join(' '));
  try {
    const { installed } = await system.store.load();
    const missing = names.filter((n) => !installed.has(n));
    if (missing.length) throw new JuxError(`not installed: ${missing.join(', ')}`);
    const going = new Set(names);
    // A package that needed one of them only to be built (a build
    // dependency) does not need it installed: told, not refused.
    const dependants = new Map<string, string[]>();
    const builtWith = new Map<string, string[]>();
    for (const r of installed.values()) {
      if (going.has(r.name)) continue;
      for (const d of r.depends) {
        if (!going.has(d.name)) continue;
        if (d.kind === 'build') builtWith.set(d.name, [...(builtWith.get(d.name) ?? []), r.name]);
        else dependants.set(d.name, [...(dependants.get(d.name) ?? []), `${r.name} (${d.kind})`]);
      }
    }
    if (dependants.size && !o.force) {
      throw new JuxError(
        'refusing to remove packages that installed packages depend on (use --force to remove them anyway)',
        null,
        2,
        [...dependants].map(([n, by]) => `  ${n} is needed by ${by.join(', ')}`),
      );
    }
    const tx = system.journal.begin(`jux ${process.argv.slice(2).join(' ')}`);
    let kept = 0;
    try {
      // Dependants first: a dispel cut short never leaves one without what it needs.
      for (const n of dependantsFirst(names, (n) => installed.get(n)?.depends.map((d) => d.name) ?? [])) {
        const rec = installed.get(n)!;
        const report = system.installer.remove(tx, n, rec.archive ?? '');
        say(`removed ${n} ${rec.version}`);
        for (const p of report.keptChanged) {
          say(paint.yellow(`  kept ${p}: changed since it was installed`));
          kept++;
        }
      }
    } finally {
      system.installer.commit(tx);
    }
    if (dependants.size) say(paint.yellow(`warning: left ${[...dependants.values()].flat().join(', ')} without a dependency`));
    for (const [n, by] of builtWith) say(`note: ${by.join(', ')} ${by.length === 1 ? 'was' : 'were'} built with ${n} (a build dependency): building ${by.length === 1 ? 'it' : 'them'} again installs ${n} first`);
    if (kept) say(`${kept} changed file${kept === 1 ? '' : 's'} kept`);
    return 0;
  } finally {
    system.close();
  }
}

/**
 * `names` ordered so that each comes before the names (of the same list) it
 * depends on; ties keep the given order, cycles are broken where met.
 */
export function dependantsFirst(names: readonly string[], dependsOn: (name: string) => readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const m of names) if (m !== n && dependsOn(m).includes(n)) visit(m);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}
