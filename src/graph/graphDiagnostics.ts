/**
 * The package graph's own findings about spell facts (beside the load's
 * syntax and evaluation errors): a spell declared twice in one root, an
 * attribute given for a name no spell declares, a Url or Sha256 for a file
 * no spell's Source names.
 *
 * Each finding is about one fact and depends only on that fact and a few
 * questions about the whole tree (the context), so the same function serves
 * the full build (all facts at once) and the live tree of `jux watch` (one
 * file's facts at a time, kept until a change could alter them).
 */
import path from 'node:path';
import type { SourcePos } from '../events.js';
import { fromBytes, toBytes } from '../util/bytes.js';
import type { Fact } from './spellFacts.js';
import type { Diagnostic } from './spellTree.js';

export type SpellFact = Fact & { readonly op: 'spell' };

export interface DiagnosticContext {
  readonly roots: readonly string[];
  /** Index of the root a spell file is in, -1 when none. */
  rootOf(file: string): number;
  /** The first declaration of `name` in root `root`, in load order. */
  firstDeclaration(name: string, root: number): SpellFact | undefined;
  /** The root whose declaration of `name` wins (the last), undefined when no spell declares it. */
  winner(name: string): number | undefined;
  /** Some spell's Source names this file. */
  isSourceNamed(file: string): boolean;
  /** An error the load reported is at this statement. */
  isReported(at: SourcePos): boolean;
  /** A Url or Sha256 fact for `target` from root `root` comes before the facts given. */
  sourceFactBefore(root: number, target: string): boolean;
}

/** Findings by kind, each in the order of the facts (the full list is twice, undeclared, unnamed). */
export interface FactDiagnostics {
  readonly twice: readonly Diagnostic[];
  readonly undeclared: readonly Diagnostic[];
  readonly unnamed: readonly Diagnostic[];
}

export const NO_DIAGNOSTICS: FactDiagnostics = { twice: [], undeclared: [], unnamed: [] };

export function posKey(at: SourcePos): string {
  return `${at.file}\0${at.line}\0${at.col}`;
}

/** The longest root (as a byte-string prefix) holding each file, remembered. */
export function rootFinder(roots: readonly string[]): (file: string) => number {
  const prefixes = roots.map((r) => toBytes(r.endsWith('/') ? r : r + '/'));
  const cache = new Map<string, number>();
  return (file: string): number => {
    const known = cache.get(file);
    if (known !== undefined) return known;
    let best = -1;
    let len = -1;
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      if (p.length > len && file.startsWith(p)) {
        best = i;
        len = p.length;
      }
    }
    cache.set(file, best);
    return best;
  };
}

export function factDiagnostics(facts: readonly Fact[], ctx: DiagnosticContext): FactDiagnostics {
  let twice: Diagnostic[] | null = null;
  let undeclared: Diagnostic[] | null = null;
  let unnamed: Diagnostic[] | null = null;
  let seenSources: Set<string> | null = null;
  for (const f of facts) {
    if (f.op === 'spell') {
      const r = ctx.rootOf(f.at.file);
      if (r < 0) continue;
      const first = ctx.firstDeclaration(f.name, r);
      if (first === undefined || first === f) continue;
      (twice ??= []).push({
        severity: 'error',
        // The first file named within the root the message names.
        message: `spell ${f.name} is defined twice in ${ctx.roots[r]} (first at ${path.relative(ctx.roots[r]!, fromBytes(first.at.file))}:${first.at.line})`,
        at: f.at,
        word: { text: f.name, arg: 0 },
      });
    } else if (f.op === 'set' || f.op === 'add') {
      const r = ctx.rootOf(f.at.file);
      const w = ctx.winner(f.target);
      if (w !== undefined && w === r) continue; // describes the spell
      if (f.key === 'urls' || f.key === 'sha256') {
        // Reported once per (root, file), at the first such statement.
        const k = `${r}\0${f.target}`;
        if (seenSources?.has(k)) continue;
        (seenSources ??= new Set()).add(k);
        if (ctx.sourceFactBefore(r, f.target) || ctx.isSourceNamed(f.target)) continue;
        (unnamed ??= []).push({
          severity: 'warning',
          message: `${f.key === 'urls' ? 'Url' : 'Sha256'} given for ${f.target}, which no spell's Source names`,
          at: f.at,
        });
      } else if (w === undefined && !ctx.isReported(f.at)) {
        (undeclared ??= []).push({
          severity: 'warning',
          message: `${f.key} given for ${f.target}, which no spell declares`,
          at: f.at,
          word: { text: f.target, arg: 0 },
        });
      }
    }
  }
  if (twice === null && undeclared === null && unnamed === null) return NO_DIAGNOSTICS;
  return { twice: twice ?? [], undeclared: undeclared ?? [], unnamed: unnamed ?? [] };
}
