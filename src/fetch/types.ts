/**
 * The data of the source fetching layer: what a spell asks for, how to
 * fetch it, what happens on the way (as events: the library never prints)
 * and what comes out.
 */

/** One source file of a spell. */
export interface SourceRequest {
  /** The file name (no folder): the name it has in the cache. */
  file: string;
  /** Its addresses, from the spell's `Url FILE : ADDRESS... ;`, in order. */
  urls: string[];
  /** From `Sha256 FILE : CHECKSUM ;` (hex, any case), or null. */
  sha256: string | null;
  /** The spell's folder, against which relative `file:` addresses resolve. */
  spellDir: string | null;
}

export interface FetchOptions {
  /** jux's CACHE folder; sources go in CACHE/sources. */
  cacheDir: string;
  /**
   * Tried after a source's own addresses, in order. `{file}` and `{sha256}`
   * are replaced; a mirror with neither is a prefix (`MIRROR/FILE`). A
   * `{sha256}` mirror is skipped for a source without a checksum.
   */
  mirrors: string[];
  /** A download that receives no data for this long fails (and is retried). */
  timeoutMs: number;
  /** How many times a transient failure is retried, per address. */
  retries: number;
  /** Use the cache only. */
  offline: boolean;
  /** A source without a checksum is an error rather than a warning. */
  strict: boolean;
  /** The first retry waits this long, each next one twice as long (default 1000 ms). */
  retryDelayMs?: number;
  onEvent?: (e: FetchEvent) => void;
}

/** Everything that happens while fetching, as data; `file` names the source. */
export type FetchEvent =
  /** Trying an address; `resumeFrom` is the size of a partial download being resumed (0: from the start). */
  | { readonly type: 'attempt'; readonly file: string; readonly address: string; readonly attempt: number; readonly resumeFrom: number }
  /** Bytes received so far (including a resumed part) and the full size when known. */
  | { readonly type: 'progress'; readonly file: string; readonly address: string; readonly received: number; readonly total: number | null }
  /** A transient failure; the address is tried again after `delayMs`. */
  | { readonly type: 'retry'; readonly file: string; readonly address: string; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  /** An address failed for good; the next one is tried. */
  | { readonly type: 'addressFailed'; readonly file: string; readonly address: string; readonly reason: string }
  /** A file with the wrong checksum, moved aside to `keptAt` (never used). */
  | {
      readonly type: 'checksumMismatch';
      readonly file: string;
      readonly expected: string;
      readonly actual: string;
      /** Where it came from ('cache' for a cached copy that no longer verifies). */
      readonly address: string;
      readonly keptAt: string;
    }
  /** Another process (pid) is fetching the same source: waiting for it to finish. */
  | { readonly type: 'waiting'; readonly file: string; readonly pid: number }
  /** Warning: the source has no checksum, so it cannot be verified. */
  | { readonly type: 'noChecksum'; readonly file: string }
  | { readonly type: 'done'; readonly file: string; readonly path: string; readonly from: string; readonly cached: boolean };

export interface FetchResult {
  /** The file in the source cache. */
  path: string;
  /** Its sha256 (lower-case hex). */
  sha256: string;
  /** The address it was fetched from, or 'cache'. */
  from: string | 'cache';
  cached: boolean;
}

/** One address tried, and what went wrong with it. */
export interface FetchAttempt {
  readonly address: string;
  readonly problem: string;
}
