/**
 * Noticing builds that write into the root instead of DESTDIR. The root is
 * listed when a run starts and after each install jux makes; before each
 * install it is listed again, and anything new, changed or gone that jux
 * did not do itself is blamed on a build: new stray files are removed (the
 * root is left as it was), changed or deleted ones are reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { type Installer, STAGING } from '../installer/transaction.js';

export class RootWatch {
  private snapshot: Map<string, string>;
  private readonly skip: Set<string>;

  constructor(
    config: Config,
    private readonly installer: Installer,
  ) {
    this.skip = new Set(
      [path.join(config.root, STAGING), config.state, config.cache, config.logs, config.build].map((p) => path.resolve(p)),
    );
    this.snapshot = this.list();
  }

  private list(): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (dir: string): void => {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        return;
      }
      for (const n of names) {
        const p = path.join(dir, n);
        if (this.skip.has(p)) continue;
        let st: fs.Stats;
        try {
          st = fs.lstatSync(p);
        } catch {
          continue;
        }
        if (st.isDirectory()) {
          out.set(p, 'd');
          walk(p);
        } else out.set(p, `${st.isSymbolicLink() ? 'l' : 'f'}:${st.size}:${st.mtimeMs}:${st.ino}`);
      }
    };
    walk(this.installer.root);
    return out;
  }

  /** After jux installed a package: the root as it is now is expected. */
  installed(_name: string): void {
    this.snapshot = this.list();
  }

  /** Null when the root is as expected; else a description of what a build did (new files are removed). */
  check(): string | null {
    const now = this.list();
    const added: string[] = [];
    const changed: string[] = [];
    const gone: string[] = [];
    for (const [p, sig] of now) {
      const before = this.snapshot.get(p);
      if (before === undefined) added.push(p);
      else if (before !== sig && sig !== 'd') changed.push(p);
    }
    for (const p of this.snapshot.keys()) if (!now.has(p)) gone.push(p);
    if (!added.length && !changed.length && !gone.length) return null;
    // Put the root back as far as we can: new things go, deepest first.
    for (const p of [...added].sort((a, b) => b.length - a.length)) {
      try {
        if (now.get(p) === 'd') fs.rmdirSync(p);
        else fs.rmSync(p, { force: true });
      } catch {
        // a directory that still holds something
      }
    }
    this.snapshot = this.list();
    const rel = (p: string): string => '/' + path.relative(this.installer.root, p);
    const parts: string[] = [];
    // Name the files; directories only when nothing else was created.
    const files = added.filter((p) => now.get(p) !== 'd');
    const shown = files.length ? files : added;
    if (added.length) parts.push(`created ${shown.map(rel).slice(0, 5).join(', ')}${shown.length > 5 ? ', ...' : ''}`);
    if (changed.length) parts.push(`changed ${changed.map(rel).slice(0, 5).join(', ')}`);
    if (gone.length) parts.push(`deleted ${gone.map(rel).slice(0, 5).join(', ')}`);
    return parts.join('; ') + (added.length ? ' (new files removed)' : '');
  }
}
