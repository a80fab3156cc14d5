/**
 * The incremental package graph of `jux watch` (graphIndex.ts via the live
 * tree) equals the graph built from scratch after every step of a seeded
 * random sequence of edits, additions and removals on a generated
 * two-root tree: spells (in folders and in shared files), declared twice,
 * overridden by the later root, attributes for undeclared names, sources
 * described in other files, providers, syntax errors, scripts. The
 * diagnostics must come in the same order; the resolution and plan made
 * from the previous ones must equal those made from scratch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir } from '../../src/config/config.js';
import { LiveTree } from '../../src/graph/liveTree.js';
import { buildPackageGraph, type PackageGraph } from '../../src/graph/packageGraph.js';
import { evaluateTree } from '../../src/graph/spellTree.js';
import { walkRoots } from '../../src/graph/treeCache.js';
import { planRebuilds } from '../../src/planner/rebuild.js';
import { resolveDependencies, type Resolution } from '../../src/planner/resolve.js';
import { seededRandom } from '../../src/util/random.js';
import { tempDir } from '../helpers/run.js';

const NAMES = Array.from({ length: 24 }, (_, i) => `pkg${i}`);
const CAPS = ['CAPA', 'CAPB', 'CAPC'];
const SOURCES = Array.from({ length: 10 }, (_, i) => `src${i}.tar.gz`);

async function fresh(roots: string[]): Promise<PackageGraph> {
  const tree = await evaluateTree(roots, walkRoots(roots).files, defaultRulesDir());
  return buildPackageGraph(tree, { defaultScripts: {} });
}

function view(g: PackageGraph): unknown {
  return {
    spells: [...g.spells.values()],
    providers: [...g.providers],
    diagnostics: g.diagnostics.map((d) => `${d.severity} ${d.message} ${d.at?.file}:${d.at?.line}:${d.at?.col}`),
  };
}

describe('the incremental package graph', () => {
  for (const seed of [1, 2, 3]) {
    it(`equals a full build after each of 60 random changes (seed ${seed})`, async () => {
      const rnd = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const chance = (p: number): boolean => rnd() < p;
      const dir = tempDir('jux-index-');
      const roots = [path.join(dir, 'spells'), path.join(dir, 'overlay')];
      for (const r of roots) fs.mkdirSync(r, { recursive: true });

      const statements = (name: string | null): string => {
        const out: string[] = [];
        if (name !== null) {
          out.push(`Spell ${name} ;`);
          if (chance(0.1)) out.push(`Spell ${name} ;`); // twice in one file
          out.push(`Version ${name} : ${1 + Math.floor(rnd() * 3)}.${Math.floor(rnd() * 5)} ;`);
          if (chance(0.3)) out.push(`Abi ${name} : ${Math.floor(rnd() * 3)} ;`);
          if (chance(0.4)) out.push(`Source ${name} : ${pick(SOURCES)} ;`);
          for (const kind of ['TightDepends', 'LooseDepends', 'BuildDepends', 'RuntimeDepends']) {
            if (chance(0.3)) out.push(`${kind} ${name} : ${pick([...NAMES, ...CAPS])} ;`);
          }
          if (chance(0.2)) out.push(`Provides ${name} : ${pick(CAPS)} ;`);
          if (chance(0.15)) out.push(`OptionalDepends ${name} : ${pick(NAMES)} : "--with-x" : "--without-x" : "x" ;`);
        }
        // Statements about other spells and sources.
        const extra = Math.floor(rnd() * 3);
        for (let i = 0; i < extra; i++) {
          const what = rnd();
          if (what < 0.3) out.push(`Url ${pick(SOURCES)} : https://example.org/${Math.floor(rnd() * 100)} ;`);
          else if (what < 0.5) out.push(`Sha256 ${pick(SOURCES)} : ${String(Math.floor(rnd() * 9)).repeat(64)} ;`);
          else if (what < 0.65) out.push(`Description ${pick(NAMES)} : "described elsewhere" ;`);
          else if (what < 0.8) out.push(`Spell ${pick(NAMES)} ;\nVersion ${pick(NAMES)} : 0.${Math.floor(rnd() * 4)} ;`);
          else if (what < 0.9) out.push(`LooseDepends ${pick(NAMES)} : ${pick(NAMES)} ;`);
          else out.push(`Version ${pick(NAMES)} : 2.0`); // a syntax error (no ` ;`)
        }
        return out.join('\n') + '\n';
      };

      const spellFile = (root: number, name: string): string => path.join(roots[root]!, 'sec', name, `${name}.jux`);
      const sharedFile = (root: number, k: number): string => path.join(roots[root]!, 'sec', `shared${k}.jux`);
      const existing = (): string[] => walkRoots(roots).files.map((f) => f.path);

      // The starting tree.
      for (const name of NAMES) {
        const root = chance(0.8) ? 0 : 1;
        fs.mkdirSync(path.dirname(spellFile(root, name)), { recursive: true });
        fs.writeFileSync(spellFile(root, name), statements(name));
      }
      for (let k = 0; k < 3; k++) fs.writeFileSync(sharedFile(k % 2, k), statements(null));

      const live = await LiveTree.load(roots, defaultRulesDir(), {});
      expect(view(live.graph)).toEqual(view(await fresh(roots)));
      const cfg = { providers: {}, options: { [NAMES[0]!]: [NAMES[1]!] } };
      const installed = new Map();
      const request = { mode: 'tree' as const, targets: [], forceAll: false, rebuild: [] };
      let graph = live.graph;
      let resolution: Resolution = resolveDependencies(graph, installed, cfg);

      for (let step = 0; step < 60; step++) {
        const changed: string[] = [];
        const op = rnd();
        const files = existing();
        if (op < 0.45 && files.length) {
          // Edit a file (its spell, if it has one, may stay or go).
          const f = pick(files);
          const name = path.basename(f, '.jux');
          fs.writeFileSync(f, statements(NAMES.includes(name) && chance(0.9) ? name : null));
          changed.push(f);
        } else if (op < 0.65) {
          // Add a spell (maybe over one in the other root), or a shared file.
          const root = chance(0.5) ? 0 : 1;
          const f = chance(0.7) ? spellFile(root, pick(NAMES)) : sharedFile(root, Math.floor(rnd() * 5));
          const isNew = !fs.existsSync(path.dirname(f));
          fs.mkdirSync(path.dirname(f), { recursive: true });
          fs.writeFileSync(f, statements(NAMES.includes(path.basename(f, '.jux')) ? path.basename(f, '.jux') : null));
          changed.push(isNew ? path.dirname(f) : f);
          if (isNew) changed.push(f);
        } else if (op < 0.8 && files.length) {
          // Remove a file, or a spell's whole folder.
          const f = pick(files);
          if (path.basename(path.dirname(f)) === path.basename(f, '.jux') && chance(0.5)) {
            fs.rmSync(path.dirname(f), { recursive: true });
            changed.push(path.dirname(f));
          } else {
            fs.rmSync(f);
            changed.push(f);
          }
        } else if (op < 0.9 && files.length) {
          // A spell's script changes.
          const f = pick(files);
          const script = path.join(path.dirname(f), 'BUILD');
          fs.writeFileSync(script, `make ${Math.floor(rnd() * 1000)}\n`);
          changed.push(script);
        } else {
          // Several files in one burst.
          for (const f of files.filter(() => chance(0.2))) {
            const name = path.basename(f, '.jux');
            fs.writeFileSync(f, statements(NAMES.includes(name) ? name : null));
            changed.push(f);
          }
        }
        const before = graph;
        const u = await live.update(changed);
        graph = u.graph;
        const full = await fresh(roots);
        expect(view(graph), `step ${step}: ${changed.join(' ')}`).toEqual(view(full));

        // The resolution and plan made from the previous ones equal those made from scratch.
        const again = resolveDependencies(graph, installed, cfg, { graph: before, installed, cfg, resolution });
        const scratch = resolveDependencies(full, installed, cfg);
        expect([...again.deps]).toEqual([...scratch.deps]);
        expect([...again.broken]).toEqual([...scratch.broken]);
        expect(again.errors).toEqual(scratch.errors);
        expect(again.warnings).toEqual(scratch.warnings);
        const plan = (g: PackageGraph, r: Resolution): unknown =>
          planRebuilds({ graph: g, resolution: r, installed, failures: new Map(), request, cachedArchives: new Set() });
        expect(plan(graph, again)).toEqual(plan(full, scratch));
        resolution = again;
      }
    });
  }
});
