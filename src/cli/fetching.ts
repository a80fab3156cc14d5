/**
 * Fetching a spell's remote sources for the builder and for `jux fetch`:
 * each source is fetched into the source cache (checked against its
 * Sha256) by src/fetch, then the first archive is unpacked into the
 * build's SOURCE_DIR and every source file is placed in its sources folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import {
  archiveFormat,
  cachePath,
  candidateAddresses,
  type FetchEvent,
  type FetchOptions,
  fetchSource,
  type SourceRequest,
  unpackSource,
} from '../fetch/index.js';
import type { Spell } from '../graph/packageGraph.js';
import { FailedAddresses, fetchNotice } from '../render/fetchEvents.js';

/** The sources jux fetches for a spell: not in its folder; none when it has its own FETCH script. */
export function sourceRequests(spell: Spell): SourceRequest[] {
  if (spell.scripts.fetch) return [];
  return spell.sources
    .filter((s) => !(spell.dir && fs.existsSync(path.join(spell.dir, s.file))))
    .map((s) => ({ file: s.file, urls: [...s.urls], sha256: s.sha256, spellDir: spell.dir }));
}

/**
 * The remote sources of these spells that are not in the source cache, as
 * lines "SPELL: FILE (from ADDRESS...)": what an offline build would miss.
 */
export function missingSources(config: Config, spells: readonly Spell[]): string[] {
  const out: string[] = [];
  for (const spell of spells) {
    for (const req of sourceRequests(spell)) {
      const sha = req.sha256 === null ? null : req.sha256.trim().toLowerCase();
      if (sha !== null && !/^[0-9a-f]{64}$/.test(sha)) continue; // reported when it is fetched
      if (fs.existsSync(cachePath(config.cache, req.file, sha))) continue;
      const from = candidateAddresses(req.urls, mirrors(config), req.file, sha);
      out.push(`${spell.name}: ${req.file}${from.length ? ` (from ${from.join(', ')})` : ' (no address)'}`);
    }
  }
  return out;
}

/**
 * The mirrors of jux.yaml, a relative folder (`mirror`, `file:mirror`)
 * taken from the configuration file's folder like its other paths, not
 * from each spell's.
 */
function mirrors(config: Config): string[] {
  return config.mirrors.map((m) => {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(m)?.[1]?.toLowerCase();
    if (scheme === 'file' && !m.startsWith('file:/')) return path.resolve(config.base, m.slice('file:'.length));
    if (scheme === undefined && !path.isAbsolute(m)) return path.resolve(config.base, m);
    return m;
  });
}

export function fetchOptions(
  config: Config,
  opts: { offline: boolean; strict: boolean; onEvent?: (e: FetchEvent) => void },
): FetchOptions {
  return {
    cacheDir: config.cache,
    mirrors: mirrors(config),
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
  const failed = new FailedAddresses();
  const fo = fetchOptions(config, {
    ...opts,
    onEvent: (e) => {
      const notice = fetchNotice(e);
      if (notice !== null) opts.warn(notice);
      failed.note(e);
      if (e.type === 'done') for (const w of failed.take(e.file)) opts.warn(w);
    },
  });
  return async (spell, sourceDir, sourcesDir) => {
    // A spell with its own UNPACK script unpacks for itself (from SOURCES_DIR).
    let unpacked = Boolean(spell.scripts.unpack) || fs.readdirSync(sourceDir).length > 0;
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
