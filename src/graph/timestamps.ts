/**
 * File timestamps as jam finds them (timestamp.c): a file is looked up in a
 * cached listing of its directory, and only names seen there are stat()ed.
 * The cache lives for the whole run, as jam's does.
 */
import { buildPath, parsePath } from '../interpreter/pathname.js';
import type { Disk } from './disk.js';

const enum Seen {
  spotted = 1,
  found = 2,
  missing = 3,
}

export class Timestamps {
  private readonly entries = new Map<string, { seen: Seen; time: number }>();
  private readonly scanned = new Set<string>();

  constructor(private readonly disk: Disk) {}

  /** The modification time of `path` in seconds, or 0 when it does not exist. */
  time(path: string): number {
    let e = this.entries.get(path);
    if (e === undefined) {
      const f = parsePath(path);
      f.grist = '';
      f.base = f.suffix = f.member = '';
      const dir = buildPath(f);
      if (!this.scanned.has(dir)) {
        this.scanned.add(dir);
        this.scanDirectory(dir);
      }
      e = this.entries.get(path);
      if (e === undefined) {
        e = { seen: Seen.missing, time: 0 };
        this.entries.set(path, e);
      }
    }
    if (e.seen === Seen.spotted) {
      const st = this.disk.stat(path);
      if (st === null) e.seen = Seen.missing;
      else {
        e.seen = Seen.found;
        e.time = st.mtime;
      }
    }
    return e.seen === Seen.found ? e.time : 0;
  }

  /** Forget what is known about a path (after jux itself changed it). */
  forget(path: string): void {
    this.entries.delete(path);
  }

  private spot(name: string): void {
    if (!this.entries.has(name)) this.entries.set(name, { seen: Seen.spotted, time: 0 });
  }

  private scanDirectory(dir: string): void {
    // jam enters "/" itself, then every entry of the directory, "." and ".." included.
    if (dir === '/') this.spot('/');
    const names = this.disk.readdir(dir === '' ? '.' : dir);
    if (names === null) return;
    for (const n of ['.', '..', ...names]) {
      this.spot(buildPath({ grist: '', root: '', dir, base: n, suffix: '', member: '' }));
    }
  }
}
