/**
 * Fetching a spell's sources into the source cache (see cache.ts for the
 * layout): the cache first, then each address in turn (the source's own,
 * then the mirrors), with retries of transient failures, resumption of
 * partial downloads, and a checksum check before anything is kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import PQueue from 'p-queue';
import { candidateAddresses, classifyAddress } from './addresses.js';
import { cacheKey, cachePath, checkFileName, exists, lockCacheFile, normalizeSha256, rejectFile, sha256File } from './cache.js';
import { FetchError } from './errors.js';
import { copyLocal, httpDownload, LocalWriteError, TransferFailure } from './transfer.js';
import type { FetchAttempt, FetchEvent, FetchOptions, FetchResult, SourceRequest } from './types.js';

const DEFAULT_RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Where a request's source lives in the cache, relative to CACHE/sources
 * (`sha256/<hex>/<file>` or `by-name/<file>`): the key of fetchAll's results.
 */
export function sourceKey(req: SourceRequest): string {
  return cacheKey(req.file, req.sha256 === null ? null : req.sha256.trim().toLowerCase());
}

/** Get one source into the cache (or find it there); throws a FetchError. */
export async function fetchSource(req: SourceRequest, opts: FetchOptions): Promise<FetchResult> {
  checkFileName(req.file);
  const sha = normalizeSha256(req.file, req.sha256);
  const emit = opts.onEvent ?? ((): void => {});
  if (sha === null) {
    if (opts.strict) {
      throw new FetchError(`${req.file} has no Sha256 checksum, and unverified sources are refused (strict)`, req.file, 'noChecksum');
    }
    emit({ type: 'noChecksum', file: req.file });
  }
  const target = cachePath(opts.cacheDir, req.file, sha);
  return serialized(target, async () => {
    try {
      // A cached file only ever appears by a rename, so it is read without the lock.
      const hit = await fromCache(req.file, sha, target, opts.cacheDir, emit);
      if (hit) return hit;
      if (opts.offline) return await fetchInto(req, sha, target, opts, emit);
      const release = await lockCacheFile(target, (pid) => emit({ type: 'waiting', file: req.file, pid }));
      try {
        return await fetchInto(req, sha, target, opts, emit);
      } finally {
        release();
      }
    } catch (e) {
      if (e instanceof FetchError) throw e;
      if (e instanceof LocalWriteError) throw new FetchError(e.message, req.file, 'io');
      throw new FetchError(`${req.file}: ${(e as Error).message}`, req.file, 'io');
    }
  });
}

/**
 * Fetch many sources, `jobs` at a time, going on past failures. Results are
 * keyed by sourceKey(); requests for the same source are fetched once (a
 * second request's addresses are tried only when the first one's failed).
 */
export async function fetchAll(
  reqs: readonly SourceRequest[],
  opts: FetchOptions & { jobs: number },
): Promise<{ results: Map<string, FetchResult>; errors: FetchError[] }> {
  const groups = new Map<string, SourceRequest[]>();
  for (const r of reqs) {
    const key = sourceKey(r);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const entries = [...groups];
  const outcomes: Array<FetchResult | FetchError[]> = new Array(entries.length);
  const queue = new PQueue({ concurrency: Math.max(1, Math.floor(opts.jobs) || 1) });
  entries.forEach(([, group], i) => {
    void queue.add(async () => {
      const errs: FetchError[] = [];
      for (const r of group) {
        try {
          outcomes[i] = await fetchSource(r, opts);
          return;
        } catch (e) {
          const fe = e instanceof FetchError ? e : new FetchError(`${r.file}: ${(e as Error).message}`, r.file, 'io');
          if (!errs.some((x) => x.message === fe.message)) errs.push(fe);
        }
      }
      outcomes[i] = errs;
    });
  });
  await queue.onIdle();
  const results = new Map<string, FetchResult>();
  const errors: FetchError[] = [];
  entries.forEach(([key], i) => {
    const o = outcomes[i];
    if (o === undefined) return;
    if (Array.isArray(o)) errors.push(...o);
    else results.set(key, o);
  });
  return { results, errors };
}

// ---------------------------------------------------------------------------

type Emit = (e: FetchEvent) => void;

/** One fetch per cache file at a time within this process. */
const inFlight = new Map<string, Promise<unknown>>();

async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = inFlight.get(key) ?? Promise.resolve();
  const run = before.then(fn);
  const tail = run.catch(() => undefined);
  inFlight.set(key, tail);
  try {
    return await run;
  } finally {
    if (inFlight.get(key) === tail) inFlight.delete(key);
  }
}

async function fetchInto(req: SourceRequest, sha: string | null, target: string, opts: FetchOptions, emit: Emit): Promise<FetchResult> {
  const file = req.file;
  // (Again: another jux may have fetched it while this one waited for the lock.)
  const hit = await fromCache(file, sha, target, opts.cacheDir, emit);
  if (hit) return hit;

  const addresses = candidateAddresses(req.urls, opts.mirrors, file, sha);
  if (opts.offline) {
    const from = addresses.length > 0 ? `it would be fetched from ${addresses.join(', ')}` : 'it has no address to fetch it from';
    throw new FetchError(`${file} is missing from the source cache (${target}) and jux is offline; ${from}`, file, 'offline');
  }
  if (addresses.length === 0) {
    const shaMirrors = sha === null && opts.mirrors.some((m) => m.includes('{sha256}'));
    throw new FetchError(
      `${file} has no address to fetch it from (no Url${shaMirrors ? '; the {sha256} mirrors need a checksum' : ''})`,
      file,
      'noAddress',
    );
  }

  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const attempts: FetchAttempt[] = [];
  for (const address of addresses) {
    const r = await tryAddress(req, sha, address, target, opts, emit);
    if ('result' in r) return r.result;
    attempts.push({ address, problem: r.problem });
    emit({ type: 'addressFailed', file, address, reason: r.problem });
  }
  const list = attempts.map((a) => `${a.address}: ${a.problem}`).join('; ');
  throw new FetchError(`no address gave ${file}${sha !== null ? ' with the expected checksum' : ''}: ${list}`, file, 'exhausted', attempts);
}

/** The cached copy, when there is one and it verifies; a bad one is set aside. */
async function fromCache(file: string, sha: string | null, target: string, cacheDir: string, emit: Emit): Promise<FetchResult | null> {
  if (!(await exists(target))) return null;
  const actual = await sha256File(target);
  if (sha !== null && actual !== sha) {
    const keptAt = await rejectFile(cacheDir, file, target);
    emit({ type: 'checksumMismatch', file, expected: sha, actual, address: 'cache', keptAt });
    return null;
  }
  emit({ type: 'done', file, path: target, from: 'cache', cached: true });
  return { path: target, sha256: actual, from: 'cache', cached: true };
}

/** Bytes of a partial download of `address` that may be resumed. */
async function resumable(part: string, address: string): Promise<number> {
  try {
    const from = await fs.promises.readFile(`${part}.from`, 'utf8');
    if (from !== address) return 0;
    const st = await fs.promises.stat(part);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

async function tryAddress(
  req: SourceRequest,
  sha: string | null,
  address: string,
  target: string,
  opts: FetchOptions,
  emit: Emit,
): Promise<{ result: FetchResult } | { problem: string }> {
  const file = req.file;
  const where = classifyAddress(address, req.spellDir);
  if (where.kind === 'unsupported') return { problem: where.reason };
  const part = `${target}.part`;
  const baseDelay = opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  let refetchedAfterMismatch = false;
  for (let attempt = 1; ; attempt++) {
    const resumeFrom = where.kind === 'http' ? await resumable(part, address) : 0;
    emit({ type: 'attempt', file, address, attempt, resumeFrom });
    // A .part not to be resumed goes first, so it is never taken for this address's.
    if (resumeFrom === 0) await fs.promises.rm(part, { force: true });
    await fs.promises.writeFile(`${part}.from`, address);
    let resumed = false;
    try {
      if (where.kind === 'http') {
        const onProgress = (received: number, total: number | null): void => emit({ type: 'progress', file, address, received, total });
        resumed = (await httpDownload(where.url, part, { timeoutMs: opts.timeoutMs, resumeFrom, onProgress })).resumed;
      } else {
        await copyLocal(where.path, part);
      }
    } catch (e) {
      if (!(e instanceof TransferFailure)) throw e;
      if (e.transient && attempt <= opts.retries) {
        const delayMs = Math.min(baseDelay * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
        emit({ type: 'retry', file, address, attempt: attempt + 1, delayMs, reason: e.message });
        await sleep(delayMs);
        continue;
      }
      return { problem: attempt > 1 ? `${e.message} (tried ${attempt} times)` : e.message };
    }

    const actual = await sha256File(part);
    if (sha !== null && actual !== sha) {
      const keptAt = await rejectFile(opts.cacheDir, file, part);
      await fs.promises.rm(`${part}.from`, { force: true });
      emit({ type: 'checksumMismatch', file, expected: sha, actual, address, keptAt });
      if (resumed && !refetchedAfterMismatch) {
        // The resumed part may be to blame: once more from the start.
        refetchedAfterMismatch = true;
        emit({ type: 'retry', file, address, attempt: attempt + 1, delayMs: 0, reason: 'wrong checksum after resuming; fetching from the start' });
        continue;
      }
      return { problem: `sha256 is ${actual}, expected ${sha}` };
    }
    await fs.promises.rename(part, target);
    await fs.promises.rm(`${part}.from`, { force: true });
    emit({ type: 'done', file, path: target, from: address, cached: false });
    return { result: { path: target, sha256: actual, from: address, cached: false } };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
