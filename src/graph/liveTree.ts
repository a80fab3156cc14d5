/**
 * A spell tree kept in memory between changes (jux watch): each file's
 * evaluation is kept apart, so a change re-reads only the files that
 * changed, and the package graph is updated from them (graphIndex.ts):
 * only the spells the changed files (or folders) describe are assembled
 * again, the others are taken over as they are. A tree with a file that
 * `include`s another is built whole after each change instead.
 *
 * One interpreter evaluates every file, as a full load does; a file
 * evaluated again sees the variables the others left, so a spell that reads
 * a variable another spell file sets (which spells should not do) may see a
 * newer value than a full load would give it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildPackageGraph, type PackageGraph, type Phase } from './packageGraph.js';
import { type FileResult, SpellEvaluator } from './spellEvaluator.js';
import { CachedDisk } from './spellDisk.js';
import { GraphIndex, selfContained } from './graphIndex.js';
import type { Fact } from './spellFacts.js';
import type { Diagnostic, LoadedTree, TreeFile } from './spellTree.js';
import { walkRoots } from './treeCache.js';

export interface TreeUpdate {
  readonly graph: PackageGraph;
  /** Spell files evaluated again (added or changed), and those dropped. */
  readonly reread: readonly string[];
  readonly dropped: readonly string[];
  /** Spells whose description was assembled again (every spell when the graph was built whole). */
  readonly dirty: ReadonlySet<string>;
  /** Echo output of the files evaluated. */
  readonly echoes: readonly string[];
}

export class LiveTree {
  private files: readonly TreeFile[] = [];
  private readonly results = new Map<string, FileResult>();
  private readonly disk = new CachedDisk();
  private graphNow!: PackageGraph;
  /** The incremental graph, when every file qualifies for it. */
  private index: GraphIndex | null = null;
  /** Files that do not (see graphIndex.ts). */
  private readonly entangled = new Set<string>();

  private constructor(
    readonly roots: readonly string[],
    private readonly rulesDir: string,
    private readonly defaultScripts: Readonly<Partial<Record<Phase, string>>>,
    private evaluator: SpellEvaluator,
  ) {}

  static async load(
    roots: readonly string[],
    rulesDir: string,
    defaultScripts: Readonly<Partial<Record<Phase, string>>>,
  ): Promise<LiveTree> {
    const t = new LiveTree(roots, rulesDir, defaultScripts, await SpellEvaluator.create(rulesDir));
    t.files = walkRoots(roots).files;
    const results = await t.evaluator.evaluateAll(t.files.map((f) => f.path));
    t.files.forEach((f, i) => t.results.set(f.path, results[i]!));
    t.buildWhole();
    return t;
  }

  get graph(): PackageGraph {
    return this.graphNow;
  }

  /** Every Echo line of the last full evaluation and the files since. */
  echoes(): string[] {
    return [...this.evaluator.vocabulary.echoes, ...this.files.flatMap((f) => this.results.get(f.path)?.echoes ?? [])];
  }

  /** Paths (absolute) that were added, changed or removed. */
  async update(paths: readonly string[]): Promise<TreeUpdate> {
    const prev = this.graphNow;
    if (paths.some((p) => isUnder(p, this.rulesDir))) {
      // The vocabulary changed: everything is read again.
      this.evaluator = await SpellEvaluator.create(this.rulesDir);
      for (const p of paths) this.disk.invalidate(p);
      const before = this.files.map((f) => f.path);
      this.files = walkRoots(this.roots).files;
      this.results.clear();
      for (const f of this.files) this.results.set(f.path, this.evaluator.evaluate(f.path));
      this.buildWhole();
      const now = new Set(this.files.map((f) => f.path));
      return {
        graph: this.graphNow,
        reread: [...now],
        dropped: before.filter((p) => !now.has(p)),
        dirty: new Set(this.graphNow.spells.keys()),
        echoes: this.echoes(),
      };
    }

    const changed = new Map<string, FileResult | null>();
    let files = this.files;
    const reread: string[] = [];
    const dropped: string[] = [];
    const echoes: string[] = [];
    const dirty = new Set<string>();

    for (const p of paths) this.disk.invalidate(p);
    for (const p of new Set(paths)) {
      const root = this.roots.findIndex((r) => isUnder(p, r));
      if (root < 0) continue;
      // Whatever a spell folder holds (scripts, in-tree sources) counts for that spell.
      for (let d = p; d.length > 1 && d !== path.dirname(d); d = path.dirname(d)) {
        const name = path.basename(d);
        if (prev.spells.get(name)?.dir === d) dirty.add(name);
      }
      const st = statOrNull(p);
      // Spell files gone (the path itself, or everything under a removed folder).
      const gone = st !== null ? [] : files.filter((f) => (f.path === p || f.path.startsWith(p + '/')) && !fs.existsSync(f.path));
      for (const f of gone) {
        this.results.delete(f.path);
        this.entangled.delete(f.path);
        changed.set(f.path, null);
        dropped.push(f.path);
      }
      if (gone.length) files = files.filter((f) => !gone.includes(f));
      // Spell files added or changed (a new folder brings its files).
      const found: string[] = [];
      if (st?.isFile() && p.endsWith('.jux')) found.push(p);
      else if (st?.isDirectory()) {
        for (const f of walkRoots([p]).files) if (!this.results.has(f.path)) found.push(f.path);
      }
      for (const file of found) {
        if (reread.includes(file)) continue; // a folder and its file in one burst
        if (!this.results.has(file)) {
          const s = fs.statSync(file);
          if (files === this.files) files = [...files];
          (files as TreeFile[]).push({ path: file, root, size: s.size, mtimeMs: s.mtimeMs });
        }
        const r = this.evaluator.evaluate(file);
        this.results.set(file, r);
        if (selfContained(file, r)) this.entangled.delete(file);
        else this.entangled.add(file);
        changed.set(file, r);
        echoes.push(...r.echoes);
        reread.push(file);
      }
    }
    if (files !== this.files) {
      (files as TreeFile[]).sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.files = files;
    }

    if (this.index !== null && this.entangled.size === 0) {
      const u = this.index.update(this.files, changed, dirty);
      this.graphNow = u.graph;
      return { graph: this.graphNow, reread, dropped, dirty: u.assembled, echoes };
    }
    this.buildWhole();
    return { graph: this.graphNow, reread, dropped, dirty: new Set(this.graphNow.spells.keys()), echoes };
  }

  /** Build the graph from every file's facts, and index it when every file qualifies. */
  private buildWhole(): void {
    const opts = { defaultScripts: this.defaultScripts, disk: this.disk };
    this.graphNow = buildPackageGraph(this.tree(), opts);
    this.entangled.clear();
    for (const f of this.files) if (!selfContained(f.path, this.results.get(f.path)!)) this.entangled.add(f.path);
    this.index =
      this.entangled.size === 0 && this.evaluator.vocabulary.facts.length === 0
        ? new GraphIndex(this.roots, this.evaluator.vocabulary, this.files, this.results, this.graphNow, opts)
        : null;
    if (this.index !== null) this.graphNow = this.index.graph;
  }

  private tree(): LoadedTree {
    const parts = [this.evaluator.vocabulary, ...this.files.map((f) => this.results.get(f.path)!)];
    const facts: Fact[] = [];
    const diagnostics: Diagnostic[] = [];
    const echoes: string[] = [];
    for (const p of parts) {
      for (const f of p.facts) facts.push(f);
      for (const d of p.diagnostics) diagnostics.push(d);
      for (const e of p.echoes) echoes.push(e);
    }
    return { roots: this.roots, files: this.files, facts, diagnostics, echoes };
  }
}

function isUnder(p: string, dir: string): boolean {
  const d = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return p === d || p.startsWith(d + '/');
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
