/**
 * Generates a Jamfile of N NotFile targets with a realistic fan-out (each
 * target depends on about 4.8 earlier ones, the real grimoire's mean), one
 * `true` action per target, all out of date. Statements are grouped in
 * `{ }` blocks of 1,000 because jam's parser cannot take ~10,000 in one.
 */
import fs from 'node:fs';
import { seededRandom } from '../src/util/random.js';


/** A degree drawn from a skewed distribution with mean about 4.8. */
export function degree(r: () => number): number {
  const x = r();
  if (x < 0.3) return 0;
  if (x < 0.5) return 2;
  if (x < 0.7) return 4;
  if (x < 0.85) return 7;
  if (x < 0.95) return 12;
  return 20;
}

export function generateJamfile(path: string, n: number, seed = 42): void {
  const r = seededRandom(seed);
  const out: string[] = ['actions Build { true }', 'NotFile all ;'];
  let block: string[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<number>();
    const k = Math.min(degree(r), i);
    while (deps.size < k) deps.add(Math.floor(r() * i));
    block.push(`Build t${i} ; NotFile t${i} ; Always t${i} ; Depends all : t${i} ;`);
    if (deps.size) block.push(`Depends t${i} : ${[...deps].map((d) => `t${d}`).join(' ')} ;`);
    if (block.length >= 1000) {
      out.push('{', ...block, '}');
      block = [];
    }
  }
  if (block.length) out.push('{', ...block, '}');
  fs.writeFileSync(path, out.join('\n') + '\n');
}
