/**
 * Errors that end a jux command with a clear message: bad input (a spell,
 * a state file, the configuration, the command line) exits with status 2.
 * They carry the position of the fault when there is one.
 */
import type { SourcePos } from './events.js';

export class JuxError extends Error {
  constructor(
    message: string,
    readonly at: SourcePos | null = null,
    readonly status = 2,
    /** Further lines (several findings, hints). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }

  /** "FILE:LINE:COL: message" (or just the message). */
  describe(): string {
    const a = this.at;
    const where = a ? (a.line ? `${a.file}:${a.line}${a.col ? `:${a.col}` : ''}: ` : `${a.file}: `) : '';
    return `${where}${this.message}`;
  }
}
