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

/** An address that failed before another gave the file, told once the file is there. */
export function addressFailure(e: FetchEvent & { type: 'addressFailed' }): string {
  return `${e.address} failed (${e.reason})`;
}

/** The warning for the failures of earlier addresses of a file another address gave. */
export function failedAddressWarning(file: string, failure: string): string {
  return `warning: ${file}: ${failure}`;
}
