/** The source fetching layer: fetch sources into the cache, unpack them. */
export { expandMirror, candidateAddresses, classifyAddress, type Address } from './addresses.js';
export { cacheKey, cachePath, sourcesDir } from './cache.js';
export { FetchError, type FetchErrorKind, UnpackError } from './errors.js';
export { fetchAll, fetchSource, sourceKey } from './fetcher.js';
export type { FetchAttempt, FetchEvent, FetchOptions, FetchResult, SourceRequest } from './types.js';
export { archiveFormat, type ArchiveFormat, unpackSource } from './unpack.js';
