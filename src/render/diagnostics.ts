/**
 * Diagnostics as maintainers read them:
 *
 *   spells/libs/foo.jux:3:9: error: Version takes 2 arguments ...
 *     Version foo 1.2 ;
 *           ^
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../graph/spellTree.js';
import { fsPath } from '../graph/disk.js';
import { fromBytes } from '../util/bytes.js';
import { paint } from './style.js';

const sourceCache = new Map<string, string[] | null>();

function sourceLine(file: string, line: number): string | null {
  let lines = sourceCache.get(file);
  if (lines === undefined) {
    try {
      // Byte strings, as the engine reads spells: columns count bytes.
      lines = fs.readFileSync(fsPath(file)).toString('latin1').split('\n');
    } catch {
      lines = null;
    }
    sourceCache.set(file, lines);
  }
  return lines?.[line - 1] ?? null;
}

/** Forget the source lines read so far (files changed: jux watch). */
export function forgetSources(): void {
  sourceCache.clear();
}

/**
 * A file's path as a finding names it: relative to `cwd` when it is under
 * it (as compilers print them), else as it is.
 */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel) ? rel : file;
}

/**
 * `FILE:LINE:COL: severity: message`, with the source line and a caret
 * unless `source` is false; FILE relative to `cwd` when given and under it.
 */
export function formatDiagnostic(d: Diagnostic, opts: { source?: boolean; cwd?: string } = {}): string {
  const sev = d.severity === 'error' ? paint.red('error') : paint.yellow('warning');
  if (!d.at || !d.at.file) return `${sev}: ${d.message}`;
  const file = opts.cwd !== undefined ? displayPath(fromBytes(d.at.file), opts.cwd) : fromBytes(d.at.file);
  if (!d.at.line) return `${file}: ${sev}: ${d.message}`;
  let out = `${file}:${d.at.line}:${d.at.col}: ${sev}: ${d.message}`;
  if (opts.source !== false) {
    const bytes = sourceLine(d.at.file, d.at.line);
    if (bytes !== null) {
      const col = Math.max(1, d.at.col);
      const text = fromBytes(bytes).replace(/\r$/, '');
      const pad = fromBytes(bytes.slice(0, col - 1)).replace(/[^\t]/g, ' ');
      out += `\n  ${text}\n  ${pad}${paint.green('^')}`;
    }
  }
  return out;
}

export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity,
    message: d.message,
    file: d.at?.file ? fromBytes(d.at.file) : null,
    line: d.at?.line ?? null,
    col: d.at?.col ?? null,
  };
}
