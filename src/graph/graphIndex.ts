/**
 * The package graph kept up to date file by file (jux watch): an index of
 * which spell files mention which names, so that a change to some files
 * assembles again only the spells those files could describe, and finds
 * again only the graph findings they could alter; every other spell (the
 * same object) and finding is taken over.
 *
 * A spell is a function of the facts naming it (its declarations, its
 * attributes and dependencies from the winning root), the Url and Sha256
 * facts of its sources, and its folder on disk. So the spells to assemble
 * again after a change are those named in the files' facts before or after
 * it, those whose sources those facts describe, and those whose folder
 * changed (the caller's `dirty`). They are assembled by buildPackageGraph
 * itself, from the facts of every file that names them or their sources,
 * so the result is what a full build gives (test/graph/graphIndex.test.ts
 * checks that over random edits).
 *
 * It works on files whose facts and errors are all at positions in the
 * file itself (every spell file; not one that `include`s another):
 * `selfContained` says whether a file qualifies, and the live tree builds
 * the whole graph when one does not.
 */
import type { SourcePos } from '../events.js';
import { toBytes } from '../util/bytes.js';
import {
  type DiagnosticContext,
  type FactDiagnostics,
  factDiagnostics,
  NO_DIAGNOSTICS,
  posKey,
  rootFinder,
  type SpellFact,
} from './graphDiagnostics.js';
import { type BuildGraphOptions, buildPackageGraph, type PackageGraph, type Spell } from './packageGraph.js';
import type { FileResult } from './spellEvaluator.js';
import type { Fact } from './spellFacts.js';
import type { Diagnostic, TreeFile } from './spellTree.js';

/** The name a fact is about (the spell, or the file a Url/Sha256 describes). */
function nameOf(f: Fact): string {
  switch (f.op) {
    case 'set':
    case 'add':
      return f.target;
    default:
      return f.name;
  }
}

function isSourceFact(f: Fact): boolean {
  return (f.op === 'set' || f.op === 'add') && (f.key === 'urls' || f.key === 'sha256');
}

/** Every fact and error of the file is at a position in the file itself. */
export function selfContained(file: string, r: FileResult): boolean {
  const own = toBytes(file);
  for (const f of r.facts) if (f.at.file !== own) return false;
  for (const d of r.diagnostics) if (d.at !== null && d.at.file !== own) return false;
  return true;
}

function sameProviders(a: ReadonlyMap<string, readonly string[]>, b: ReadonlyMap<string, readonly string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [cap, list] of a) {
    const old = b.get(cap);
    if (old === undefined || old.length !== list.length || old.some((x, i) => x !== list[i])) return false;
  }
  return true;
}

interface Declared {
  readonly root: number;
  readonly fact: SpellFact;
}

export class GraphIndex {
  private readonly rootOf: (file: string) => number;
  private results = new Map<string, FileResult>();
  /** Load order of each file (index in the sorted file list). */
  private order = new Map<string, number>();
  private files: readonly TreeFile[] = [];
  /** Name -> files with a fact about it. */
  private readonly byName = new Map<string, Set<string>>();
  /** Name -> its first declaration in each root (ascending roots). */
  private readonly declared = new Map<string, Declared[]>();
  /** Source file -> spells whose Source names it. */
  private readonly sourceUsers = new Map<string, Set<string>>();
  /** The graph's findings about each file's facts (files with none are left out). */
  private readonly found = new Map<string, FactDiagnostics>();
  private graphNow: PackageGraph;

  /**
   * Index a loaded tree (files sorted in load order, each evaluated, all
   * self-contained, the vocabulary recording no facts) and its full graph.
   */
  constructor(
    private readonly roots: readonly string[],
    private readonly vocabulary: FileResult,
    files: readonly TreeFile[],
    results: ReadonlyMap<string, FileResult>,
    graph: PackageGraph,
    private readonly opts: BuildGraphOptions,
  ) {
    this.rootOf = rootFinder(roots);
    this.setFiles(files);
    for (const f of files) {
      const r = results.get(f.path)!;
      this.results.set(f.path, r);
      this.mention(f.path, r.facts, true);
    }
    for (const name of this.byName.keys()) this.declare(name);
    for (const s of graph.spells.values()) this.useSources(s, 1);
    for (const f of files) this.find(f.path);
    this.graphNow = { ...graph, diagnostics: this.diagnostics() };
  }

  get graph(): PackageGraph {
    return this.graphNow;
  }

  /**
   * Files changed: `files` is the new sorted file list, `changed` each
   * changed file's new result (null: removed), `dirty` spells whose folder
   * changed. Returns the new graph and the spells assembled again.
   */
  update(
    files: readonly TreeFile[],
    changed: ReadonlyMap<string, FileResult | null>,
    dirty: ReadonlySet<string>,
  ): { graph: PackageGraph; assembled: ReadonlySet<string> } {
    const prev = this.graphNow;
    if (files !== this.files) this.setFiles(files);
    // Re-index the changed files; the names their facts were or are about.
    const touched = new Set<string>();
    for (const [file, r] of changed) {
      const old = this.results.get(file);
      if (old) {
        this.mention(file, old.facts, false);
        for (const f of old.facts) touched.add(nameOf(f));
      }
      if (r) {
        this.results.set(file, r);
        this.mention(file, r.facts, true);
        for (const f of r.facts) touched.add(nameOf(f));
      } else {
        this.results.delete(file);
        this.found.delete(file);
      }
    }
    for (const name of touched) this.declare(name);

    // The spells to assemble: named, using a source described, or with a changed folder.
    const assemble = new Set<string>(dirty);
    for (const name of touched) {
      assemble.add(name);
      for (const user of this.sourceUsers.get(name) ?? []) assemble.add(user);
    }
    // From every file naming them or their sources (sources named in any of those files: a superset).
    const from = new Set<string>();
    for (const name of assemble) for (const file of this.byName.get(name) ?? []) from.add(file);
    for (const file of [...from]) {
      for (const f of this.results.get(file)!.facts) {
        if (f.op !== 'add' && f.op !== 'set') continue;
        if (f.key !== 'sources' || !assemble.has(f.target)) continue;
        for (const src of f.values) for (const x of this.byName.get(src) ?? []) from.add(x);
      }
    }
    const sorted = [...from].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    const part = buildPackageGraph(
      { roots: this.roots, files: [], facts: sorted.flatMap((f) => this.results.get(f)!.facts), diagnostics: [], echoes: [] },
      this.opts,
    );

    // Take the new spells in; sources whose naming changed.
    const sourcesChanged = new Set<string>();
    let sameNames = true;
    for (const name of assemble) {
      const before = prev.spells.get(name);
      const after = this.declared.has(name) ? part.spells.get(name) : undefined;
      if ((before === undefined) !== (after === undefined)) sameNames = false;
      if (before) for (const s of this.useSources(before, -1)) sourcesChanged.add(s);
      if (after) for (const s of this.useSources(after, 1)) sourcesChanged.add(s);
    }
    let spells: Map<string, Spell>;
    if (sameNames) {
      spells = new Map(prev.spells);
      for (const name of assemble) if (spells.has(name)) spells.set(name, part.spells.get(name)!);
    } else {
      spells = new Map();
      // (The default sort compares strings by UTF-16 code units, as the full build does.)
      for (const name of [...this.declared.keys()].sort()) {
        spells.set(name, assemble.has(name) ? part.spells.get(name)! : prev.spells.get(name)!);
      }
    }
    let providers = new Map<string, string[]>();
    for (const s of spells.values()) {
      for (const cap of s.provides) {
        const l = providers.get(cap);
        if (l === undefined) providers.set(cap, [s.name]);
        else l.push(s.name);
      }
    }
    // The same providers: the same map (what is derived from it can be taken over).
    if (sameProviders(providers, prev.providers)) providers = prev.providers as Map<string, string[]>;

    // Findings again for every file whose facts could now be judged otherwise.
    const refind = new Set<string>();
    for (const file of changed.keys()) if (this.results.has(file)) refind.add(file);
    for (const name of [...touched, ...sourcesChanged]) for (const file of this.byName.get(name) ?? []) refind.add(file);
    for (const file of refind) this.find(file);

    this.graphNow = { roots: this.roots, spells, providers, diagnostics: this.diagnostics() };
    return { graph: this.graphNow, assembled: assemble };
  }

  private setFiles(files: readonly TreeFile[]): void {
    this.files = files;
    this.order = new Map(files.map((f, i) => [f.path, i]));
  }

  private mention(file: string, facts: readonly Fact[], add: boolean): void {
    for (const f of facts) {
      const name = nameOf(f);
      let s = this.byName.get(name);
      if (add) {
        if (s === undefined) this.byName.set(name, (s = new Set()));
        s.add(file);
      } else if (s !== undefined) {
        s.delete(file);
        if (s.size === 0) this.byName.delete(name);
      }
    }
  }

  /** The first declaration of `name` in each root, from the files naming it. */
  private declare(name: string): void {
    const byRoot: Declared[] = [];
    const files = [...(this.byName.get(name) ?? [])].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    for (const file of files) {
      for (const f of this.results.get(file)!.facts) {
        if (f.op !== 'spell' || f.name !== name) continue;
        const r = this.rootOf(f.at.file);
        if (r < 0 || byRoot.some((x) => x.root === r)) continue;
        byRoot.push({ root: r, fact: f });
      }
    }
    if (byRoot.length) this.declared.set(name, byRoot.sort((a, b) => a.root - b.root));
    else this.declared.delete(name);
  }

  /** Count a spell's sources in (1) or out (-1); the sources now named by none or newly named. */
  private useSources(s: Spell, by: 1 | -1): string[] {
    const flipped: string[] = [];
    for (const src of s.sources) {
      let users = this.sourceUsers.get(src.file);
      if (by === 1) {
        if (users === undefined) {
          this.sourceUsers.set(src.file, (users = new Set()));
          flipped.push(src.file);
        }
        users.add(s.name);
      } else if (users !== undefined) {
        users.delete(s.name);
        if (users.size === 0) {
          this.sourceUsers.delete(src.file);
          flipped.push(src.file);
        }
      }
    }
    return flipped;
  }

  /** The graph's findings about one file's facts. */
  private find(file: string): void {
    const r = this.results.get(file)!;
    const at = this.order.get(file)!;
    const root = this.rootOf(toBytes(file));
    const reported = new Set<string>();
    for (const d of r.diagnostics) if (d.severity === 'error' && d.at) reported.add(posKey(d.at));
    const ctx: DiagnosticContext = {
      roots: this.roots,
      rootOf: this.rootOf,
      firstDeclaration: (name, rt) => this.declared.get(name)?.find((x) => x.root === rt)?.fact,
      winner: (name) => {
        const l = this.declared.get(name);
        return l === undefined ? undefined : l[l.length - 1]!.root;
      },
      isSourceNamed: (src) => this.sourceUsers.has(src),
      isReported: (p: SourcePos) => reported.has(posKey(p)),
      sourceFactBefore: (rt, target) => {
        if (rt !== root) return false; // (all of a file's facts are in its root)
        for (const other of this.byName.get(target) ?? []) {
          if (this.order.get(other)! >= at || this.rootOf(toBytes(other)) !== rt) continue;
          if (this.results.get(other)!.facts.some((f) => isSourceFact(f) && nameOf(f) === target)) return true;
        }
        return false;
      },
    };
    const found = factDiagnostics(r.facts, ctx);
    if (found === NO_DIAGNOSTICS) this.found.delete(file);
    else this.found.set(file, found);
  }

  /** The load's errors, then the graph's findings, in load order (as a full build lists them). */
  private diagnostics(): Diagnostic[] {
    const out: Diagnostic[] = [...this.vocabulary.diagnostics];
    for (const f of this.files) for (const d of this.results.get(f.path)!.diagnostics) out.push(d);
    const found = this.files.flatMap((f) => this.found.get(f.path) ?? []);
    for (const x of found) out.push(...x.twice);
    for (const x of found) out.push(...x.undeclared);
    for (const x of found) out.push(...x.unnamed);
    return out;
  }
}
