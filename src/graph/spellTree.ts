/**
 * Loading a spell tree: every `*.jux` file under the spell roots, in a
 * deterministic order, evaluated by one interpreter in spell mode after the
 * vocabulary in rules/. The result is the list of facts each file recorded
 * and every diagnostic (syntax errors, unknown rules, wrong argument
 * counts), so that one run reports all of them.
 *
 * A whole-tree cache (treeCache.ts) skips evaluation entirely when no
 * file changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SourcePos } from '../events.js';
import { fsPath } from './disk.js';
import type { Fact } from './spellFacts.js';

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Where: for a finding about a statement, the statement's first word. */
  readonly at: SourcePos | null;
  /**
   * The word of the statement at `at` the finding is about (a dependency,
   * a checksum, ...) and, when known, which `:`-separated argument holds
   * it (0 = the first): `jux check` points at that word, not at the
   * statement (lint/position.ts).
   */
  readonly word?: { readonly text: string; readonly arg?: number };
}

/** A spell file found under a root. */
export interface TreeFile {
  /** Absolute path (a byte string). */
  readonly path: string;
  /** Index of its root in the configured list. */
  readonly root: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface LoadedTree {
  readonly roots: readonly string[];
  readonly files: readonly TreeFile[];
  /** Facts in evaluation order. */
  readonly facts: readonly Fact[];
  readonly diagnostics: readonly Diagnostic[];
  /** Lines of Echo output produced while loading (shown to the user). */
  readonly echoes: readonly string[];
}


/** The rules/ files shipped with jux (the vocabulary), in order. */
export function vocabularyFiles(rulesDir: string): string[] {
  try {
    return fs
      .readdirSync(rulesDir)
      .filter((f) => f.endsWith('.jux'))
      .sort()
      .map((f) => path.join(rulesDir, f));
  } catch {
    return [];
  }
}

/** Evaluate the tree. */
export async function evaluateTree(
  roots: readonly string[],
  files: readonly TreeFile[],
  rulesDir: string,
): Promise<LoadedTree> {
  const { SpellEvaluator } = await import('./spellEvaluator.js');
  const evaluator = await SpellEvaluator.create(rulesDir);
  const parts = [evaluator.vocabulary, ...(await evaluator.evaluateAll(files.map((f) => f.path), files.map((f) => f.size)))];
  return {
    roots,
    files,
    facts: parts.flatMap((p) => p.facts),
    diagnostics: parts.flatMap((p) => p.diagnostics),
    echoes: parts.flatMap((p) => p.echoes),
  };
}

/** True when the path exists and is a directory. */
export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(fsPath(p)).isDirectory();
  } catch {
    return false;
  }
}
