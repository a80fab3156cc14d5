/**
 * Diagnostics as maintainers read them:
 *
 *   spells/libs/foo.jux:3:9: error: Version takes 2 arguments ...
 *     Version foo 1.2 ;
 *           ^
 */
import fs from 'node:fs';
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

export function formatDiagnostic(d: Diagnostic, opts: { source?: boolean } = {}): string {
  const sev = d.severity === 'error' ? paint.red('error') : paint.yellow('warning');
  if (!d.at || !d.at.file) return `${sev}: ${d.message}`;
  const file = fromBytes(d.at.file);
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
