/** The cached evaluation of the tree is used only when nothing under the roots changed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir } from '../../src/config/config.js';
import { loadPackageGraph } from '../../src/graph/treeCache.js';
import { codeKeyOf } from '../../src/util/codeKey.js';

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

  it('notices a spell rewritten at the same size within its time stamp (a coarse clock), and still serves once it is old', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-cache-'));
    const root = path.join(dir, 'spells');
    const file = path.join(root, 'libs', 'a.jux');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const cache = path.join(dir, 'cache', 'tree.v8');
    const load = () => loadPackageGraph([root], defaultRulesDir(), {}, cache);
    // Both versions get the same stamp, as a clock that ticks once a second
    // would give them; a minute ahead (a file server's clock), so that it
    // is recent however slowly this test runs.
    const tick = Math.floor(Date.now() / 1000) + 60;
    const write = (text: string, at = tick): void => {
      fs.writeFileSync(file, text);
      fs.utimesSync(file, at, at);
    };
    write('Spell a ; Version a : 1 ;');
    expect((await load()).graph.spells.get('a')!.version).toBe('1');
    write('Spell a ; Version a : 2 ;');
    let r = await load();
    expect(r.cached).toBe(false);
    expect(r.graph.spells.get('a')!.version).toBe('2');
    expect((await load()).cached).toBe(true);
    // Stamped long ago: the stamp alone keys it (the content is not read to check).
    write('Spell a ; Version a : 3 ;', 1000);
    expect((await load()).graph.spells.get('a')!.version).toBe('3');
    r = await load();
    expect(r.cached).toBe(true);
    expect(r.graph.spells.get('a')!.version).toBe('3');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is not used by another build of jux (its code key)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-cache-'));
    const root = path.join(dir, 'spells');
    fs.mkdirSync(path.join(root, 'libs'), { recursive: true });
    fs.writeFileSync(path.join(root, 'libs', 'a.jux'), 'Spell a ; Version a : 1 ;');
    const cache = path.join(dir, 'cache', 'tree.v8');
    const load = (code: string) => loadPackageGraph([root], defaultRulesDir(), {}, cache, code);
    expect((await load('one')).cached).toBe(false);
    expect((await load('one')).cached).toBe(true);
    expect((await load('two')).cached).toBe(false);
    expect((await load('two')).cached).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("has a code key that follows every file of jux's code", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-code-'));
    fs.mkdirSync(path.join(dir, 'graph'));
    fs.writeFileSync(path.join(dir, 'graph', 'a.js'), 'one');
    const first = codeKeyOf(dir);
    expect(codeKeyOf(dir)).toBe(first);
    fs.utimesSync(path.join(dir, 'graph', 'a.js'), 5000, 5000); // rebuilt, same text
    const touched = codeKeyOf(dir);
    expect(touched).not.toBe(first);
    fs.writeFileSync(path.join(dir, 'b.js'), 'two'); // a file added
    expect(codeKeyOf(dir)).not.toBe(touched);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a graph of several slices whole, in order, and ignores a torn file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-cache-'));
    const root = path.join(dir, 'spells');
    const cache = path.join(dir, 'cache', 'tree.v8');
    fs.mkdirSync(path.join(root, 'libs'), { recursive: true });
    // 4,500 spells (three slices of the cache file), defined out of name order.
    for (let f = 0; f < 9; f++) {
      let text = '';
      for (let i = 0; i < 500; i++) {
        const n = `s${(i * 9 + f) % 4500}`;
        text += `Spell ${n} ; Version ${n} : 1.${i} ; LooseDepends ${n} : s${(i * 7) % 4500} ;\n`;
      }
      fs.writeFileSync(path.join(root, 'libs', `f${f}.jux`), text);
    }
    const load = () => loadPackageGraph([root], defaultRulesDir(), {}, cache);
    const fresh = await load();
    expect(fresh.cached).toBe(false);
    expect(fresh.graph.spells.size).toBe(4500);
    const hit = await load();
    expect(hit.cached).toBe(true);
    expect([...hit.graph.spells.keys()]).toEqual([...fresh.graph.spells.keys()]);
    expect(hit.graph).toEqual(fresh.graph);
    expect(hit.echoes).toEqual(fresh.echoes);

    // Cut anywhere (a crash while writing, a full disk), the file is no cache.
    const whole = fs.readFileSync(cache);
    for (const at of [3, 100, Math.floor(whole.length / 2), whole.length - 5]) {
      fs.writeFileSync(cache, whole.subarray(0, at));
      const r = await load();
      expect(r.cached).toBe(false);
      expect(r.graph.spells.size).toBe(4500);
    }
  });
});
