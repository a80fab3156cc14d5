/**
 * The read-only commands end to end (plan, why, graph, list, info,
 * search) on the bundled grimoire after a build and a change, their JSON,
 * Graphviz output rendered by the real `dot`, remembered answers that
 * follow changes, and the 400-spell sample grimoire planned from scratch.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Example } from '../helpers/example.js';
import { SHARED } from '../helpers/paths.js';
import { runJux, tempDir } from '../helpers/run.js';

describe('read-only commands', () => {
  const ex = new Example();
  beforeAll(async () => {
    expect((await ex.jux('build')).code).toBe(0);
    ex.edit('libgreet', /Version +libgreet : 1\.0\.0 ;/, 'Version libgreet : 1.0.1 ;');
  });

  it('plan and why give every reason, as text and JSON', async () => {
    const plan = await ex.jux('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toBe(
      '[U] libgreet 1.0.0 → 1.0.1  version 1.0.0 → 1.0.1\n' +
        '[R] greet 1.0.0  tight dependency libgreet rebuilt (1.0.0 → 1.0.1)\n\n' +
        '2 to build: 0 new, 1 updated, 1 rebuilt; 9 up to date\n',
    );
    const json = JSON.parse((await ex.jux('plan', '--json')).stdout) as { entries: { name: string; reasons: { kind: string }[] }[] };
    expect(json.entries.map((e) => [e.name, e.reasons.map((r) => r.kind)])).toEqual([
      ['libgreet', ['version']],
      ['greet', ['tight-rebuilt']],
    ]);
    const why = await ex.jux('why', 'greet');
    expect(why.stdout).toBe('greet: tight dependency libgreet rebuilt (1.0.0 → 1.0.1)\n  libgreet: version 1.0.0 → 1.0.1\n');
    expect((await ex.jux('why', 'banner')).stdout).toBe('banner is up to date: nothing requires a rebuild\n');
    const bad = await ex.jux('why', 'nosuch');
    expect(bad.code).toBe(2);
  });

  it('list, info and search', async () => {
    const list = await ex.jux('list');
    expect(list.stdout).toMatch(/^greet 1\.0\.0  needs a rebuild: tight dependency libgreet rebuilt \(1\.0\.0 → 1\.0\.1\)$/m);
    expect(list.stdout).toMatch(/^libgreet 1\.0\.0  → 1\.0\.1 available$/m);
    expect(list.stdout).toMatch(/^banner 2\.0\.1$/m);
    const rows = JSON.parse((await ex.jux('list', '--json')).stdout) as { name: string; status: string }[];
    expect(rows).toHaveLength(11);
    expect(rows.find((r) => r.name === 'banner')!.status).toBe('current');

    const info = await ex.jux('info', 'libcolor');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^libcolor\n  version +1\.2\.0 +\(ABI 1\.2\)$/m);
    expect(info.stdout).toMatch(/^ +installed +1\.2\.0, built /m);
    // A capability: who provides it, which one jux.yaml chooses, which is installed.
    const cap = await ex.jux('info', 'CALC');
    expect(cap.code).toBe(0);
    expect(cap.stdout).toBe('CALC: a capability, provided by bigcalc, minicalc\n  jux.yaml chooses minicalc\n  installed    minicalc\n  (jux info SPELL for a provider)\n');

    const missing = await ex.jux('info', 'nosuch');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('jux: no spell named nosuch, and nothing of that name is installed\n');

    const search = await ex.jux('search', 'colour');
    const names = [...search.stdout.matchAll(/^(\S+) \d/gm)].map((m) => m[1]);
    expect(names).toEqual(['banner', 'gencolors', 'greet', 'libcolor']);
  });

  it('graph as text, JSON, and Graphviz that dot renders', async () => {
    const text = await ex.jux('graph', 'greet');
    expect(text.stdout).toMatch(/^greet -> libgreet \(tight\), greet-data \(runtime\), libcolor \(optional\)$/m);
    const g = JSON.parse((await ex.jux('graph', '--json')).stdout) as { nodes: { name: string }[] };
    expect(g.nodes).toHaveLength(12);
    const dot = await ex.jux('graph', '--dot');
    expect(dot.stdout).toMatch(/^digraph jux \{/);
    const svg = execFileSync('dot', ['-Tsvg'], { input: dot.stdout, encoding: 'utf8' });
    expect(svg).toMatch(/<svg/);
    for (const n of ['libgreet', 'greet', 'minicalc']) expect(svg).toContain(`<title>${n}</title>`);
    // Each box: the name, and the version on a line of its own.
    const greetBox = svg.slice(svg.indexOf('<title>greet</title>'), svg.indexOf('</g>', svg.indexOf('<title>greet</title>')));
    expect([...greetBox.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['greet', '1.0.0']);
  });

  it('remembered answers follow a change', async () => {
    const first = await ex.jux('plan');
    const again = await ex.jux('plan');
    expect(again.stdout).toBe(first.stdout);
    ex.edit('hello', /Version +hello : 1\.0\.0 ;/, 'Version hello : 1.0.1 ;');
    const after = await ex.jux('plan');
    expect(after.stdout).toMatch(/^\[U\] hello 1\.0\.0 → 1\.0\.1 /m);
    ex.edit('hello', /Version hello : 1\.0\.1 ;/, 'Version     hello : 1.0.0 ;');
    expect((await ex.jux('plan')).stdout).toBe(first.stdout);
  });

  it('remembered answers follow a spell rewritten at the same size and time stamp (a coarse clock)', async () => {
    const file = ex.spellFile('hello');
    // The same stamp for both versions, as a clock that ticks once a second
    // would give them; a minute ahead, so that it is recent however slowly
    // this test runs (see util/racy.ts).
    const tick = Math.floor(Date.now() / 1000) + 60;
    const stamp = (): void => fs.utimesSync(file, tick, tick);
    const original = fs.readFileSync(file, 'utf8');
    // Everything else written an hour ago: only this spell is checked by content.
    const hourAgo = Date.now() / 1000 - 3600;
    for (const f of fs.readdirSync(ex.dir, { recursive: true, encoding: 'utf8' })) {
      if (fs.lstatSync(ex.path(f)).isFile()) fs.utimesSync(ex.path(f), hourAgo, hourAgo);
    }
    stamp();
    const first = await ex.jux('plan');
    expect(first.stdout).not.toMatch(/ hello /);
    expect((await ex.jux('plan')).stdout).toBe(first.stdout);
    ex.edit('hello', /(?<at>Version +hello : )1\.0\.0 ;/, '$<at>1.0.1 ;');
    expect(fs.readFileSync(file).length).toBe(Buffer.byteLength(original));
    stamp();
    expect((await ex.jux('plan')).stdout).toMatch(/^\[U\] hello 1\.0\.0 → 1\.0\.1 /m);
    fs.writeFileSync(file, original);
    stamp();
    expect((await ex.jux('plan')).stdout).toBe(first.stdout);
  });

  it('remembered answers follow a change of jux.yaml, with or without global options', async () => {
    const first = await ex.jux('plan');
    expect(first.code).toBe(0);
    expect((await ex.jux('plan')).stdout).toBe(first.stdout);
    // Global options take the command line parser's way; the same answer.
    expect((await ex.jux('--plain', 'plan')).stdout).toBe(first.stdout);
    expect((await ex.jux('--spell-root', 'spells', 'plan')).stdout).toBe(first.stdout);
    const yaml = ex.read('jux.yaml');
    fs.writeFileSync(ex.path('jux.yaml'), yaml.replace('CALC: minicalc', 'CALC: bigcalc'));
    const switched = await ex.jux('plan');
    expect(switched.code).toBe(0);
    expect(switched.stdout).toMatch(/^\[N\] bigcalc /m);
    expect(switched.stdout).not.toBe(first.stdout);
    expect((await ex.jux('plan')).stdout).toBe(switched.stdout);
    fs.writeFileSync(ex.path('jux.yaml'), yaml);
    expect((await ex.jux('plan')).stdout).toBe(first.stdout);
    // A bad setting is reported the same way however often it is asked.
    fs.writeFileSync(ex.path('jux.yaml'), yaml + 'bogus: 1\n');
    for (let i = 0; i < 2; i++) {
      const bad = await ex.jux('plan');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/jux\.yaml:\d+:1: unknown setting bogus /);
    }
    fs.writeFileSync(ex.path('jux.yaml'), yaml);
  });
});

describe('the 400-spell sample grimoire', () => {
  it('loads, plans from scratch and renders with dot', { timeout: 320_000 }, async () => {
    const dir = tempDir('jux-sample-');
    const root = path.join(SHARED, 'data', 'grimoire-sample');
    const plan = await runJux(['--spell-root', root, 'plan', '--json'], { cwd: dir });
    expect(plan.code, plan.stderr.slice(0, 2000)).toBe(0);
    const p = JSON.parse(plan.stdout) as { entries: { name: string; action: string }[]; unbuildable: { name: string }[] };
    const spells = fs.readdirSync(root).flatMap((s) => fs.readdirSync(path.join(root, s)));
    // Every spell is either planned, left out as an unselected provider, or unbuildable with a reason.
    expect(p.entries.length + p.unbuildable.length).toBeLessThanOrEqual(spells.length);
    expect(p.entries.length).toBeGreaterThan(100);
    expect(p.entries.every((e) => e.action === 'new')).toBe(true);
    // The whole tree rendered by dot (its layered layout of 400 spells takes
    // tens of seconds); curl and what it needs, checked node by node.
    const all = await runJux(['--spell-root', root, 'graph', '--dot'], { cwd: dir });
    expect(all.code).toBe(0);
    const r = spawnSync('dot', ['-Tsvg', '-o', path.join(dir, 'all.svg')], { input: all.stdout, timeout: 300_000 });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(fs.statSync(path.join(dir, 'all.svg')).size).toBeGreaterThan(100_000);
    const curl = await runJux(['--spell-root', root, 'graph', '--dot', 'curl'], { cwd: dir });
    const svg = execFileSync('dot', ['-Tsvg'], { input: curl.stdout, encoding: 'utf8' });
    expect(svg).toContain('<title>curl</title>');
    expect(svg).toContain('<title>zlib</title>');
  });
});
