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
import type { JamEvent, JamReporter, SourcePos } from '../events.js';
import { fsPath, NodeDisk } from './disk.js';
import { type Fact, installSpellBuiltins } from './spellFacts.js';
import { Timestamps } from './timestamps.js';
import { toBytes } from '../util/bytes.js';

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
  // The front end is loaded only when something must really be evaluated.
  const { Interpreter, JamExit, JamLimitError } = await import('../interpreter/interpreter.js');
  const facts: Fact[] = [];
  const diagnostics: Diagnostic[] = [];
  const echoes: string[] = [];
  const reporter: JamReporter = {
    emit(e: JamEvent): void {
      switch (e.type) {
        case 'diagnostic':
          diagnostics.push({ severity: e.severity, message: e.message, at: e.at });
          break;
        case 'syntaxError':
          if (e.diagnostic) {
            const d = e.diagnostic;
            diagnostics.push({ severity: 'error', message: d.message, at: { file: d.file, line: d.line, col: d.col } });
          }
          break;
        case 'unknownRule':
          diagnostics.push({ severity: 'error', message: `unknown rule ${e.name}`, at: e.at });
          break;
        case 'fileError':
          diagnostics.push({ severity: 'error', message: `cannot read: ${e.reason}`, at: { file: e.path, line: 0, col: 0 } });
          break;
        case 'regexpError':
          diagnostics.push({ severity: 'error', message: `bad regular expression: ${e.message}`, at: null });
          break;
        case 'echo':
          echoes.push(e.words.join(' '));
          break;
        case 'limitExceeded':
          diagnostics.push({ severity: 'error', message: e.message, at: e.at });
          break;
        default:
          break;
      }
    },
  };
  const disk = new NodeDisk();
  const interp = new Interpreter({ reporter, disk, timestamps: new Timestamps(disk), mode: 'jux', maxDepth: 1000 });
  installSpellBuiltins(interp, { fact: (f) => facts.push(f) });
  const run = (file: string): void => {
    try {
      interp.parseFile(file);
    } catch (e) {
      if (e instanceof JamExit) {
        diagnostics.push({ severity: 'error', message: 'Exit called while loading spells', at: interp.statementSite() });
      } else if (e instanceof JamLimitError) {
        diagnostics.push({ severity: 'error', message: e.message, at: e.at });
      } else throw e;
    }
  };
  for (const f of vocabularyFiles(rulesDir)) run(toBytes(f));
  for (const f of files) run(toBytes(f.path));
  return { roots, files, facts, diagnostics, echoes };
}

/** True when the path exists and is a directory. */
export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(fsPath(p)).isDirectory();
  } catch {
    return false;
  }
}
