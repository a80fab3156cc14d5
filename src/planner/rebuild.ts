/**
 * The rebuild planner: a pure function of (package graph, installed state,
 * request, options) to an ordered plan in which every entry carries all of
 * its reasons. It implements DESIGN.md §5:
 *
 *  - a package is built when it is not installed, its spell's version
 *    differs, its inputs (build statements, scripts, source checksums,
 *    options) changed, or it is forced;
 *  - tight dependants are rebuilt when the dependency is rebuilt in this
 *    run, or its installed build is not the one they were built against;
 *  - loose dependants (and enabled optional ones) when the dependency's ABI
 *    key or enabled options differ from what they were built against;
 *  - build dependencies order but never trigger; runtime ones only have to
 *    be installed.
 *
 * Propagation is one pass in dependency order over the whole tree, so a
 * dependant outside the request is brought in by what this run rebuilds.
 */
import type { PackageGraph, Spell } from '../graph/packageGraph.js';
import { abiKey, sha256Hex } from '../graph/packageGraph.js';
import type { Diagnostic } from '../graph/spellTree.js';
import type { FailureRecord, InputHashes, InstalledRecord } from '../state/stateFile.js';
import { buildOrder, type OrderEdge } from './order.js';
import { isBuildOrder, type Resolution, type ResolvedDep } from './resolve.js';

export type Reason =
  | { readonly kind: 'new' }
  | { readonly kind: 'version'; readonly from: string; readonly to: string }
  | { readonly kind: 'inputs'; readonly what: readonly (keyof InputHashes | 'unknown')[] }
  | { readonly kind: 'forced' }
  | { readonly kind: 'tight-rebuilt'; readonly dep: string; readonly from: string | null; readonly to: string }
  | {
      readonly kind: 'tight-changed';
      readonly dep: string;
      readonly was: { readonly version: string; readonly builtAt: string };
      readonly now: { readonly version: string; readonly builtAt: string };
    }
  | { readonly kind: 'loose-abi'; readonly dep: string; readonly was: string; readonly now: string; readonly rebuilt: boolean }
  | {
      readonly kind: 'loose-options';
      readonly dep: string;
      readonly was: readonly string[];
      readonly now: readonly string[];
      readonly rebuilt: boolean;
    }
  | { readonly kind: 'provider'; readonly requested: string; readonly was: string; readonly now: string }
  | { readonly kind: 'needed-by'; readonly by: string };

export type PlanAction = 'new' | 'update' | 'rebuild';

export interface PlanEntry {
  readonly name: string;
  readonly action: PlanAction;
  /** Installed version, if any. */
  readonly from: string | null;
  readonly to: string;
  readonly reasons: readonly Reason[];
  readonly fingerprint: string;
  readonly inputs: InputHashes;
  readonly abi: string;
  readonly options: readonly string[];
  readonly flags: readonly string[];
  readonly deps: readonly ResolvedDep[];
  /** How it came into the plan. */
  readonly origin: 'requested' | 'dependency' | 'dependant';
  /**
   * The binary package's file name in the cache: NAME-VERSION-KEY.tar.gz,
   * KEY covering the inputs (the fingerprint) and what the build links to:
   * the exact builds of tight dependencies, the ABI keys and options of
   * loose and optional ones.
   */
  readonly archive: string;
  /** That archive is in the cache (and the package is not forced): install it instead of compiling. */
  readonly fromCache: boolean;
  /** The last recorded failure of this package, if any. */
  readonly failed: FailureRecord | null;
}

export interface PlanRequest {
  /** tree: every spell (bulk build); targets: the named packages; update: what is installed. */
  readonly mode: 'tree' | 'targets' | 'update';
  readonly targets: readonly string[];
  /** -a: force every package in scope. */
  readonly forceAll: boolean;
  /** --rebuild: force these. */
  readonly rebuild: readonly string[];
}

export interface PlanInput {
  readonly graph: PackageGraph;
  readonly resolution: Resolution;
  readonly installed: ReadonlyMap<string, InstalledRecord>;
  readonly failures: ReadonlyMap<string, FailureRecord>;
  readonly request: PlanRequest;
  /** Names of archives available in the binary package cache. */
  readonly cachedArchives: ReadonlySet<string>;
}

export interface Plan {
  readonly entries: readonly PlanEntry[];
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** Cycles among the packages considered (names), each broken as described in order.ts. */
  readonly cycles: readonly string[][];
  /** Spells in scope that cannot be built (unresolved names), with why. */
  readonly unbuildable: readonly { readonly name: string; readonly why: string }[];
  /** Installed packages in scope that are up to date. */
  readonly upToDate: readonly string[];
  /** Installed packages in scope that no spell root has any more. */
  readonly orphans: readonly string[];
}

// Hashes are remembered: a re-plan (jux watch) hashes only what changed.
const optionHashes = new Map<string, string>();
const fingerprints = new WeakMap<Spell, { readonly optHash: string; readonly fingerprint: string }>();

const optionHashesByList = new WeakMap<readonly string[], WeakMap<readonly string[], string>>();

export function optionsHash(options: readonly string[], flags: readonly string[]): string {
  // The same lists (a re-plan takes them over from the last resolution) give the same hash.
  let byFlags = optionHashesByList.get(options);
  const known = byFlags?.get(flags);
  if (known !== undefined) return known;
  const h = optionsHashOf(options, flags);
  if (byFlags === undefined) optionHashesByList.set(options, (byFlags = new WeakMap()));
  byFlags.set(flags, h);
  return h;
}

function optionsHashOf(options: readonly string[], flags: readonly string[]): string {
  const text = [...options].sort().join(' ') + '\0' + flags.join(' ');
  let h = optionHashes.get(text);
  if (h === undefined) {
    if (optionHashes.size > 100_000) optionHashes.clear();
    optionHashes.set(text, (h = hash16(text)));
  }
  return h;
}

export function fingerprintOf(spell: Spell, optHash: string): string {
  const known = fingerprints.get(spell);
  if (known !== undefined && known.optHash === optHash) return known.fingerprint;
  const i = spell.inputs;
  const fingerprint = hash16([i.statements, i.scripts, i.sources, optHash].join('\0'));
  fingerprints.set(spell, { optHash, fingerprint });
  return fingerprint;
}

/** The build order of a tree, remembered for as long as its dependency edges are the same. */
const orders = new WeakMap<object, { names: string[]; order: ReturnType<typeof buildOrder> }>();

function orderOf(graph: PackageGraph, resolution: Resolution): { names: string[]; order: ReturnType<typeof buildOrder> } {
  const known = orders.get(resolution.edgesToken);
  if (known !== undefined && known.names.length === graph.spells.size) return known;
  const names = [...graph.spells.keys()];
  const id = new Map(names.map((n, i) => [n, i]));
  const edges: OrderEdge[][] = names.map((n) =>
    (resolution.deps.get(n) ?? [])
      .filter((d) => isBuildOrder(d.kind) && id.has(d.name))
      .map((d) => ({ to: id.get(d.name)!, build: d.kind === 'build' })),
  );
  const result = { names, order: buildOrder(names, edges) };
  orders.set(resolution.edgesToken, result);
  return result;
}

export function archiveName(name: string, version: string, fingerprint: string): string {
  return `${name}-${version || 'unversioned'}-${fingerprint}.tar.gz`;
}

function hash16(s: string): string {
  return sha256Hex(s).slice(0, 16);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((x, i) => x === sb[i]);
}

/** What a package will look like after this run (for its dependants). */
interface Outcome {
  readonly version: string;
  readonly abi: string;
  readonly options: readonly string[];
  readonly rebuilt: boolean;
  readonly archive: string;
}

/** The build context of a package: what its binary depends on. */
function archiveKey(fingerprint: string, deps: readonly ResolvedDep[], current: (n: string) => Outcome | null): string {
  const ctx: string[] = [];
  for (const d of deps) {
    const o = current(d.name);
    if (d.kind === 'tight') ctx.push(`t:${d.name}:${o?.archive ?? ''}`);
    else if (d.kind === 'loose' || d.kind === 'optional') ctx.push(`l:${d.name}:${o?.abi ?? ''}:${[...(o?.options ?? [])].sort().join(',')}`);
  }
  return hash16([fingerprint, ...ctx.sort()].join('\0'));
}

/** What a request covers: the packages in scope, how each came in, those forced, and errors naming targets. */
interface Scope {
  readonly scope: ReadonlySet<string>;
  readonly origin: ReadonlyMap<string, PlanEntry['origin']>;
  readonly forced: ReadonlySet<string>;
  readonly errors: readonly Diagnostic[];
}

/**
 * The scope of a request, remembered for as long as the resolution's edges
 * token is the same (the same spells, providers, state, configuration and
 * dependency edges: all the scope depends on) and the request too.
 */
const scopes = new WeakMap<object, { readonly request: PlanRequest; readonly scope: Scope }>();

function scopeOf(graph: PackageGraph, resolution: Resolution, installed: ReadonlyMap<string, InstalledRecord>, request: PlanRequest): Scope {
  const known = scopes.get(resolution.edgesToken);
  if (known !== undefined && known.request === request) return known.scope;
  const errors: Diagnostic[] = [];
  const scope = new Set<string>();
  const origin = new Map<string, PlanEntry['origin']>();
  const addClosure = (start: string): void => {
    const todo = [start];
    while (todo.length) {
      const n = todo.pop()!;
      if (scope.has(n) || !graph.spells.has(n)) continue;
      scope.add(n);
      if (!origin.has(n)) origin.set(n, 'dependency');
      for (const d of resolution.deps.get(n) ?? []) todo.push(d.name);
    }
  };
  // What each requested name resolved to anywhere in the tree.
  const resolvedAs = new Map<string, string>();
  for (const d of resolution.deps.values()) for (const x of d) resolvedAs.set(x.requested, x.name);
  const resolveTarget = (t: string): string | null => {
    if (graph.spells.has(t)) return t;
    const cands = graph.providers.get(t) ?? [];
    const hit = resolvedAs.get(t);
    if (hit !== undefined) return hit;
    if (cands.length === 1) return cands[0]!;
    if (cands.length > 1) {
      errors.push({
        severity: 'error',
        message: `${t} is provided by ${cands.join(', ')}; name one of them (or choose in jux.yaml)`,
        at: null,
      });
      return null;
    }
    errors.push({
      severity: 'error',
      message: installed.has(t)
        ? `${t} is installed but no spell root has it any more, so it cannot be built`
        : `no spell named ${t}`,
      at: null,
    });
    return null;
  };

  const forced = new Set<string>();
  if (request.mode === 'tree') {
    // Of several providers of one capability, only the selected one.
    const notSelected = new Set<string>();
    for (const [cap, cands] of graph.providers) {
      if (cands.length < 2) continue;
      const chosen = resolvedAs.get(cap) ?? resolution.chosenProviders.get(cap) ?? [...cands].find((c) => installed.has(c)) ?? cands[0];
      for (const c of cands) if (c !== chosen) notSelected.add(c);
    }
    const named = new Set<string>();
    for (const d of resolution.deps.values()) for (const x of d) if (x.requested === x.name) named.add(x.name);
    for (const name of graph.spells.keys()) {
      if (notSelected.has(name) && !named.has(name)) continue;
      origin.set(name, 'requested');
      addClosure(name);
    }
    if (request.forceAll) for (const n of scope) forced.add(n);
  } else if (request.mode === 'targets') {
    for (const t of request.targets) {
      const n = resolveTarget(t);
      if (n === null) continue;
      origin.set(n, 'requested');
      addClosure(n);
    }
    if (request.forceAll) for (const n of scope) forced.add(n);
  } else {
    for (const name of installed.keys()) {
      if (!graph.spells.has(name)) continue;
      origin.set(name, 'requested');
      addClosure(name);
    }
    if (request.forceAll) for (const n of scope) forced.add(n);
  }
  for (const t of request.rebuild) {
    const n = resolveTarget(t);
    if (n === null) continue;
    forced.add(n);
    if (!scope.has(n)) {
      origin.set(n, 'requested');
      addClosure(n);
    }
  }

  const result: Scope = { scope, origin, forced, errors };
  scopes.set(resolution.edgesToken, { request, scope: result });
  return result;
}

export function planRebuilds(input: PlanInput): Plan {
  const { graph, resolution, installed, request } = input;
  const errors: Diagnostic[] = [...resolution.errors.filter((e) => e.at === null)];
  const warnings: Diagnostic[] = [...resolution.warnings];

  // ---- the scope of the request ----
  const { scope, origin, forced, errors: scopeErrors } = scopeOf(graph, resolution, installed, request);
  errors.push(...scopeErrors);

  // ---- build order over the whole tree (dependants outside the scope count) ----
  const { names, order } = orderOf(graph, resolution);
  const cycles = order.cycles.map((c) => c.map((i) => names[i]!));
  for (const c of order.buildCycles) {
    const cyc = c.map((i) => names[i]!);
    errors.push({
      severity: 'error',
      message: `build dependencies form a cycle: ${[...cyc, cyc[0]].join(' -> ')}`,
      at: graph.spells.get(cyc[0]!)!.at,
    });
  }
  for (const c of cycles) {
    if (!c.some((n) => scope.has(n))) continue;
    if (order.buildCycles.some((b) => b.length === c.length && b.every((i) => c.includes(names[i]!)))) continue;
    warnings.push({
      severity: 'warning',
      message:
        c.length === 1
          ? `${c[0]} depends on itself`
          : `dependency cycle among ${c.join(', ')}; built in that order (build dependencies first, then by name)`,
      at: graph.spells.get(c[0]!)!.at,
    });
  }

  // ---- one pass, dependencies first ----
  const outcome = new Map<string, Outcome>();
  const planned = new Map<string, PlanEntry>();
  const unbuildable: { name: string; why: string }[] = [];
  const upToDate: string[] = [];
  /** What an installed package looks like when this run does not rebuild it (made once per package). */
  const asInstalled = new Map<string, Outcome>();
  const current = (dep: string): Outcome | null => {
    const o = outcome.get(dep);
    if (o) return o;
    let a = asInstalled.get(dep);
    if (a === undefined) {
      const r = installed.get(dep);
      if (r === undefined) return null;
      a = { version: r.version, abi: r.abi, options: r.options, rebuilt: false, archive: r.archive ?? '' };
      asInstalled.set(dep, a);
    }
    return a;
  };

  for (const i of order.order) {
    const name = names[i]!;
    const spell = graph.spells.get(name)!;
    const inst = installed.get(name) ?? null;
    const deps = resolution.deps.get(name) ?? [];
    if (resolution.broken.has(name)) {
      if (scope.has(name)) unbuildable.push({ name, why: resolution.broken.get(name)!.message });
      continue;
    }
    const options = resolution.options.get(name) ?? [];
    const flags = resolution.flags.get(name) ?? [];
    const optHash = optionsHash(options, flags);
    // (Needed only for a record without input hashes or a package in the plan.)
    let fp: string | undefined;
    const fingerprint = (): string => (fp ??= fingerprintOf(spell, optHash));
    const si = spell.inputs;

    const own: Reason[] = [];
    const propagated: Reason[] = [];
    if (inst === null) own.push({ kind: 'new' });
    else {
      if (inst.version !== spell.version) own.push({ kind: 'version', from: inst.version, to: spell.version });
      if (inst.inputs) {
        const ii = inst.inputs;
        if (ii.statements !== si.statements || ii.scripts !== si.scripts || ii.sources !== si.sources || ii.options !== optHash) {
          const now: InputHashes = { ...si, options: optHash };
          const what = (['statements', 'scripts', 'sources', 'options'] as const).filter((k) => ii[k] !== now[k]);
          own.push({ kind: 'inputs', what });
        }
      } else if (inst.fingerprint !== fingerprint()) own.push({ kind: 'inputs', what: ['unknown'] });
      if (forced.has(name)) own.push({ kind: 'forced' });
      for (const d of deps) {
        const now = current(d.name);
        const rec = inst.builtAgainst.get(d.name);
        if (d.kind === 'tight') {
          const o = outcome.get(d.name);
          if (o?.rebuilt) {
            propagated.push({ kind: 'tight-rebuilt', dep: d.name, from: installed.get(d.name)?.version ?? null, to: o.version });
          } else {
            const di = installed.get(d.name);
            if (rec && di && (rec.version !== di.version || rec.fingerprint !== di.fingerprint || rec.builtAt !== di.builtAt)) {
              own.push({
                kind: 'tight-changed',
                dep: d.name,
                was: { version: rec.version, builtAt: rec.builtAt },
                now: { version: di.version, builtAt: di.builtAt },
              });
            }
          }
        } else if ((d.kind === 'loose' || d.kind === 'optional') && rec && now) {
          const o = outcome.get(d.name);
          const target = o?.rebuilt ? propagated : own;
          if (rec.abi !== now.abi) {
            target.push({ kind: 'loose-abi', dep: d.name, was: rec.abi, now: now.abi, rebuilt: !!o?.rebuilt });
          }
          if (!sameList(rec.options, now.options)) {
            target.push({ kind: 'loose-options', dep: d.name, was: rec.options, now: now.options, rebuilt: !!o?.rebuilt });
          }
        }
        if ((d.kind === 'tight' || d.kind === 'loose' || d.kind === 'optional') && !rec) {
          // Built against another provider of the same name?
          const prev = inst.depends.find(
            (x) => x.name !== d.name && (x.kind === d.kind || (x.kind === 'optional') === (d.kind === 'optional')) &&
              (x.name === d.requested || (graph.providers.get(d.requested) ?? []).includes(x.name) ||
                (installed.get(x.name)?.provides ?? []).includes(d.requested)),
          );
          if (prev) own.push({ kind: 'provider', requested: d.requested, was: prev.name, now: d.name });
        }
      }
    }

    let include = false;
    let entryOrigin = origin.get(name) ?? 'dependency';
    if (scope.has(name)) include = own.length + propagated.length > 0;
    else if (inst !== null && propagated.length > 0) {
      include = true;
      entryOrigin = 'dependant';
    }
    if (!include) {
      if (scope.has(name) && inst) upToDate.push(name);
      continue;
    }
    const reasons = [...own, ...propagated];
    const archive = archiveName(name, spell.version, archiveKey(fingerprint(), deps, current));
    const inputs: InputHashes = { ...si, options: optHash };
    planned.set(name, makeEntry(spell, inst, reasons, fingerprint(), archive, forced.has(name), inputs, options, flags, deps, entryOrigin, input));
    outcome.set(name, { version: spell.version, abi: abiKey(spell.version, spell.abi), options, rebuilt: true, archive });
  }

  // ---- dependencies that are not installed are built too ----
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of [...planned.values()]) {
      for (const d of e.deps) {
        if (planned.has(d.name) || installed.has(d.name)) continue;
        const spell = graph.spells.get(d.name);
        if (!spell || resolution.broken.has(d.name)) continue;
        const options = resolution.options.get(d.name) ?? [];
        const flags = resolution.flags.get(d.name) ?? [];
        const optHash = optionsHash(options, flags);
        const fp = fingerprintOf(spell, optHash);
        const deps = resolution.deps.get(d.name) ?? [];
        planned.set(
          d.name,
          makeEntry(
            spell,
            null,
            [{ kind: 'new' }, { kind: 'needed-by', by: e.name }],
            fp,
            archiveName(d.name, spell.version, archiveKey(fp, deps, current)),
            false,
            { ...spell.inputs, options: optHash },
            options,
            flags,
            resolution.deps.get(d.name) ?? [],
            'dependency',
            input,
          ),
        );
        grew = true;
      }
    }
  }

  // Errors that concern what this request builds.
  for (const [name, d] of resolution.broken) {
    if (request.mode !== 'tree' && scope.has(name)) errors.push(d);
  }
  for (const e of resolution.errors) if (e.at !== null && request.mode === 'tree' && !errors.includes(e)) warnings.push(e);

  const entries = order.order.map((i) => planned.get(names[i]!)).filter((e): e is PlanEntry => e !== undefined);
  const orphans = [...installed.keys()].filter((n) => !graph.spells.has(n)).sort();
  return { entries, errors, warnings, cycles: cycles.filter((c) => c.some((n) => scope.has(n))), unbuildable, upToDate, orphans };
}

function makeEntry(
  spell: Spell,
  inst: InstalledRecord | null,
  reasons: Reason[],
  fingerprint: string,
  archive: string,
  forced: boolean,
  inputs: InputHashes,
  options: readonly string[],
  flags: readonly string[],
  deps: readonly ResolvedDep[],
  origin: PlanEntry['origin'],
  input: PlanInput,
): PlanEntry {
  const action: PlanAction = inst === null ? 'new' : inst.version !== spell.version ? 'update' : 'rebuild';
  const failed = input.failures.get(spell.name) ?? null;
  return {
    name: spell.name,
    action,
    from: inst?.version ?? null,
    to: spell.version,
    reasons,
    fingerprint,
    inputs,
    abi: abiKey(spell.version, spell.abi),
    options,
    flags,
    deps,
    origin,
    archive,
    fromCache: !forced && input.cachedArchives.has(archive),
    failed,
  };
}
