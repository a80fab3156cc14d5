/** A copy of the bundled grimoire and jux.yaml in a temporary directory. */
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.js';
import { runJux, tempDir, type RunResult } from './run.js';

export class Example {
  readonly dir = tempDir('jux-e2e-');
  constructor() {
    fs.cpSync(path.join(REPO, 'spells'), path.join(this.dir, 'spells'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'jux.yaml'), path.join(this.dir, 'jux.yaml'));
  }
  jux(...args: string[]): Promise<RunResult> {
    return runJux(args, { cwd: this.dir, env: { JUX_JOBS: '2' } });
  }
  path(...p: string[]): string {
    return path.join(this.dir, ...p);
  }
  root(...p: string[]): string {
    return path.join(this.dir, '.jux', 'root', ...p);
  }
  state(name: string): string {
    return path.join(this.dir, '.jux', 'state', name);
  }
  read(...p: string[]): string {
    return fs.readFileSync(this.path(...p), 'utf8');
  }
  /** Replace text in a spell file. */
  edit(spell: string, from: string | RegExp, to: string): void {
    const file = this.spellFile(spell);
    const text = fs.readFileSync(file, 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`edit of ${spell} changed nothing`);
    fs.writeFileSync(file, next);
  }
  spellFile(spell: string): string {
    for (const section of fs.readdirSync(this.path('spells'))) {
      const f = this.path('spells', section, spell, `${spell}.jux`);
      if (fs.existsSync(f)) return f;
    }
    throw new Error(`no spell ${spell}`);
  }
  spellDir(spell: string): string {
    return path.dirname(this.spellFile(spell));
  }
  /** Names of packages built in a run's output ("installed NAME VERSION"). */
  static installed(r: RunResult): string[] {
    return [...r.stdout.matchAll(/^installed (\S+) /gm)].map((m) => m[1]!).sort();
  }
}
