/** The cached evaluation of the tree is used only when nothing under the roots changed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir } from '../../src/config/config.js';
import { loadPackageGraph } from '../../src/graph/treeCache.js';

describe('the tree cache', () => {
  it('is invalidated by every change under the roots', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-cache-'));
    const root = path.join(dir, 'spells');
    const cache = path.join(dir, 'cache', 'tree.v8');
    const write = (rel: string, text: string, mtime?: number): void => {
      const p = path.join(root, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
      if (mtime !== undefined) fs.utimesSync(p, mtime, mtime);
    };
    const load = () => loadPackageGraph([root], defaultRulesDir(), {}, cache);
    write('libs/a.jux', 'Spell a ; Version a : 1 ;', 1000);
    write('libs/b/b.jux', 'Spell b ; Version b : 1 ;', 1000);
    write('libs/b/BUILD', 'make\n', 1000);

    expect((await load()).cached).toBe(false);
    const hit = await load();
    expect(hit.cached).toBe(true);
    expect(hit.graph.spells.get('a')!.version).toBe('1');

    // same size, new content and time
    write('libs/a.jux', 'Spell a ; Version a : 2 ;', 2000);
    let r = await load();
    expect(r.cached).toBe(false);
    expect(r.graph.spells.get('a')!.version).toBe('2');
    expect((await load()).cached).toBe(true);

    // only touched
    fs.utimesSync(path.join(root, 'libs/a.jux'), 3000, 3000);
    expect((await load()).cached).toBe(false);

    // a script of a spell folder
    const before = (await load()).graph.spells.get('b')!.inputs.scripts;
    write('libs/b/BUILD', 'make all\n', 4000);
    r = await load();
    expect(r.cached).toBe(false);
    expect(r.graph.spells.get('b')!.inputs.scripts).not.toBe(before);

    // a file added, then removed
    write('libs/c.jux', 'Spell c ;', 5000);
    r = await load();
    expect(r.cached).toBe(false);
    expect(r.graph.spells.has('c')).toBe(true);
    fs.rmSync(path.join(root, 'libs/c.jux'));
    r = await load();
    expect(r.cached).toBe(false);
    expect(r.graph.spells.has('c')).toBe(false);
    expect((await load()).cached).toBe(true);

    // a corrupt cache file is ignored
    fs.writeFileSync(cache, 'garbage');
    r = await load();
    expect(r.cached).toBe(false);
    expect(r.graph.spells.size).toBe(2);
  });
});
