/**
 * The errors of fetching and unpacking sources. Both are JuxErrors: a
 * source that cannot be had fails its package (status 1); a malformed
 * request (a file name with a folder in it, a checksum that is not 64 hex
 * digits) is bad input (status 2).
 */
import { JuxError } from '../errors.js';
import type { FetchAttempt } from './types.js';

export type FetchErrorKind =
  /** Every address was tried; `attempts` says what went wrong with each. */
  | 'exhausted'
  /** The source has no address at all (no Url, no usable mirror). */
  | 'noAddress'
  /** Offline and not in the cache. */
  | 'offline'
  /** No checksum, in strict mode. */
  | 'noChecksum'
  /** A malformed request. */
  | 'invalid'
  /** The cache could not be written or read. */
  | 'io';

export class FetchError extends JuxError {
  override readonly name = 'FetchError';
  constructor(
    message: string,
    readonly file: string,
    readonly kind: FetchErrorKind,
    readonly attempts: readonly FetchAttempt[] = [],
  ) {
    super(message, null, kind === 'invalid' ? 2 : 1, attempts.map((a) => `${a.address}: ${a.problem}`));
  }
}

export class UnpackError extends JuxError {
  override readonly name = 'UnpackError';
  constructor(
    message: string,
    readonly archive: string,
    /** The offending entry, when one is to blame. */
    readonly entry: string | null = null,
  ) {
    super(message, null, 1);
  }
}
