/**
 * Linting a spell tree: everything loading found (syntax errors, unknown
 * rules, wrong argument counts, a spell defined twice in a root),
 * dependencies naming no spell or provider, sources without an address or
 * checksum, addresses jux cannot download from, malformed or repeated
 * checksums, and capabilities nothing uses.
 *
 * Each finding points at the word it is about (the dependency, the
 * checksum, the source file, the capability), not only at its statement.
 */
import fs from 'node:fs';
import path from 'node:path';
import { classifyAddress } from '../fetch/addresses.js';
import type { PackageGraph, Spell } from '../graph/packageGraph.js';
import type { Diagnostic } from '../graph/spellTree.js';
import type { Resolution } from '../planner/resolve.js';
import type { InstalledRecord } from '../state/stateFile.js';
import { byPosition, pointAtWords } from './position.js';
import { nearest, vocabularyRules } from './suggest.js';

export interface LintOptions {
  /** A source without a checksum is an error (else a warning). */
  readonly strict: boolean;
  /** The rule library (to suggest the statement an unknown rule was meant to be). */
  readonly rulesDir?: string;
  /** Mirrors of jux.yaml: with some, a source without a Url is only a warning. */
  readonly mirrors?: readonly string[];
  /** What is installed: a dependency may name an installed package no longer in the tree. */
  readonly installed?: ReadonlyMap<string, InstalledRecord>;
}

const SHA256 = /^[0-9a-fA-F]{64}$/;

export function lintTree(graph: PackageGraph, resolution: Resolution, opts: LintOptions): Diagnostic[] {
  const out: Diagnostic[] = [...graph.diagnostics, ...resolution.errors, ...resolution.warnings];
  const used = new Set<string>();
  const installedNames = installedAndProvided(opts.installed);
  const filesWithErrors = new Set(graph.diagnostics.filter((d) => d.severity === 'error' && d.at).map((d) => d.at!.file));
  for (const spell of graph.spells.values()) {
    for (const d of spell.deps) used.add(d.name);
    for (const o of spell.optional) used.add(o.name);
    lintSources(spell, opts, out);
    // (A file with errors may have lost its Version to them: those are reported.)
    if (spell.version === '' && !filesWithErrors.has(spell.at.file)) {
      out.push({ severity: 'warning', message: `spell ${spell.name} has no Version`, at: spell.at, word: { text: spell.name, arg: 0 } });
    }
    // Optional dependencies that are on were resolved (and reported) with
    // the others; one that is off and names nothing is only a warning: the
    // spell builds, but turning it on would fail.
    const on = new Set(resolution.options.get(spell.name) ?? []);
    for (const o of spell.optional) {
      if (on.has(o.name) || graph.spells.has(o.name) || graph.providers.has(o.name) || installedNames.has(o.name)) continue;
      out.push({
        severity: 'warning',
        message: `${spell.name} optionally depends on ${o.name}, which no spell or provider names`,
        at: o.at,
        word: { text: o.name, arg: 1 },
      });
    }
  }
  for (const [cap, spells] of graph.providers) {
    if (used.has(cap) || graph.spells.has(cap)) continue;
    const first = graph.spells.get(spells[0]!)!;
    const at = first.providesAt?.get(cap);
    out.push({
      severity: 'warning',
      message: `nothing depends on ${cap}, which ${spells.join(', ')} provide${spells.length === 1 ? 's' : ''}`,
      at: at ?? first.at,
      ...(at ? { word: { text: cap, arg: 1 } } : {}),
    });
  }
  const known = opts.rulesDir !== undefined ? vocabularyRules(opts.rulesDir) : [];
  const named = out.map((d) => {
    const unknown = /^unknown rule (\S+)$/.exec(d.message);
    const like = unknown ? nearest(unknown[1]!, known) : null;
    return like !== null ? { ...d, message: `${d.message} (did you mean ${like}?)` } : d;
  });
  return dedupe(pointAtWords(named)).sort(byPosition);
}

function lintSources(spell: Spell, opts: LintOptions, out: Diagnostic[]): void {
  for (const s of spell.sources) {
    const inTree = spell.dir !== null && fs.existsSync(path.join(spell.dir, s.file));
    if (inTree) continue;
    const word = { text: s.file, arg: 1 };
    if (s.file === '' || s.file === '.' || s.file === '..' || /[/\\\0]/.test(s.file)) {
      out.push({
        severity: 'error',
        message: `source ${s.file} of ${spell.name} is neither in the spell's folder nor a plain file name to download`,
        at: s.at,
        word,
      });
      continue;
    }
    if (!s.urls.length) {
      out.push(
        opts.mirrors?.length
          ? { severity: 'warning', message: `source ${s.file} of ${spell.name} has no Url: only the mirrors of jux.yaml can provide it`, at: s.at, word }
          : { severity: 'error', message: `source ${s.file} of ${spell.name} has no Url to download it from (and is not in the spell's folder)`, at: s.at, word },
      );
    }
    for (const url of s.urls) {
      const a = classifyAddress(url, spell.dir);
      if (a.kind !== 'unsupported') continue;
      out.push({
        severity: 'warning',
        message: `address ${url} of ${s.file} cannot be downloaded: ${a.reason} (jux fetches http:, https: and file:)`,
        at: s.urlsAt ?? s.at,
        word: s.urlsAt ? { text: url, arg: 1 } : word,
      });
    }
    if (s.sha256 !== null && s.sha256Count > 1) {
      out.push({
        severity: 'error',
        message: `Sha256 of ${s.file} gives ${s.sha256Count} checksums; give exactly one`,
        at: s.sha256At ?? s.at,
        word: s.sha256At ? { text: s.sha256, arg: 1 } : word,
      });
    }
    if (s.sha256 === null) {
      out.push({
        severity: opts.strict ? 'error' : 'warning',
        message: `source ${s.file} of ${spell.name} has no Sha256 checksum, so a download cannot be verified`,
        at: s.at,
        word,
      });
    } else if (!SHA256.test(s.sha256)) {
      out.push({
        severity: 'error',
        message: `Sha256 of ${s.file} is not 64 hexadecimal digits: ${s.sha256}`,
        at: s.sha256At ?? s.at,
        word: s.sha256At ? { text: s.sha256, arg: 1 } : word,
      });
    }
  }
}

/** Names of installed packages and the capabilities they provide. */
function installedAndProvided(installed: ReadonlyMap<string, InstalledRecord> | undefined): Set<string> {
  const names = new Set<string>();
  for (const r of installed?.values() ?? []) {
    names.add(r.name);
    for (const cap of r.provides) names.add(cap);
  }
  return names;
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

