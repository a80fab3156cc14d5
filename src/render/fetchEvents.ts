/**
 * What fetching tells the user, the same words for `jux fetch` and for
 * the fetch phase of `jux build` (colours are the caller's).
 */
import type { FetchEvent } from '../fetch/index.js';

/** The warning or notice an event gives on its own; null for the events the caller shows its own way. */
export function fetchNotice(e: FetchEvent): string | null {
  switch (e.type) {
    case 'noChecksum':
      return `warning: source ${e.file} has no Sha256 checksum`;
    case 'checksumMismatch':
      return `warning: ${e.file} from ${e.address} has sha256 ${e.actual}, expected ${e.expected}; set aside as ${e.keptAt}`;
    case 'waiting':
      return `waiting for another jux (pid ${e.pid}) fetching ${e.file}`;
    default:
      return null;
  }
}

/**
 * Addresses that failed before another gave the file: kept until the file
 * is there, then told as warnings (when no address gives it, the failure
 * lists them all anyway).
 */
export class FailedAddresses {
  private readonly byFile = new Map<string, string[]>();

  /** Keep an addressFailed event; other events are ignored. */
  note(e: FetchEvent): void {
    if (e.type !== 'addressFailed') return;
    const l = this.byFile.get(e.file);
    const text = `${e.address} failed (${e.reason})`;
    if (l === undefined) this.byFile.set(e.file, [text]);
    else l.push(text);
  }

  /** The warnings for `file`, which another address gave: each told once. */
  take(file: string): string[] {
    const l = this.byFile.get(file) ?? [];
    this.byFile.delete(file);
    return l.map((f) => `warning: ${file}: ${f}`);
  }
}
