/**
 * The live tree (jux watch) gives the same package graph as loading the
 * tree from scratch, after every kind of change: a spell edited, added,
 * removed, a script changed, a source's Url given in another file, an
 * in-tree source changed, a spell moved to a later root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir } from '../../src/config/config.js';
import { LiveTree } from '../../src/graph/liveTree.js';
import { buildPackageGraph, type PackageGraph } from '../../src/graph/packageGraph.js';
import { evaluateTree } from '../../src/graph/spellTree.js';
import { walkRoots } from '../../src/graph/treeCache.js';
import { resolveDependencies } from '../../src/planner/resolve.js';
import { REPO } from '../helpers/paths.js';
import { tempDir, writeFiles } from '../helpers/run.js';

async function fresh(roots: string[]): Promise<PackageGraph> {
  const tree = await evaluateTree(roots, walkRoots(roots).files, defaultRulesDir());
  return buildPackageGraph(tree, { defaultScripts: {} });
}

function view(g: PackageGraph): unknown {
  return {
    spells: [...g.spells.values()],
    providers: [...g.providers],
    diagnostics: g.diagnostics.map((d) => `${d.severity} ${d.message} ${d.at?.file}:${d.at?.line}:${d.at?.col}`).sort(),
  };
}

describe('the live tree', () => {
  it('matches a full load after each change', async () => {
    const dir = tempDir('jux-live-');
    const spells = path.join(dir, 'spells');
    const overlay = path.join(dir, 'overlay');
    fs.cpSync(path.join(REPO, 'spells'), spells, { recursive: true });
    fs.mkdirSync(overlay);
    const roots = [spells, overlay];
    const live = await LiveTree.load(roots, defaultRulesDir(), {});
    expect(view(live.graph)).toEqual(view(await fresh(roots)));

    const step = async (paths: string[], dirty: string[]): Promise<void> => {
      const u = await live.update(paths.map((p) => path.join(dir, p)));
      for (const d of dirty) expect(u.dirty.has(d), `${d} dirty`).toBe(true);
      expect(view(u.graph)).toEqual(view(await fresh(roots)));
    };

    // An edited spell.
    const libcolor = path.join(spells, 'libs', 'libcolor', 'libcolor.jux');
    fs.writeFileSync(libcolor, fs.readFileSync(libcolor, 'utf8').replace(/Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.3.0 ;'));
    await step(['spells/libs/libcolor/libcolor.jux'], ['libcolor']);
    expect(live.graph.spells.get('libcolor')!.version).toBe('1.3.0');

    // A new spell whose source is described in another, new file; then that file changes.
    writeFiles(dir, {
      'spells/apps/wget/wget.jux': 'Spell wget ;\nVersion wget : 1.21 ;\nSource wget : wget-1.21.tar.gz ;\nLooseDepends wget : libgreet ;\n',
      'spells/apps/sources.jux': `Url wget-1.21.tar.gz : https://example.org/wget-1.21.tar.gz ;\nSha256 wget-1.21.tar.gz : ${'a'.repeat(64)} ;\n`,
    });
    await step(['spells/apps/wget', 'spells/apps/wget/wget.jux', 'spells/apps/sources.jux'], ['wget']);
    fs.writeFileSync(path.join(spells, 'apps', 'sources.jux'), `Url wget-1.21.tar.gz : https://mirror.example.org/w.tgz ;\nSha256 wget-1.21.tar.gz : ${'b'.repeat(64)} ;\n`);
    await step(['spells/apps/sources.jux'], ['wget']);
    expect(live.graph.spells.get('wget')!.sources[0]!.sha256).toBe('b'.repeat(64));

    // A script edited, an in-tree source edited.
    fs.appendFileSync(path.join(spells, 'apps', 'greet', 'BUILD'), '\n# changed\n');
    await step(['spells/apps/greet/BUILD'], ['greet']);
    fs.appendFileSync(path.join(spells, 'apps', 'hello', 'src', 'hello.sh'), '\n/* changed */\n');
    await step(['spells/apps/hello/src/hello.sh'], ['hello']);

    // The same spell in a later root replaces it; removing it restores the first.
    writeFiles(dir, { 'overlay/apps/hello/hello.jux': 'Spell hello ;\nVersion hello : 9.9 ;\n' });
    await step(['overlay/apps/hello/hello.jux'], ['hello']);
    expect(live.graph.spells.get('hello')!.version).toBe('9.9');
    fs.rmSync(path.join(overlay, 'apps'), { recursive: true });
    await step(['overlay/apps'], ['hello']);
    expect(live.graph.spells.get('hello')!.version).toBe('1.0.0');

    // A syntax error, then its fix; a spell removed.
    fs.writeFileSync(path.join(spells, 'apps', 'wget', 'wget.jux'), 'Spell wget ;\nVersion wget : 1.22\n');
    await step(['spells/apps/wget/wget.jux'], ['wget']);
    expect(live.graph.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    fs.rmSync(path.join(spells, 'apps', 'wget'), { recursive: true });
    await step(['spells/apps/wget/wget.jux', 'spells/apps/wget'], ['wget']);
    expect(live.graph.spells.has('wget')).toBe(false);
    expect(live.graph.diagnostics.some((d) => d.severity === 'error')).toBe(false);
  });

  it('lets a re-resolution take over the spells that did not change', async () => {
    const dir = tempDir('jux-live-');
    const spells = path.join(dir, 'spells');
    fs.cpSync(path.join(REPO, 'spells'), spells, { recursive: true });
    const live = await LiveTree.load([spells], defaultRulesDir(), {});
    const cfg = { providers: { CALC: 'minicalc' }, options: {} };
    const installed = new Map();
    const first = resolveDependencies(live.graph, installed, cfg);
    const before = live.graph;
    const hello = path.join(spells, 'apps', 'hello', 'hello.jux');
    fs.writeFileSync(hello, fs.readFileSync(hello, 'utf8').replace(/Version +hello : 1\.0\.0 ;/, 'Version hello : 1.0.1 ;'));
    const u = await live.update([hello]);
    expect(u.graph.spells.get('greet')).toBe(before.spells.get('greet')); // taken over
    expect(u.graph.spells.get('hello')).not.toBe(before.spells.get('hello'));
    const again = resolveDependencies(u.graph, installed, cfg, { graph: before, installed, cfg, resolution: first });
    const full = resolveDependencies(u.graph, installed, cfg);
    expect(again.perSpell.get('greet')).toBe(first.perSpell.get('greet'));
    expect(again.edgesToken).toBe(first.edgesToken); // same edges: the build order is taken over
    expect([...again.deps]).toEqual([...full.deps]);
    expect(again.errors).toEqual(full.errors);
    expect([...again.broken]).toEqual([...full.broken]);
  });
});
