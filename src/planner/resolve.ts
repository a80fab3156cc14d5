/**
 * Resolving dependency names (pure): a name is a spell, else a capability
 * some spells provide, else an installed package no longer in any spell
 * root. A capability resolves to the provider configured in jux.yaml, else
 * the installed one, else the only candidate, else it is an error that lists
 * the candidates. Optional dependencies are on only when jux.yaml says so.
 */
import type { SourcePos } from '../events.js';
import type { PackageGraph, Spell } from '../graph/packageGraph.js';
import type { DependencyKind } from '../graph/spellFacts.js';
import type { Diagnostic } from '../graph/spellTree.js';
import type { InstalledRecord } from '../state/stateFile.js';

/** A dependency kind for planning: enabled optional dependencies act as loose ones. */
export type EdgeKind = DependencyKind | 'optional';

export interface ResolvedDep {
  readonly kind: EdgeKind;
  /** The name as the spell wrote it. */
  readonly requested: string;
  /** The package it resolves to. */
  readonly name: string;
  readonly via: 'spell' | 'provider' | 'installed';
  readonly at: SourcePos;
}

export interface ResolveConfig {
  readonly providers: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, readonly string[]>>;
}

export interface Resolution {
  readonly deps: ReadonlyMap<string, readonly ResolvedDep[]>;
  /** Enabled optional dependencies (as written), sorted, per spell. */
  readonly options: ReadonlyMap<string, readonly string[]>;
  /** Configure flags from optional dependencies (on or off), per spell. */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  /** Spells that cannot be built, with the reason. */
  readonly broken: ReadonlyMap<string, Diagnostic>;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /**
   * Identity of the dependency edges (kinds, names and the names as
   * written) over the same spells, providers, state and configuration: a later resolution
   * with the same edges keeps the same token, so what is derived from them
   * (the build order) can be taken over.
   */
  readonly edgesToken: object;
  /** Providers jux.yaml chooses (capability -> spell), where that spell provides it. */
  readonly chosenProviders: ReadonlyMap<string, string>;
  /** Each spell's part, so that a later resolution can take it over. */
  readonly perSpell: ReadonlyMap<string, SpellResolution>;
}

/** What resolving one spell's declarations gave. */
export interface SpellResolution {
  readonly spell: Spell;
  readonly deps: readonly ResolvedDep[];
  readonly options: readonly string[];
  readonly flags: readonly string[];
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}

/** An earlier resolution, for taking over the parts of spells that did not change. */
export interface PreviousResolution {
  readonly graph: PackageGraph;
  readonly installed: ReadonlyMap<string, InstalledRecord>;
  readonly cfg: ResolveConfig;
  readonly resolution: Resolution;
}

/** Ordering dependencies: those built before the dependant. */
export function isBuildOrder(kind: EdgeKind): boolean {
  return kind !== 'runtime';
}

export function resolveDependencies(
  graph: PackageGraph,
  installed: ReadonlyMap<string, InstalledRecord>,
  cfg: ResolveConfig,
  previous?: PreviousResolution,
): Resolution {
  // A spell's part can be taken over when the spell is the same object and
  // every name resolves as before: same spells, providers, state, config.
  const reuse = previous !== undefined && sameNames(previous, graph, installed, cfg) ? previous.resolution.perSpell : null;
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const broken = new Map<string, Diagnostic>();
  const capCache = new Map<string, { name: string; via: ResolvedDep['via'] } | { error: string }>();
  const warnedInstalled = new Set<string>();

  const installedProviders = new Map<string, string[]>();
  for (const r of installed.values()) {
    for (const cap of r.provides) {
      let l = installedProviders.get(cap);
      if (l === undefined) installedProviders.set(cap, (l = []));
      l.push(r.name);
    }
  }

  // Configured providers must name spells that provide the capability.
  for (const [cap, chosen] of Object.entries(cfg.providers)) {
    const candidates = graph.providers.get(cap) ?? [];
    if (!candidates.includes(chosen) && !(installedProviders.get(cap) ?? []).includes(chosen)) {
      errors.push({
        severity: 'error',
        message: `jux.yaml chooses ${chosen} to provide ${cap}, but ${chosen} does not provide it` +
          (candidates.length ? ` (providers: ${candidates.join(', ')})` : ''),
        at: null,
      });
    }
  }

  const resolveName = (name: string): { name: string; via: ResolvedDep['via'] } | { error: string } => {
    if (graph.spells.has(name)) return { name, via: 'spell' };
    const cached = capCache.get(name);
    if (cached) return cached;
    let r: { name: string; via: ResolvedDep['via'] } | { error: string };
    const candidates = graph.providers.get(name) ?? [];
    const inst = (installedProviders.get(name) ?? []).slice().sort();
    if (candidates.length) {
      const chosen = cfg.providers[name];
      const installedCandidate = inst.find((p) => candidates.includes(p));
      if (chosen !== undefined && candidates.includes(chosen)) r = { name: chosen, via: 'provider' };
      else if (installedCandidate !== undefined) r = { name: installedCandidate, via: 'provider' };
      else if (candidates.length === 1) r = { name: candidates[0]!, via: 'provider' };
      else {
        r = {
          error: `which ${candidates.length === 2 ? 'both' : 'all'} of ${candidates.join(', ')} provide; choose one in jux.yaml (providers: { ${name}: ${candidates[0]} })`,
        };
      }
    } else if (installed.has(name)) {
      r = { name, via: 'installed' };
    } else if (inst.length) {
      r = { name: inst[0]!, via: 'installed' };
    } else {
      r = { error: `which no spell or provider names` };
    }
    capCache.set(name, r);
    return r;
  };

  const resolveSpell = (spell: Spell): SpellResolution => {
    const list: ResolvedDep[] = [];
    const spellErrors: Diagnostic[] = [];
    const spellWarnings: Diagnostic[] = [];
    const add = (kind: EdgeKind, requested: string, at: SourcePos): void => {
      const r = resolveName(requested);
      if ('error' in r) {
        spellErrors.push({ severity: 'error', message: `${spell.name} depends on ${requested}, ${r.error}`, at, word: { text: requested, arg: 1 } });
        return;
      }
      if (r.via === 'installed' && !warnedInstalled.has(`${spell.name}\0${r.name}`)) {
        warnedInstalled.add(`${spell.name}\0${r.name}`);
        spellWarnings.push({
          severity: 'warning',
          message: `${spell.name} depends on ${requested}: using the installed ${r.name}, which is no longer in any spell root`,
          at,
          word: { text: requested, arg: 1 },
        });
      }
      if (r.name === spell.name) return; // providing what you need yourself
      list.push({ kind, requested, name: r.name, via: r.via, at });
    };
    for (const d of spell.deps) add(d.kind, d.name, d.at);

    const wanted = cfg.options[spell.name] ?? [];
    if (wanted.length === 0 && spell.optional.length === 0) {
      // Nothing optional (most spells): no options, no flags, no errors from jux.yaml.
      return { spell, deps: dedupe(list), options: [], flags: [], errors: spellErrors, warnings: spellWarnings };
    }
    const known = new Set(spell.optional.map((o) => o.name));
    const configErrors: Diagnostic[] = [];
    for (const w of wanted) {
      if (!known.has(w)) {
        configErrors.push({
          severity: 'error',
          message: `jux.yaml turns on ${w} for ${spell.name}, which is not one of its optional dependencies` +
            (known.size ? ` (${[...known].sort().join(', ')})` : ''),
          at: null,
        });
      }
    }
    const on = new Set(wanted);
    const f: string[] = [];
    for (const o of spell.optional) {
      if (on.has(o.name)) {
        add('optional', o.name, o.at);
        f.push(...o.on);
      } else f.push(...o.off);
    }
    return {
      spell,
      deps: dedupe(list),
      options: [...on].filter((w) => known.has(w)).sort(),
      flags: f.filter((x) => x !== ''),
      // Declaration errors first (they make the spell unbuildable), then jux.yaml's.
      errors: [...spellErrors, ...configErrors],
      warnings: spellWarnings,
    };
  };

  // Taken over: the previous maps, with the parts of spells that changed replaced.
  const prevRes = reuse !== null ? previous!.resolution : null;
  const perSpell = new Map<string, SpellResolution>(reuse ?? []);
  const deps = new Map<string, readonly ResolvedDep[]>(prevRes?.deps ?? []);
  const options = new Map<string, readonly string[]>(prevRes?.options ?? []);
  const flags = new Map<string, readonly string[]>(prevRes?.flags ?? []);
  let sameDeps = reuse !== null;
  for (const spell of graph.spells.values()) {
    let r = perSpell.get(spell.name);
    if (r === undefined || r.spell !== spell) {
      const fresh = resolveSpell(spell);
      if (r === undefined || !sameEdges(fresh.deps, r.deps)) sameDeps = false;
      r = fresh;
      perSpell.set(spell.name, r);
      deps.set(spell.name, r.deps);
      options.set(spell.name, r.options);
      flags.set(spell.name, r.flags);
    }
    if (r.errors.length) {
      for (const e of r.errors) {
        errors.push(e);
        if (e.at !== null && !broken.has(spell.name)) broken.set(spell.name, e);
      }
    }
    if (r.warnings.length) warnings.push(...r.warnings);
  }

  const edgesToken = sameDeps ? previous!.resolution.edgesToken : {};
  const chosenProviders = new Map<string, string>();
  for (const [cap, chosen] of Object.entries(cfg.providers)) {
    if ((graph.providers.get(cap) ?? []).includes(chosen)) chosenProviders.set(cap, chosen);
  }
  const resolution = (b: ReadonlyMap<string, Diagnostic>): Resolution => {
    const r = { deps, options, flags, broken: b, errors, warnings, edgesToken, chosenProviders, perSpell };
    directlyBroken.set(r, direct);
    return r;
  };
  // The same edges, spells broken for the same reasons, and the spells
  // broken through them the same: the same propagation.
  const direct = [...broken];
  const before = sameDeps ? directlyBroken.get(previous!.resolution) : undefined;
  if (before !== undefined && before.length === direct.length && before.every(([n, d], i) => direct[i]![0] === n && sameDiagnostic(direct[i]![1], d))) {
    const old = previous!.resolution.broken;
    let same = true;
    for (const [name, d] of old) {
      const at = graph.spells.get(name)?.at;
      if (!broken.has(name) && (at === undefined || !samePos(at, d.at))) {
        same = false;
        break;
      }
    }
    if (same) return resolution(old);
  }

  // A spell whose dependency cannot be built cannot be built either.
  const dependants = new Map<string, string[]>();
  for (const [name, list] of deps) {
    for (const d of list) {
      let l = dependants.get(d.name);
      if (l === undefined) dependants.set(d.name, (l = []));
      l.push(name);
    }
  }
  const queue = [...broken.keys()];
  while (queue.length) {
    const bad = queue.pop()!;
    for (const name of dependants.get(bad) ?? []) {
      if (broken.has(name)) continue;
      broken.set(name, {
        severity: 'error',
        message: `${name} cannot be built: its dependency ${bad} cannot be built`,
        at: graph.spells.get(name)!.at,
      });
      queue.push(name);
    }
  }
  return resolution(broken);
}

function samePos(a: SourcePos, b: SourcePos | null): boolean {
  return b !== null && a.file === b.file && a.line === b.line && a.col === b.col;
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return a === b || (a.message === b.message && a.severity === b.severity && a.at !== null && samePos(a.at, b.at));
}

/** The spells each resolution found broken themselves (before propagation), in order. */
const directlyBroken = new WeakMap<Resolution, readonly (readonly [string, Diagnostic])[]>();

function sameEdges(a: readonly ResolvedDep[], b: readonly ResolvedDep[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.kind !== b[i]!.kind || a[i]!.name !== b[i]!.name || a[i]!.requested !== b[i]!.requested) return false;
  }
  return true;
}

function sameNames(
  prev: PreviousResolution,
  graph: PackageGraph,
  installed: ReadonlyMap<string, InstalledRecord>,
  cfg: ResolveConfig,
): boolean {
  if (prev.installed !== installed || prev.cfg !== cfg) return false;
  if (prev.graph.spells.size !== graph.spells.size) return false;
  for (const name of graph.spells.keys()) if (!prev.graph.spells.has(name)) return false;
  if (prev.graph.providers.size !== graph.providers.size) return false;
  for (const [cap, list] of graph.providers) {
    const old = prev.graph.providers.get(cap);
    if (old === undefined || old.length !== list.length || old.some((x, i) => x !== list[i])) return false;
  }
  return true;
}

function dedupe(list: ResolvedDep[]): ResolvedDep[] {
  if (list.length <= 16) {
    // Short lists (nearly all): compare in place, no key strings.
    let dup = false;
    for (let i = 1; i < list.length && !dup; i++) {
      for (let j = 0; j < i; j++) {
        if (list[j]!.kind === list[i]!.kind && list[j]!.name === list[i]!.name) {
          dup = true;
          break;
        }
      }
    }
    if (!dup) return list;
  }
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.kind}\0${d.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The spells a request names: spell names, or capabilities resolving to one. */
export function spellFor(graph: PackageGraph, name: string): Spell | undefined {
  return graph.spells.get(name);
}
