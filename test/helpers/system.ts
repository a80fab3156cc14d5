/**
 * Looking at an installed system without jux's code: the root, the records
 * (STATE/NAME.files, NAME.state), and comparisons between them. Used to check
 * jux's own audit independently.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Example } from './example.js';
import { REPO } from './paths.js';
import { runJux, tempDir, type RunResult } from './run.js';

export interface Recorded {
  readonly type: 'f' | 'l' | 'd';
  readonly size: number;
  /** sha256 of a file, target of a link, '-' for a directory. */
  readonly hash: string;
}

export interface PackageOnDisk {
  readonly version: string;
  readonly archive: string;
  /** NAME.files, verbatim. */
  readonly filesText: string;
  readonly files: ReadonlyMap<string, Recorded>;
}

/** A copy of a prepared example directory (spells, jux.yaml and .jux). */
export class Sandbox {
  readonly dir: string;
  constructor(from?: string) {
    this.dir = tempDir('jux-tx-');
    if (from === undefined) {
      fs.cpSync(path.join(REPO, 'spells'), path.join(this.dir, 'spells'), { recursive: true });
      fs.copyFileSync(path.join(REPO, 'jux.yaml'), path.join(this.dir, 'jux.yaml'));
    } else {
      fs.cpSync(from, this.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      // Indexes name their directory: let the copy make its own.
      fs.rmSync(path.join(this.dir, '.jux', 'cache', 'index'), { recursive: true, force: true });
    }
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
  state(...p: string[]): string {
    return path.join(this.dir, '.jux', 'state', ...p);
  }
  /** The binary package cache: archives are CACHE/NAME-VERSION-KEY.tar.gz. */
  cache(...p: string[]): string {
    return path.join(this.dir, '.jux', 'cache', ...p);
  }
  spellFile(spell: string): string {
    for (const section of fs.readdirSync(this.path('spells'))) {
      const f = this.path('spells', section, spell, `${spell}.jux`);
      if (fs.existsSync(f)) return f;
    }
    throw new Error(`no spell ${spell}`);
  }
  edit(spell: string, from: string | RegExp, to: string): void {
    const file = this.spellFile(spell);
    const text = fs.readFileSync(file, 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`edit of ${spell} changed nothing`);
    fs.writeFileSync(file, next);
  }
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
  static installed = Example.installed;
}

export function sha256(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

function unescape(s: string): string {
  return s.replace(/\\(\\|n|s)/g, (_, c: string) => (c === 'n' ? '\n' : c === 's' ? ' ' : '\\'));
}

/** Every installed package, read straight from STATE. */
export function readRecords(stateDir: string): Map<string, PackageOnDisk> {
  const out = new Map<string, PackageOnDisk>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(stateDir);
  } catch {
    return out;
  }
  for (const f of names.filter((n) => n.endsWith('.state')).sort()) {
    const name = f.slice(0, -'.state'.length);
    const state = fs.readFileSync(path.join(stateDir, f), 'latin1');
    const version = /^Installed\s+\S+\s+:\s+(\S+)\s+;/m.exec(state)?.[1] ?? '?';
    const archive = /^Archive\s+\S+\s+:\s+(\S+)\s+;/m.exec(state)?.[1] ?? '?';
    let filesText = '';
    try {
      filesText = fs.readFileSync(path.join(stateDir, `${name}.files`), 'latin1');
    } catch {
      filesText = '(no file list)';
    }
    const files = new Map<string, Recorded>();
    for (const line of filesText.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const w = line.split(' ');
      if (w.length !== 5) throw new Error(`${name}.files: bad line ${JSON.stringify(line)}`);
      files.set(unescape(w[4]!), { type: w[0] as Recorded['type'], size: Number(w[2]), hash: w[0] === 'd' ? '-' : unescape(w[3]!) });
    }
    out.set(name, { version, archive, filesText, files });
  }
  for (const f of names.filter((n) => n.endsWith('.files'))) {
    const name = f.slice(0, -'.files'.length);
    if (!out.has(name)) out.set(name, { version: '(no record)', archive: '', filesText: '', files: new Map() });
  }
  return out;
}

/** Everything under the root: path ("/usr/bin/x") -> what is there. */
export function scanRoot(root: string): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  const walk = (abs: string, rel: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(abs);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const a = path.join(abs, n);
      const r = `${rel}/${n}`;
      const st = fs.lstatSync(a);
      if (st.isDirectory()) {
        out.set(r, { type: 'd', size: 0, hash: '-' });
        walk(a, r);
      } else if (st.isSymbolicLink()) out.set(r, { type: 'l', size: 0, hash: fs.readlinkSync(a) });
      else out.set(r, { type: 'f', size: st.size, hash: st.isFile() ? sha256(a) : `(special ${st.mode.toString(8)})` });
    }
  };
  walk(root, '');
  return out;
}

/**
 * The independent audit: every recorded file present with its hash and
 * type; nothing in the root that no record names (directories included);
 * no path claimed by two packages. Paths in `allow` may be there unrecorded
 * (the caller knows why). Returns the problems found.
 */
export function compareRootAndRecords(root: string, stateDir: string, allow: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  const records = readRecords(stateDir);
  const onDisk = scanRoot(root);
  const claimed = new Map<string, string>();
  const dirs = new Set<string>();
  for (const [name, r] of records) {
    if (r.version === '(no record)') problems.push(`${name}: a file list without a record`);
    if (r.filesText === '(no file list)') problems.push(`${name}: a record without a file list`);
    for (const [p, e] of r.files) {
      if (e.type === 'd') {
        dirs.add(p);
        if (onDisk.get(p)?.type !== 'd') problems.push(`${name}: directory ${p} missing`);
        continue;
      }
      const other = claimed.get(p);
      if (other) problems.push(`${p} claimed by ${other} and ${name}`);
      claimed.set(p, name);
      const d = onDisk.get(p);
      if (!d) problems.push(`${name}: ${p} missing`);
      else if (d.type !== e.type || d.hash !== e.hash || (e.type === 'f' && d.size !== e.size)) {
        problems.push(`${name}: ${p} differs (${d.type} ${d.hash.slice(0, 12)} vs recorded ${e.type} ${e.hash.slice(0, 12)})`);
      }
    }
  }
  for (const [p, d] of onDisk) {
    if (allow.has(p)) continue;
    if (d.type === 'd' ? !dirs.has(p) : !claimed.has(p)) problems.push(`${p}: in the root but in no record`);
  }
  return problems;
}

/** A picture of a directory tree (paths, types, hashes, link targets) to compare before and after. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, r] of scanRoot(dir)) out.set(p, `${r.type} ${r.hash}`);
  return out;
}
