/**
 * The state directory: NAME.state per installed package, NAME.failed per
 * failed build, and NAME.files (file lists, see files.ts) which planning
 * never reads. Writes are atomic (write, fsync, rename).
 *
 * Records are read with the fast reader (stateReader.ts); a copy of the
 * files' text (stateCache.ts, checked against each file's size and mtime)
 * spares a large installed tree opening every file on every run.
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { JuxError } from '../errors.js';
import { FileBuffer } from '../util/fileBuffer.js';
import { isRacy } from '../util/racy.js';
import { type CachedStateFile, readStateCache, StateCacheWriter } from './stateCache.js';
import { type FileStamp, takePrimed } from './stateListing.js';
import {
  type FailureRecord,
  formatFailure,
  formatInstalled,
  FrontEndNeeded,
  type InstalledRecord,
  type ParseFn,
  parseFailure,
  parseInstalled,
  type StateContent,
} from './stateFile.js';

export class StateStore {
  constructor(
    readonly dir: string,
    /** Where to keep the copy of the records' text (null: no cache). */
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
    const listed = takePrimed(this.dir);
    let names: string[];
    try {
      names = listed?.names ?? fs.readdirSync(this.dir);
    } catch {
      return { installed, failures };
    }
    const cache = this.cacheFile === null ? null : readStateCache(this.cacheFile, this.dir);
    let parse: ParseFn | null = null;
    const getParse = async (): Promise<ParseFn> => {
      parse ??= (await import('../interpreter/interpreter.js')).parseSpell as ParseFn;
      return parse;
    };
    const read = async (p: string, name: string, isState: boolean, content: StateContent): Promise<InstalledRecord | FailureRecord> => {
      const once = (fn: ParseFn | null): InstalledRecord | FailureRecord =>
        isState ? parseInstalled(p, name, content, fn) : parseFailure(p, name, content, fn);
      try {
        // Files as jux writes them need no front end (stateReader.ts).
        return once(parse);
      } catch (e) {
        if (!(e instanceof FrontEndNeeded)) throw e;
        return once(await getParse());
      }
    };
    // The files read, in order, with where their bytes are: the cache is
    // written again (from these) when a file was read from the directory or
    // one the cache holds is gone.
    const seen: { file: string; size: number; mtimeMs: number; hit: CachedStateFile | null }[] = [];
    let writer: StateCacheWriter | null = null;
    const startWriter = (): StateCacheWriter => {
      const w = new StateCacheWriter(this.cacheFile!, this.dir);
      for (const x of seen) if (x.hit !== null) w.add(x.file, x.size, x.mtimeMs, cache!.bytes, x.hit.start, x.hit.end);
      return w;
    };
    const files = new FileBuffer();
    // A file stamped this recently may change again without its stamp
    // changing (util/racy.ts): it is read, but not kept in the cache.
    const readAt = Date.now();
    try {
      for (const file of names.sort()) {
        const isState = file.endsWith('.state');
        const isFailure = file.endsWith('.failed');
        if (!isState && !isFailure) continue;
        const name = file.slice(0, file.lastIndexOf('.'));
        const p = path.join(this.dir, file);
        let st: FileStamp | undefined = listed?.stats.get(file);
        if (st === undefined) {
          try {
            st = fs.statSync(p);
          } catch {
            continue;
          }
        }
        let record: InstalledRecord | FailureRecord | null = null;
        let hit = cache?.files.get(file) ?? null;
        if (hit !== null && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
          try {
            record = await read(p, name, isState, { bytes: cache!.bytes, start: hit.start, end: hit.end });
          } catch {
            record = null; // the file itself says what is wrong
          }
        }
        if (record === null) {
          hit = null;
          const r = files.read(p, st.size);
          record = await read(p, name, isState, { bytes: r.bytes, start: 0, end: r.length });
          if (this.cacheFile !== null && !isRacy(st.mtimeMs, readAt)) {
            writer ??= startWriter();
            writer.add(file, st.size, st.mtimeMs, r.bytes, 0, r.length);
          }
        } else if (writer !== null) writer.add(file, st.size, st.mtimeMs, cache!.bytes, hit!.start, hit!.end);
        seen.push({ file, size: st.size, mtimeMs: st.mtimeMs, hit });
        if (isState) installed.set(name, record as InstalledRecord);
        else failures.set(name, record as FailureRecord);
      }
      const kept = seen.filter((x) => x.hit !== null || !isRacy(x.mtimeMs, readAt)).length;
      if (writer === null && this.cacheFile !== null && (cache === null ? kept > 0 : kept !== cache.files.size)) {
        writer = startWriter();
      }
      writer?.finish();
    } finally {
      writer?.abort();
    }
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
}

export { JuxError };
