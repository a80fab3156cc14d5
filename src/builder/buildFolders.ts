/**
 * Build folders: BUILD/NAME with its fresh, empty sub-folders for one
 * package's build (see build.ts). A failed build's folder stays for a look
 * at what went wrong; a successful one is emptied once its staged tree has
 * been taken for the install, and kept aside (BUILD/.spare-N) for the next
 * package, which gets it renamed to its own BUILD/NAME: a bulk build of
 * many small packages makes a handful of folders instead of seven per
 * package (making a folder is one of the costliest things a file system
 * does). The spares go when the run ends; a crash leaves them for the next
 * run to remove. A folder the build changed in a way emptying would not
 * undo (a sub-folder replaced, its mode changed, something left beside the
 * sub-folders) is removed instead of reused.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The sub-folders of a build folder, in the order they are made. */
export const SUBFOLDERS = ['src', 'build', 'home', 'tmp', 'sources', 'dest'] as const;

/** A build folder's paths: what the phase scripts get as SOURCE_DIR, BUILD_DIR, HOME, TMPDIR, SOURCES_DIR, DESTDIR. */
export interface BuildDirs {
  readonly work: string;
  readonly source: string;
  readonly build: string;
  readonly home: string;
  readonly tmp: string;
  readonly sources: string;
  readonly dest: string;
}

export function buildDirs(work: string): BuildDirs {
  const sub = (d: (typeof SUBFOLDERS)[number]): string => path.join(work, d);
  return { work, source: sub('src'), build: sub('build'), home: sub('home'), tmp: sub('tmp'), sources: sub('sources'), dest: sub('dest') };
}

const SPARE = /^\.spare-\d+$/;

export class BuildFolders {
  private readonly spares: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  private serial = 0;
  /** The mode a folder made here gets (0777 less the umask), learnt from the first one made. */
  private mode: number | null = null;

  constructor(readonly dir: string) {
    // Spares a crashed run left: nothing uses them (the state lock is held).
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((n) => SPARE.test(n));
    } catch {
      // no build folder yet
    }
    for (const n of names) this.track(fs.promises.rm(path.join(dir, n), { recursive: true, force: true }));
  }

  /**
   * A fresh BUILD/NAME, empty but for its empty sub-folders (whatever was
   * there before goes: an earlier failed build's folder).
   */
  async take(name: string): Promise<string> {
    const work = path.join(this.dir, name);
    // (Checked first: fs.promises.rm of nothing costs an exception.)
    if (fs.existsSync(work)) await fs.promises.rm(work, { recursive: true, force: true });
    const spare = this.spares.pop();
    if (spare !== undefined) {
      try {
        fs.renameSync(spare, work);
        return work;
      } catch {
        this.track(fs.promises.rm(spare, { recursive: true, force: true }));
      }
    }
    await fs.promises.mkdir(work, { recursive: true });
    // On the thread pool, at once: the main thread goes on with other packages.
    await Promise.all(SUBFOLDERS.map((d) => fs.promises.mkdir(path.join(work, d))));
    this.mode ??= fs.statSync(work).mode & 0o7777;
    return work;
  }

  /** A successful build's folder is done with: emptied (in the background) and kept for the next package. */
  recycle(work: string): void {
    const spare = path.join(this.dir, `.spare-${++this.serial}`);
    this.track(
      this.empty(work).then(
        (reusable) => {
          if (!reusable) return fs.promises.rm(work, { recursive: true, force: true });
          fs.renameSync(work, spare);
          this.spares.push(spare);
          return undefined;
        },
        () => fs.promises.rm(work, { recursive: true, force: true }).catch(() => undefined),
      ),
    );
  }

  /** Wait until the folders given back are emptied (and spare, or removed). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Wait for the folders being emptied, then remove the spares. */
  async close(): Promise<void> {
    await this.idle();
    await Promise.all(this.spares.splice(0).map((s) => fs.promises.rm(s, { recursive: true, force: true }).catch(() => undefined)));
  }

  /**
   * Empty `work`'s sub-folders; false when it is not as take() made it
   * (then it is not reused). The checks and listings are synchronous (a few
   * microseconds each, where each promise of fs.promises costs the main
   * thread tens); removing what a build left is not.
   */
  private async empty(work: string): Promise<boolean> {
    const names = fs.readdirSync(work).sort();
    if (names.length !== SUBFOLDERS.length || ![...SUBFOLDERS].sort().every((n, i) => names[i] === n)) return false;
    const plain = (p: string): boolean => {
      const st = fs.lstatSync(p);
      return st.isDirectory() && (st.mode & 0o7777) === this.mode;
    };
    if (!plain(work)) return false;
    const left: string[] = [];
    for (const d of SUBFOLDERS) {
      const sub = path.join(work, d);
      if (!plain(sub)) return false;
      for (const n of fs.readdirSync(sub)) left.push(path.join(sub, n));
    }
    await Promise.all(left.map((p) => fs.promises.rm(p, { recursive: true, force: true })));
    return true;
  }

  private track(p: Promise<unknown>): void {
    const done: Promise<void> = p.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }
}
