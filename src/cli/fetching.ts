/**
 * Fetching a spell's remote sources for the builder and for `jux fetch`:
 * each source is fetched into the source cache (checked against its
 * Sha256) by src/fetch, then the first archive is unpacked into the
 * build's SOURCE_DIR and every source file is placed in its sources folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { archiveFormat, type FetchEvent, type FetchOptions, fetchSource, type SourceRequest, unpackSource } from '../fetch/index.js';
import type { Spell } from '../graph/packageGraph.js';

export function sourceRequests(spell: Spell): SourceRequest[] {
  return spell.sources
    .filter((s) => !(spell.dir && fs.existsSync(path.join(spell.dir, s.file))))
    .map((s) => ({ file: s.file, urls: [...s.urls], sha256: s.sha256, spellDir: spell.dir }));
}

export function fetchOptions(
  config: Config,
  opts: { offline: boolean; strict: boolean; onEvent?: (e: FetchEvent) => void },
): FetchOptions {
  return {
    cacheDir: config.cache,
    mirrors: [...config.mirrors],
    timeoutMs: config.fetchTimeout * 1000,
    retries: config.fetchRetries,
    offline: opts.offline,
    strict: opts.strict,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  };
}

export function sourceFetcher(
  config: Config,
  opts: { offline: boolean; strict: boolean; warn: (s: string) => void },
): (spell: Spell, sourceDir: string, sourcesDir: string) => Promise<void> {
  const fo = fetchOptions(config, {
    ...opts,
    onEvent: (e) => {
      if (e.type === 'noChecksum') opts.warn(`warning: source ${e.file} has no Sha256 checksum`);
      if (e.type === 'checksumMismatch') opts.warn(`warning: ${e.file} from ${e.address}: sha256 ${e.actual}, expected ${e.expected}; set aside as ${e.keptAt}`);
    },
  });
  return async (spell, sourceDir, sourcesDir) => {
    let unpacked = fs.readdirSync(sourceDir).length > 0;
    for (const req of sourceRequests(spell)) {
      const r = await fetchSource(req, fo);
      fs.mkdirSync(sourcesDir, { recursive: true });
      fs.copyFileSync(r.path, path.join(sourcesDir, req.file));
      if (!unpacked && archiveFormat(req.file).kind !== 'file') {
        await unpackSource(r.path, sourceDir);
        unpacked = true;
      }
    }
  };
}
