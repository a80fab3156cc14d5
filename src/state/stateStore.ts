/**
 * The state directory: NAME.state per installed package, NAME.failed per
 * failed build, and NAME.files (file lists, see files.ts) which planning
 * never reads. Writes are atomic (write, fsync, rename).
 *
 * Parsed records are cached (keyed by each file's size and mtime) in the
 * cache directory, so a large installed tree is not re-parsed on every run.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import writeFileAtomic from 'write-file-atomic';
import { JuxError } from '../errors.js';
import { FileBuffer } from '../util/fileBuffer.js';
import {
  type FailureRecord,
  formatFailure,
  FrontEndNeeded,
  formatInstalled,
  type InstalledRecord,
  type ParseFn,
  parseFailure,
  parseInstalled,
} from './stateFile.js';

const CACHE_VERSION = 1;

interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly record: InstalledRecord | FailureRecord;
}

export class StateStore {
  constructor(
    readonly dir: string,
    /** Where to keep the parsed-record cache (null: no cache). */
    private readonly cacheFile: string | null = null,
  ) {}

  statePath(name: string): string {
    return path.join(this.dir, `${name}.state`);
  }
  failurePath(name: string): string {
    return path.join(this.dir, `${name}.failed`);
  }
  filesPath(name: string): string {
    return path.join(this.dir, `${name}.files`);
  }

  /** Every installed record and failure, strictly parsed. */
  async load(): Promise<{ installed: Map<string, InstalledRecord>; failures: Map<string, FailureRecord> }> {
    const installed = new Map<string, InstalledRecord>();
    const failures = new Map<string, FailureRecord>();
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return { installed, failures };
    }
    const cache = this.readCache();
    const fresh = new Map<string, CacheEntry>();
    let parse: ParseFn | null = null;
    let parsed = false;
    const files = new FileBuffer();
    const getParse = async (): Promise<ParseFn> => {
      parse ??= (await import('../interpreter/interpreter.js')).parseSpell as ParseFn;
      return parse;
    };
    for (const file of names.sort()) {
      const isState = file.endsWith('.state');
      const isFailure = file.endsWith('.failed');
      if (!isState && !isFailure) continue;
      const name = file.slice(0, file.lastIndexOf('.'));
      const p = path.join(this.dir, file);
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch {
        continue;
      }
      const hit = cache.get(file);
      let record: InstalledRecord | FailureRecord;
      if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) record = hit.record;
      else {
        const text = files.read(p, st.size);
        const read = (fn: ParseFn | null): InstalledRecord | FailureRecord =>
          isState ? parseInstalled(p, name, text, fn) : parseFailure(p, name, text, fn);
        parsed = true;
        try {
          // Files as jux writes them need no front end (stateReader.ts).
          record = read(parse);
        } catch (e) {
          if (!(e instanceof FrontEndNeeded)) throw e;
          record = read(await getParse());
        }
      }
      fresh.set(file, { size: st.size, mtimeMs: st.mtimeMs, record });
      if (isState) installed.set(name, record as InstalledRecord);
      else failures.set(name, record as FailureRecord);
    }
    if (parsed || fresh.size !== cache.size) this.writeCache(fresh);
    return { installed, failures };
  }

  writeInstalled(r: InstalledRecord): void {
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic.sync(this.statePath(r.name), formatInstalled(r), { fsync: true });
  }

  removeInstalled(name: string): void {
    fs.rmSync(this.statePath(name), { force: true });
  }

  writeFailure(f: FailureRecord): void {
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic.sync(this.failurePath(f.name), formatFailure(f), { fsync: true });
  }

  clearFailure(name: string): void {
    fs.rmSync(this.failurePath(name), { force: true });
  }

  private readCache(): Map<string, CacheEntry> {
    if (this.cacheFile === null) return new Map();
    try {
      const data = v8.deserialize(fs.readFileSync(this.cacheFile)) as {
        version: number;
        dir: string;
        entries: Map<string, CacheEntry>;
      };
      if (data.version === CACHE_VERSION && data.dir === this.dir) return data.entries;
    } catch {
      // no cache or an unreadable one: parse everything
    }
    return new Map();
  }

  private writeCache(entries: Map<string, CacheEntry>): void {
    if (this.cacheFile === null) return;
    try {
      fs.mkdirSync(path.dirname(this.cacheFile), { recursive: true });
      writeFileAtomic.sync(this.cacheFile, v8.serialize({ version: CACHE_VERSION, dir: this.dir, entries }));
    } catch {
      // a cache that cannot be written only costs time
    }
  }
}

export { JuxError };
