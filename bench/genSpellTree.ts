/**
 * Generates a random spell tree with the shape of the real converted
 * grimoire: spell folders SECTION/NAME/NAME.jux (about 78 spells a section),
 * about 7.4 statements and 400 bytes a spell, and dependency counts drawn
 * from the real tree's distribution (mean about 4.8, a long tail). Every
 * dependency names a lower-numbered spell, so the graph is acyclic; low
 * numbers are picked more often, as popular libraries are in a real tree.
 * The same seed gives the same tree.
 *
 * With `buildScript`, spells have no sources (nothing to fetch) and each
 * folder holds one executable BUILD script running `true` — a spell with
 * some scripts runs only those phases (docs/building.md), so a build of the
 * tree runs exactly one `true` per package.
 */
import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../src/util/random.js';

export interface GenOptions {
  readonly seed?: number;
  /** No Source/Url/Sha256; a BUILD script `true` in every spell folder. */
  readonly buildScript?: boolean;
}

export interface GenStats {
  readonly spells: number;
  readonly sections: number;
  readonly statements: number;
  readonly bytes: number;
  /** Dependency edges (names in *Depends statements). */
  readonly edges: number;
}


/** The real tree's dependency counts per spell: [low, high, how many spells]. */
const DEGREES: readonly [number, number, number][] = [
  [0, 0, 939], [1, 1, 2373], [2, 2, 1575], [3, 3, 1044], [4, 4, 701], [5, 5, 481], [6, 6, 389],
  [7, 7, 288], [8, 8, 206], [9, 9, 181], [10, 10, 152], [11, 15, 507], [16, 20, 266], [21, 30, 239],
  [31, 60, 151],
];
const DEGREE_TOTAL = DEGREES.reduce((s, d) => s + d[2], 0);

function degree(r: () => number): number {
  let x = r() * DEGREE_TOTAL;
  for (const [lo, hi, w] of DEGREES) {
    if (x < w) return lo + Math.floor(r() * (hi - lo + 1));
    x -= w;
  }
  return 0;
}

const SYLLABLES = ['lib', 'gtk', 'x', 'py', 'perl', 'font', 'gnome', 'kde', 'qt', 'net', 'audio', 'tool', 'ssl', 'xml',
  'mail', 'db', 'gl', 'media', 'sys', 'util', 'core', 'dev', 'text', 'wm'];
const WORDS = ['a', 'library', 'for', 'the', 'fast', 'small', 'tool', 'to', 'read', 'write', 'and', 'convert', 'files',
  'network', 'graphical', 'editor', 'of', 'images', 'audio', 'with', 'support', 'plugins', 'simple', 'modern'];
const LICENSES = ['GPL', 'LGPL', 'BSD', 'MIT', 'GPL-2', 'GPL-3', 'Apache-2.0', 'Artistic'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function statement(rule: string, lists: string[]): string {
  return `${rule.padEnd(12)} ${lists.join(' : ')} ;\n`;
}

/** Write the tree under `dir` (created; must not hold another tree). */
export function generateSpellTree(dir: string, n: number, opts: GenOptions = {}): GenStats {
  const r = seededRandom(opts.seed ?? 7);
  const sectionCount = Math.max(1, Math.round(n / 78));
  const sections = Array.from({ length: sectionCount }, (_, k) => `${pick(r, SYLLABLES)}-${k}`);
  const names: string[] = [];
  let statements = 0;
  let bytes = 0;
  let edges = 0;
  const made = new Set<string>();
  const build = '#!/bin/sh\ntrue\n';
  for (let i = 0; i < n; i++) {
    const name = `${pick(r, SYLLABLES)}${pick(r, SYLLABLES)}${i}`;
    names.push(name);
    const major = r() < 0.3 ? 0 : 1 + Math.floor(r() * 5);
    const version = `${major}.${Math.floor(r() * 20)}.${Math.floor(r() * 10)}`;
    const words = Array.from({ length: 3 + Math.floor(r() * 7) }, () => pick(r, WORDS)).join(' ');
    const out: string[] = [];
    out.push(statement('Spell', [name]));
    out.push(statement('Version', [name, version]));
    out.push(statement('Description', [name, `"${words}"`]));
    if (r() < 0.6) out.push(statement('License', [name, pick(r, LICENSES)]));
    if (!opts.buildScript && r() < 0.9) {
      const file = `${name}-${version}.tar.${r() < 0.5 ? 'gz' : 'xz'}`;
      out.push(statement('Source', [name, file]));
      if (r() < 0.95) out.push(statement('Url', [file, `https://example.org/src/${file}`]));
      if (r() < 0.7) {
        let hex = '';
        for (let h = 0; h < 8; h++) hex += Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0');
        out.push(statement('Sha256', [file, hex]));
      }
    }
    const k = Math.min(degree(r), i);
    const deps = new Set<number>();
    while (deps.size < k) deps.add(Math.floor(i * r() * r()));
    const kinds: Record<'LooseDepends' | 'BuildDepends' | 'TightDepends', string[]> = {
      LooseDepends: [],
      BuildDepends: [],
      TightDepends: [],
    };
    for (const d of deps) {
      const x = r();
      kinds[x < 0.75 ? 'LooseDepends' : x < 0.95 ? 'BuildDepends' : 'TightDepends'].push(names[d]!);
    }
    for (const [rule, list] of Object.entries(kinds)) {
      if (list.length) out.push(statement(rule, [name, list.join(' ')]));
    }
    edges += k;
    statements += out.length;
    const text = out.join('');
    bytes += text.length;
    const folder = path.join(dir, sections[Math.floor(r() * sectionCount)]!, name);
    const parent = path.dirname(folder);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, `${name}.jux`), text);
    if (opts.buildScript) fs.writeFileSync(path.join(folder, 'BUILD'), build, { mode: 0o755 });
  }
  return { spells: n, sections: made.size, statements, bytes, edges };
}
