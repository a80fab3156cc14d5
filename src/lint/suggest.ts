/**
 * "Did you mean ...?" for an unknown rule: the nearest statement of the
 * spell vocabulary (the rules defined in rules/*.jux), by edit distance.
 */
import fs from 'node:fs';
import { tokenize } from '../../grammar/lexer.js';
import { Rule } from '../../grammar/tokens.js';
import { vocabularyFiles } from '../graph/spellTree.js';

/** Names of the rules the vocabulary files define (`rule NAME ...`). */
export function vocabularyRules(rulesDir: string): string[] {
  const names = new Set<string>();
  for (const f of vocabularyFiles(rulesDir)) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'latin1');
    } catch {
      continue;
    }
    const { tokens } = tokenize(text);
    for (let i = 0; i + 1 < tokens.length; i++) {
      if (tokens[i]!.tokenType === Rule) names.add(tokens[i + 1]!.image);
    }
  }
  return [...names].sort();
}

/** The known name nearest to `name` (a typo such as `Versoin` or `looseDepends`), or null when none is close. */
export function nearest(name: string, known: readonly string[]): string | null {
  const limit = Math.min(2, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    if (k === name) continue;
    const d = k.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, k, limit);
    if (d <= limit && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance counting a swap of neighbours as one edit; anything above `limit` is limit + 1. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}
