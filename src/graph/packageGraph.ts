/**
 * The package graph: spells with their attributes and typed dependency
 * declarations, built from the facts a loaded tree recorded.
 *
 * Roots stack as overlays: a spell declared in a later root replaces the
 * spell of the same name from earlier roots, as a whole (only facts from the
 * winning root's files describe it). Dependencies are still names here;
 * resolving them against spells, providers and what is installed is the
 * planner's job (planner/resolve.ts).
 */
import path from 'node:path';
import type { SourcePos } from '../events.js';
import { fromBytes } from '../util/bytes.js';
import { factDiagnostics, posKey, rootFinder } from './graphDiagnostics.js';
import type { DependencyKind, Fact } from './spellFacts.js';
import type { Diagnostic, LoadedTree } from './spellTree.js';
import { sha256Hex } from './hash.js';
import { DirectDisk, type SpellDisk } from './spellDisk.js';

export const PHASES = ['fetch', 'unpack', 'configure', 'build', 'test', 'install'] as const;
export type Phase = (typeof PHASES)[number];
/** The script file of each phase, in PHASES order. */
const PHASE_FILES = PHASES.map((p) => p.toUpperCase());

export interface DependencyDecl {
  readonly kind: DependencyKind;
  readonly name: string;
  readonly at: SourcePos;
}

export interface OptionalDecl {
  readonly name: string;
  readonly on: readonly string[];
  readonly off: readonly string[];
  readonly description: string;
  readonly at: SourcePos;
}

export interface SourceDecl {
  readonly file: string;
  readonly urls: readonly string[];
  readonly sha256: string | null;
  /** How many checksums the Sha256 statement gave (one is right; lint reports more). */
  readonly sha256Count: number;
  /** The Source statement naming it. */
  readonly at: SourcePos;
  /** The Sha256 statement, if any. */
  readonly sha256At: SourcePos | null;
  /** The (last) Url statement, if any. */
  readonly urlsAt: SourcePos | null;
}

/** Hashes of what goes into a build, component by component. */
export interface SpellInputs {
  /** Build-relevant statements: dependencies, optional dependencies, sources. */
  readonly statements: string;
  /** The phase scripts used (the spell's own, else jux's defaults). */
  readonly scripts: string;
  /** Source files and their checksums. */
  readonly sources: string;
}

export interface Spell {
  readonly name: string;
  /** Index of the root it comes from, and that root's path. */
  readonly rootIndex: number;
  readonly root: string;
  readonly file: string;
  readonly at: SourcePos;
  /** The spell's own folder when it has one (SECTION/NAME/NAME.jux), else null. */
  readonly dir: string | null;
  readonly section: string;
  readonly version: string;
  readonly description: string;
  readonly license: readonly string[];
  readonly abi: string | null;
  readonly sources: readonly SourceDecl[];
  readonly deps: readonly DependencyDecl[];
  readonly optional: readonly OptionalDecl[];
  readonly provides: readonly string[];
  /** Where each capability is first provided (the Provides statement). */
  readonly providesAt?: ReadonlyMap<string, SourcePos>;
  /** Phase scripts the spell has (absolute paths). */
  readonly scripts: Readonly<Partial<Record<Phase, string>>>;
  readonly inputs: SpellInputs;
  /** Spells of the same name this one replaces (earlier roots). */
  readonly replaces: readonly { root: string; file: string }[];
}

export interface PackageGraph {
  readonly roots: readonly string[];
  readonly spells: ReadonlyMap<string, Spell>;
  /** Capability -> spells providing it (sorted). */
  readonly providers: ReadonlyMap<string, readonly string[]>;
  readonly diagnostics: readonly Diagnostic[];
}

/** ABI key: Abi if set, else the version's first component (first two when it is "0"). */
export function abiKey(version: string, abi: string | null): string {
  if (abi !== null && abi !== '') return abi;
  const parts = version.split('.');
  if (parts[0] === '0' && parts.length > 1) return `${parts[0]}.${parts[1]}`;
  return parts[0] ?? '';
}

export { sha256Hex };

function hash(parts: readonly string[]): string {
  return sha256Hex(parts.join('\0')).slice(0, 16);
}

interface Draft {
  sourceAt: Map<string, SourcePos>;
  name: string;
  rootIndex: number;
  file: string;
  at: SourcePos;
  attrs: Map<string, string[]>;
  deps: DependencyDecl[];
  optional: OptionalDecl[];
  provides: string[];
  providesAt: Map<string, SourcePos>;
}

export interface BuildGraphOptions {
  /** Default phase scripts: phase -> absolute path (from rules/phases). */
  readonly defaultScripts: Readonly<Partial<Record<Phase, string>>>;
  /** Where spell folders are read (default: the file system, uncached). */
  readonly disk?: SpellDisk;
}

/** Build the package graph from a loaded tree. */
export function buildPackageGraph(tree: LoadedTree, opts: BuildGraphOptions): PackageGraph {
  const rootOf = rootFinder(tree.roots);

  // Declarations: the highest root wins; twice in one root is an error.
  // (Per name, the declaring fact of each root: usually one, so a small array.)
  type Declared = { readonly root: number; readonly fact: Fact & { op: 'spell' } };
  const declared = new Map<string, Declared[]>();
  for (const f of tree.facts) {
    if (f.op !== 'spell') continue;
    const r = rootOf(f.at.file);
    if (r < 0) continue;
    let byRoot = declared.get(f.name);
    if (byRoot === undefined) declared.set(f.name, (byRoot = []));
    if (byRoot.some((x) => x.root === r)) continue; // reported as defined twice
    byRoot.push({ root: r, fact: f });
  }
  // The winning root of each spell, and its draft.
  const winner = new Map<string, number>();
  const drafts = new Map<string, Draft>();
  for (const [name, byRoot] of declared) {
    let best = byRoot[0]!;
    for (const x of byRoot) if (x.root > best.root) best = x;
    const r = best.root;
    winner.set(name, r);
    const d = best.fact;
    drafts.set(name, {
      name,
      rootIndex: r,
      file: d.at.file,
      at: d.at,
      attrs: new Map(),
      deps: [],
      optional: [],
      provides: [],
      providesAt: new Map(),
      sourceAt: new Map(),
    });
  }

  // Source attributes (Url, Sha256) are keyed by root and file name.
  // (Collected as facts, read only for the spells assembled.)
  const sourceFacts = new Map<string, (Fact & { op: 'set' | 'add' })[]>();
  const sourceAttrs = new Map<string, Map<string, string[]>>();
  const sha256At = new Map<string, SourcePos>();
  const urlsAt = new Map<string, SourcePos>();
  const attrsOfSource = (k: string): Map<string, string[]> | undefined => {
    let m = sourceAttrs.get(k);
    if (m !== undefined) return m;
    const facts = sourceFacts.get(k);
    if (facts === undefined) return undefined;
    sourceAttrs.set(k, (m = new Map()));
    for (const f of facts) {
      if (f.key === 'sha256') sha256At.set(k, f.at);
      else if (f.key === 'urls') urlsAt.set(k, f.at);
      const cur = m.get(f.key);
      m.set(f.key, f.op === 'add' && cur ? [...cur, ...f.values] : [...f.values]);
    }
    return m;
  };
  const sourceKey = (root: number, file: string): string => `${root}\0${file}`;
  /** Whether a fact about `name` from `file` describes the spell (from its winning root). */
  const owns = (name: string, file: string): boolean => {
    const r = winner.get(name);
    return r !== undefined && r === rootOf(file);
  };
  const spellOf = (name: string, file: string): Draft | undefined => {
    const d = drafts.get(name);
    return d !== undefined && d.rootIndex === rootOf(file) ? d : undefined;
  };

  for (const f of tree.facts) {
    switch (f.op) {
      case 'spell':
        break;
      case 'set':
      case 'add': {
        if (owns(f.target, f.at.file)) {
          const d = drafts.get(f.target)!;
          const cur = d.attrs.get(f.key);
          d.attrs.set(f.key, f.op === 'add' && cur ? [...cur, ...f.values] : [...f.values]);
          if (f.key === 'sources') for (const v of f.values) if (!d.sourceAt.has(v)) d.sourceAt.set(v, f.at);
        } else if (f.key === 'urls' || f.key === 'sha256') {
          const k = sourceKey(rootOf(f.at.file), f.target);
          const l = sourceFacts.get(k);
          if (l === undefined) sourceFacts.set(k, [f]);
          else l.push(f);
        }
        break;
      }
      case 'depends': {
        const d = spellOf(f.name, f.at.file);
        if (d !== undefined) for (const dep of f.deps) d.deps.push({ kind: f.kind, name: dep, at: f.at });
        break;
      }
      case 'optional': {
        const d = spellOf(f.name, f.at.file);
        if (d !== undefined) d.optional.push({ name: f.dep, on: f.on, off: f.off, description: f.description, at: f.at });
        break;
      }
      case 'provides': {
        const d = spellOf(f.name, f.at.file);
        if (d !== undefined) {
          d.provides.push(...f.caps);
          for (const c of f.caps) if (!d.providesAt.has(c)) d.providesAt.set(c, f.at);
        }
        break;
      }
    }
  }

  const disk = opts.disk ?? new DirectDisk();
  const defaultScriptHashes = PHASES.map((p) => {
    const file = opts.defaultScripts[p];
    return file ? disk.read(file) : '';
  });
  /** The scripts hash of a spell with no script of its own (most of them). */
  let defaultsOnly: string | undefined;

  const spells = new Map<string, Spell>();
  const providers = new Map<string, string[]>();
  const addProviders = (name: string, provides: readonly string[]): void => {
    for (const cap of provides) {
      let l = providers.get(cap);
      if (l === undefined) providers.set(cap, (l = []));
      l.push(name);
    }
  };
  // (The default sort compares strings by UTF-16 code units, as `<` does.)
  for (const name of [...declared.keys()].sort()) {
    const d = drafts.get(name)!;
    const root = tree.roots[d.rootIndex]!;
    const file = fromBytes(d.file);
    const spellDir = path.dirname(file);
    const dir = path.basename(spellDir) === name ? spellDir : null;
    const attr = (k: string): string[] => d.attrs.get(k) ?? [];
    const rel = path.relative(root, file).split(path.sep);
    const section = attr('section')[0] ?? (rel.length > 1 ? rel[0]! : '');
    const sources: SourceDecl[] = attr('sources').map((src) => {
      let k = sourceKey(d.rootIndex, src);
      let m = attrsOfSource(k);
      for (let r = tree.roots.length - 1; m === undefined && r >= 0; r--) m = attrsOfSource((k = sourceKey(r, src)));
      return {
        file: src,
        urls: m?.get('urls') ?? [],
        sha256: m?.get('sha256')?.[0] ?? null,
        sha256Count: m?.get('sha256')?.length ?? 0,
        at: d.sourceAt.get(src) ?? d.at,
        sha256At: sha256At.get(k) ?? null,
        urlsAt: urlsAt.get(k) ?? null,
      };
    });
    const scripts: Partial<Record<Phase, string>> = {};
    const listing = dir !== null ? disk.list(dir) : null;
    if (dir !== null && listing !== null) {
      PHASES.forEach((p, i) => {
        // A dangling link is listed too: a (missing) script.
        if (listing.has(PHASE_FILES[i]!)) scripts[p] = path.join(dir, PHASE_FILES[i]!);
      });
    }
    const inTree = (file: string): string | null => {
      if (dir === null || listing === null) return null;
      if (!file.includes('/')) return listing.has(file) && disk.exists(path.join(dir, file)) ? path.join(dir, file) : null;
      return disk.exists(path.join(dir, file)) ? path.join(dir, file) : null;
    };
    const depsKey = d.deps.map((x) => `${x.kind}:${x.name}`).sort();
    const optKey = d.optional.map((o) => `${o.name}:${o.on.join(' ')}:${o.off.join(' ')}`).sort();
    const inputs: SpellInputs = {
      statements: hash([...depsKey, '|', ...optKey]),
      // In-tree sources count by content; fetched ones by their checksums.
      sources: hash(
        sources.map((s) => {
          const local = inTree(s.file);
          return local !== null ? `${s.file}:tree:${disk.treeHash(local)}` : `${s.file}:${s.sha256 ?? ''}`;
        }),
      ),
      scripts:
        PHASES.some((p) => scripts[p])
          ? hash(PHASES.map((p, i) => (scripts[p] ? `own:${disk.read(scripts[p]!)}` : `default:${defaultScriptHashes[i]}`)))
          : (defaultsOnly ??= hash(PHASES.map((_, i) => `default:${defaultScriptHashes[i]}`))),
    };
    const replaces = declared
      .get(name)!
      .filter((x) => x.root !== d.rootIndex)
      .sort((a, b) => a.root - b.root)
      .map((x) => ({ root: tree.roots[x.root]!, file: fromBytes(x.fact.at.file) }));
    spells.set(name, {
      name,
      rootIndex: d.rootIndex,
      root,
      file,
      at: d.at,
      dir,
      section,
      version: attr('version')[0] ?? '',
      description: attr('description').join(' '),
      license: attr('license'),
      abi: attr('abi')[0] ?? null,
      sources,
      deps: d.deps,
      optional: d.optional,
      provides: [...new Set(d.provides)],
      providesAt: d.providesAt,
      scripts,
      inputs,
      replaces,
    });
    addProviders(name, [...new Set(d.provides)]);
  }
  // The graph's own findings (graphDiagnostics.ts), after the load's.
  const sourceNames = new Set<string>();
  for (const sp of spells.values()) for (const x of sp.sources) sourceNames.add(x.file);
  const reported = new Set(tree.diagnostics.flatMap((x) => (x.severity === 'error' && x.at ? [posKey(x.at)] : [])));
  const found = factDiagnostics(tree.facts, {
    roots: tree.roots,
    rootOf,
    firstDeclaration: (name, root) => declared.get(name)?.find((x) => x.root === root)?.fact,
    winner: (name) => winner.get(name),
    isSourceNamed: (file) => sourceNames.has(file),
    isReported: (at) => reported.has(posKey(at)),
    sourceFactBefore: () => false,
  });
  const diagnostics: Diagnostic[] = [...tree.diagnostics, ...found.twice, ...found.undeclared, ...found.unnamed];
  return { roots: tree.roots, spells, providers, diagnostics };
}

export { hashTree } from './spellDisk.js';
