/**
 * `importSmgl(grimoireDir, outDir)`: converts a Source Mage grimoire into
 * a jux spell tree, OUT/SECTION/NAME/NAME.jux with the phase scripts beside
 * it, a report of everything that could not be carried (returned and
 * written as OUT/IMPORT-REPORT.txt) and, when the tree needs provider
 * choices, OUT/jux.yaml. The grimoire's shell files are read as data and
 * never run. docs/import-smgl.md describes the mapping.
 */
import fs from 'node:fs';
import path from 'node:path';
import { convertSpell, type GrimoireIndex } from './convert.js';
import { chooseProviders, providerReport, renderJuxYaml } from './providers.js';
import { countItems, type ImportReport, type ReportItem, renderReport } from './report.js';
import { readSpell, type SpellRead } from './spellFiles.js';
import { writeSpell } from './writer.js';

export type { ImportReport, ReportItem, ReportKind } from './report.js';
export { REPORT_KINDS, renderReport } from './report.js';
export { BUILD_TOOLS } from './buildTools.js';
export { SORCERY_DEFAULTS } from './sorcery.js';

/** Spell folders of a grimoire: SECTION/NAME holding DETAILS, in name order. */
export function findSpells(grimoireDir: string): { section: string; name: string }[] {
  const out: { section: string; name: string }[] = [];
  const dirs = (p: string): string[] =>
    fs
      .readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  for (const section of dirs(grimoireDir)) {
    for (const name of dirs(path.join(grimoireDir, section))) {
      if (fs.existsSync(path.join(grimoireDir, section, name, 'DETAILS'))) out.push({ section, name });
    }
  }
  return out;
}

export async function importSmgl(grimoireDir: string, outDir: string): Promise<ImportReport> {
  const grimoire = path.resolve(grimoireDir);
  const out = path.resolve(outDir);
  if (!fs.statSync(grimoire).isDirectory()) throw new Error(`${grimoireDir} is not a folder`);
  const found = findSpells(grimoire);

  const reads: SpellRead[] = found.map((s) => readSpell(grimoire, s.section, s.name));

  // The whole grimoire: names and providers (a name used twice keeps the first).
  const spells = new Set<string>();
  const providers = new Map<string, string[]>();
  const usable: SpellRead[] = [];
  for (const r of reads) {
    if (r.details === null) continue;
    if (spells.has(r.name)) {
      r.report.push({ kind: 'error', file: null, line: null, message: `another section already has a spell ${r.name}: not converted` });
      continue;
    }
    spells.add(r.name);
    usable.push(r);
    for (const cap of r.provides) {
      let l = providers.get(cap);
      if (l === undefined) providers.set(cap, (l = []));
      l.push(r.name);
    }
  }
  const index: GrimoireIndex = { spells, providers };

  fs.mkdirSync(out, { recursive: true });
  for (const r of usable) {
    const model = convertSpell(r, index);
    r.report.push(...writeSpell(model, r.dir, out));
  }

  const choices = chooseProviders(usable, providers);
  const general: ReportItem[] = choices.map(providerReport);
  const juxYaml = path.join(out, 'jux.yaml');
  if (choices.length) fs.writeFileSync(juxYaml, renderJuxYaml(choices));

  // one line per item, whatever the grimoire's text held
  const oneLine = (i: ReportItem): ReportItem => ({ ...i, message: i.message.replace(/\\?\s*\n\s*/g, ' ') });
  const bySpell = new Map<string, ReportItem[]>();
  for (const r of reads) bySpell.set(`${r.section}/${r.name}`, r.report.map(oneLine));
  const report: ImportReport = {
    grimoire,
    out,
    spells: found.length,
    converted: usable.length,
    bySpell,
    general,
    counts: countItems(bySpell, general),
    providers: Object.fromEntries(choices.map((c) => [c.capability, c.chosen])),
  };
  fs.writeFileSync(path.join(out, 'IMPORT-REPORT.txt'), renderReport(report));
  return report;
}
