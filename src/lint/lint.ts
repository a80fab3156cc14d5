/**
 * Linting a spell tree (pure): everything loading found (syntax errors,
 * unknown rules, wrong argument counts, a spell defined twice in a root),
 * dependencies naming no spell or provider, sources without an address or
 * checksum, malformed checksums, and capabilities nothing uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PackageGraph } from '../graph/packageGraph.js';
import type { Diagnostic } from '../graph/spellTree.js';
import type { Resolution } from '../planner/resolve.js';

export interface LintOptions {
  /** A source without a checksum is an error (else a warning). */
  readonly strict: boolean;
}

export function lintTree(graph: PackageGraph, resolution: Resolution, opts: LintOptions): Diagnostic[] {
  const out: Diagnostic[] = [...graph.diagnostics, ...resolution.errors, ...resolution.warnings];
  const used = new Set<string>();
  for (const spell of graph.spells.values()) {
    for (const d of spell.deps) used.add(d.name);
    for (const o of spell.optional) used.add(o.name);
    for (const s of spell.sources) {
      const inTree = spell.dir !== null && fs.existsSync(path.join(spell.dir, s.file));
      if (inTree) continue;
      if (!s.urls.length) {
        out.push({ severity: 'error', message: `source ${s.file} of ${spell.name} has no Url (and is not a folder of the spell)`, at: s.at });
      }
      if (s.sha256 === null) {
        out.push({ severity: opts.strict ? 'error' : 'warning', message: `source ${s.file} of ${spell.name} has no Sha256 checksum`, at: s.at });
      } else if (!/^[0-9a-fA-F]{64}$/.test(s.sha256)) {
        out.push({
          severity: 'error',
          message: `Sha256 of ${s.file} is not 64 hexadecimal digits: ${s.sha256}`,
          at: s.sha256At ?? s.at,
        });
      }
    }
  }
  for (const [cap, spells] of graph.providers) {
    if (used.has(cap) || graph.spells.has(cap)) continue;
    const first = graph.spells.get(spells[0]!)!;
    out.push({
      severity: 'warning',
      message: `nothing depends on ${cap}, which ${spells.join(', ')} provide${spells.length === 1 ? 's' : ''}`,
      at: first.at,
    });
  }
  return dedupe(out).sort(byPosition);
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.severity}\0${d.message}\0${d.at?.file}\0${d.at?.line}\0${d.at?.col}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  const fa = a.at?.file ?? '';
  const fb = b.at?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0);
}
