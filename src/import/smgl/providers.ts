/**
 * Provider choices for the imported tree. A capability that several spells
 * provide needs a choice in jux.yaml before anything that depends on it can
 * be planned. Sorcery keeps its default providers in the user's
 * configuration, not in the grimoire, so the choice is derived from what
 * the grimoire's spells name: the candidate that the most other spells
 * name directly (in DEPENDS, as any kind of dependency, or as the target of
 * a TRIGGERS entry), ties going to the first by name.
 */
import { isKnown } from './evaluate.js';
import type { ReportItem } from './report.js';
import type { SpellRead } from './spellFiles.js';

export interface ProviderChoice {
  readonly capability: string;
  readonly chosen: string;
  readonly candidates: readonly string[];
  /** How many spells name each candidate. */
  readonly named: Readonly<Record<string, number>>;
}

export function chooseProviders(reads: readonly SpellRead[], providers: ReadonlyMap<string, readonly string[]>): ProviderChoice[] {
  // candidate -> spells naming it
  const namedBy = new Map<string, Set<string>>();
  const name = (by: string, target: string): void => {
    let s = namedBy.get(target);
    if (s === undefined) namedBy.set(target, (s = new Set()));
    s.add(by);
  };
  for (const r of reads) {
    for (const d of r.deps) if (isKnown(d.name) && d.name.s !== r.name) name(r.name, d.name.s);
    for (const t of r.triggers) if (isKnown(t.target) && t.target.s !== r.name) name(r.name, t.target.s);
  }
  const out: ProviderChoice[] = [];
  for (const [capability, candidates] of [...providers].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (candidates.length < 2) continue;
    const sorted = [...candidates].sort();
    const named: Record<string, number> = {};
    for (const c of sorted) named[c] = namedBy.get(c)?.size ?? 0;
    let chosen = sorted[0]!;
    for (const c of sorted) if (named[c]! > named[chosen]!) chosen = c;
    out.push({ capability, chosen, candidates: sorted, named });
  }
  return out;
}

export function providerReport(c: ProviderChoice): ReportItem {
  const counts = c.candidates.map((x) => `${x} ${c.named[x]}`).join(', ');
  const tie = c.candidates.filter((x) => c.named[x] === c.named[c.chosen]).length > 1;
  return {
    kind: 'provider',
    file: 'jux.yaml',
    line: null,
    message: `${c.capability}: ${c.chosen}, of ${c.candidates.join(', ')} (spells naming each: ${counts}${tie ? '; a tie, the first by name' : ''})`,
  };
}

/** jux.yaml for the imported tree. */
export function renderJuxYaml(choices: readonly ProviderChoice[]): string {
  const lines = ['# Written by jux import smgl: the imported tree is the spell root.', 'roots: [.]'];
  if (choices.length) {
    lines.push('# Capabilities several spells provide (see IMPORT-REPORT.txt for why each was chosen).');
    lines.push('providers:');
    for (const c of choices) lines.push(`  ${yamlKey(c.capability)}: ${yamlKey(c.chosen)}`);
  }
  return lines.join('\n') + '\n';
}

function yamlKey(s: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(s) ? s : JSON.stringify(s);
}
