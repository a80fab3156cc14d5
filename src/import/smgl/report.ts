/**
 * The import report: everything the importer could not carry into jux, or
 * carried by a decision a maintainer should know about, per spell, with a
 * count per kind. It is returned and also written as IMPORT-REPORT.txt.
 */

export const REPORT_KINDS = {
  error: 'a spell file could not be read; the spell is not converted',
  unexpanded: 'a value that could not be expanded (unset variable, command substitution, unknown function): left out',
  'missing-source': 'a file sourced from the grimoire that does not exist in it',
  'unknown-command': 'a command in DETAILS/DEPENDS/TRIGGERS/CONFIGURE that is neither shell nor known sorcery: taken as undecidable',
  unsupported: 'a shell construct not interpreted (pipeline, loop, arithmetic)',
  signature: 'a source that is a signature of another (SOURCEn_IGNORE=signature): not imported',
  checksum: 'a source without a sha256 checksum (sorcery checked it with sha512, sha1 or GPG)',
  url: 'an address jux does not fetch (scm) or fetches only through a mirror (ftp)',
  field: 'DETAILS fields with no jux statement',
  conditional: 'a dependency inside a condition: how it was decided',
  flags: 'configure flags of a required dependency (jux carries flags only for optional ones)',
  'force-depends': 'force_depends: imported as a plain dependency (jux does not force a dependency to be rebuilt)',
  'sub-depends': 'a sub-dependency (-sub, sub_depends, vdepends [..]): not carried',
  'version-constraint': 'a version constraint (vdepends): not carried',
  suggest: 'suggest_depends: imported as an optional dependency',
  'one-of': 'depends_one_of / optional_depends_one_of: how the choice was imported',
  duplicate: 'a dependency declared more than once: one kept',
  'missing-dependency': 'a dependency on a name that no spell or PROVIDES of the grimoire has',
  trigger: 'a TRIGGERS entry: how it was carried, or why not',
  script: 'a phase script copied or written for jux',
  'data-file': 'a file with no jux role, kept under smgl/',
  provides: 'a PROVIDES word that is not a capability name',
  provider: 'a provider choice written to jux.yaml',
} as const;

export type ReportKind = keyof typeof REPORT_KINDS;

export interface ReportItem {
  readonly kind: ReportKind;
  /** The grimoire file concerned (DETAILS, DEPENDS, ...), or null. */
  readonly file: string | null;
  readonly line: number | null;
  readonly message: string;
}

export interface ImportReport {
  readonly grimoire: string;
  readonly out: string;
  /** Spell folders found in the grimoire. */
  readonly spells: number;
  /** Spells written as SECTION/NAME/NAME.jux. */
  readonly converted: number;
  /** Items per spell ("SECTION/NAME"), in grimoire order. */
  readonly bySpell: ReadonlyMap<string, readonly ReportItem[]>;
  /** Items about the whole tree (provider choices). */
  readonly general: readonly ReportItem[];
  /** Number of items of each kind (spells' and general). */
  readonly counts: Readonly<Record<string, number>>;
  /** Provider choices written to jux.yaml (capability -> spell); empty when none was needed. */
  readonly providers: Readonly<Record<string, string>>;
}

export function countItems(bySpell: ReadonlyMap<string, readonly ReportItem[]>, general: readonly ReportItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const items of [...bySpell.values(), general]) for (const i of items) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

function where(i: ReportItem): string {
  if (i.file === null) return '';
  return i.line !== null ? `${i.file}:${i.line}: ` : `${i.file}: `;
}

/** IMPORT-REPORT.txt. */
export function renderReport(r: ImportReport): string {
  const out: string[] = [];
  const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
  out.push(`jux import smgl ${r.grimoire}`);
  out.push(`${r.spells} spells, ${r.converted} converted, ${total} notes`);
  out.push('');
  out.push('Notes by kind:');
  const width = Math.max(...Object.keys(REPORT_KINDS).map((k) => k.length));
  for (const [k, n] of Object.entries(r.counts)) {
    const what = (REPORT_KINDS as Record<string, string>)[k] ?? '';
    out.push(`  ${k.padEnd(width)} ${String(n).padStart(5)}  ${what}`);
  }
  if (r.general.length) {
    out.push('');
    out.push('The tree:');
    for (const i of r.general) out.push(`  [${i.kind}] ${where(i)}${i.message}`);
  }
  for (const [spell, items] of r.bySpell) {
    if (!items.length) continue;
    out.push('');
    out.push(spell);
    for (const i of items) out.push(`  [${i.kind}] ${where(i)}${i.message}`);
  }
  out.push('');
  return out.join('\n');
}
