/**
 * Building one package (DESIGN.md §7, docs/building.md): a fresh work
 * directory, the sources (in-tree folders copied, others fetched and
 * unpacked), the phase scripts run one after another with the spell's
 * environment and their output in LOGS/NAME/PHASE.log, then the staged tree
 * is checked, listed and packed into the binary package cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { JuxError } from '../errors.js';
import { PHASES, type Phase, type Spell } from '../graph/packageGraph.js';
import type { PlanEntry } from '../planner/rebuild.js';
import { formatFiles, type FileEntry } from '../state/files.js';
import { archivePath, createArchive } from '../installer/archive.js';
import { scanTree } from './manifest.js';
import { quoteWord } from '../state/stateFile.js';
import { folderEntries, type TarEntry } from '../installer/tarWriter.js';
import { buildDirs, type BuildDirs, type BuildFolders } from './buildFolders.js';
import { runInWorker, runWithExeca, workerCanRun, type Track, type WorkerRun } from './runScript.js';

export type BuildPhase = Phase;

export interface BuildEventSink {
  phase(name: string, phase: BuildPhase): void;
  output?(name: string, phase: BuildPhase, chunk: Buffer): void;
  warning?(name: string, message: string): void;
}

export type BuildOutcome =
  | {
      readonly ok: true;
      readonly archive: string;
      readonly files: readonly FileEntry[];
      /** The staged tree (DESTDIR) the archive and the list were made from. */
      readonly staged: string;
      /** The build folder (BUILD/NAME). */
      readonly work: string;
    }
  | {
      readonly ok: false;
      readonly phase: BuildPhase | 'prepare';
      readonly status: string;
      readonly message: string;
      readonly log: string | null;
    };

export interface BuildOptions {
  readonly config: Config;
  readonly jobs: number;
  readonly verbose: boolean;
  readonly offline: boolean;
  readonly strict: boolean;
  readonly events: BuildEventSink;
  /** Default phase scripts (rules/phases). */
  readonly defaults: Readonly<Partial<Record<Phase, string>>>;
  /** Called with the child process so an interrupt can stop it. */
  readonly track?: Track;
  /**
   * Starts a phase script without Node's own spawn (which forks the whole
   * Node process: a few milliseconds of the main thread each), in its own
   * process group, exactly as execa would (see scheduler/shellWorkers.ts);
   * `kill` sends that group SIGTERM. Without it, and with -v (whose output
   * is passed on as it comes), execa runs the scripts.
   */
  readonly runScript?: WorkerRun;
  /** Where BUILD/NAME comes from (and goes back to after a successful build: the scheduler's part). */
  readonly folders: BuildFolders;
  /** Fetch and unpack the spell's remote sources into `sourceDir`; the rest into `sourcesDir`. */
  readonly fetchSources?: (spell: Spell, sourceDir: string, sourcesDir: string) => Promise<void>;
}

export function logDir(config: Config, name: string): string {
  return path.join(config.logs, name);
}

export function logPath(config: Config, name: string, phase: string): string {
  return path.join(logDir(config, name), `${phase}.log`);
}

/** The phases a spell runs, with their scripts. */
export function phaseScripts(spell: Spell, defaults: Readonly<Partial<Record<Phase, string>>>): [Phase, string][] {
  const own = Object.keys(spell.scripts).length > 0;
  const out: [Phase, string][] = [];
  for (const p of PHASES) {
    if (p === 'fetch' || p === 'unpack') {
      if (spell.scripts[p]) out.push([p, spell.scripts[p]!]);
      continue;
    }
    const script = own ? spell.scripts[p] : p === 'test' ? undefined : defaults[p];
    if (script) out.push([p, script]);
  }
  return out;
}

/** Scripts that exist but cannot be run: a clear message before anything is built. */
export function checkScripts(spell: Spell, defaults: Readonly<Partial<Record<Phase, string>>>): string[] {
  const problems: string[] = [];
  for (const [phase, script] of phaseScripts(spell, defaults)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(script);
    } catch {
      problems.push(`${spell.name}: the ${phase} script ${script} is missing (a dangling link?)`);
      continue;
    }
    if (!st.isFile()) problems.push(`${spell.name}: the ${phase} script ${script} is not a file`);
    else if ((st.mode & 0o111) === 0) problems.push(`${spell.name}: the ${phase} script ${script} is not executable (chmod +x it)`);
  }
  for (const s of spell.sources) {
    if (spell.dir && !spell.scripts.fetch && !s.urls.length && !fs.existsSync(path.join(spell.dir, s.file))) {
      problems.push(`${spell.name}: source ${s.file} is neither in the spell folder nor given a Url`);
    }
    if (s.sha256 !== null && !/^[0-9a-f]{64}$/i.test(s.sha256.trim())) {
      problems.push(`${spell.name}: the Sha256 of ${s.file} is not 64 hexadecimal digits: ${s.sha256}`);
    }
  }
  return problems;
}

let inherited: { readonly values: Readonly<Record<string, string>>; readonly from: NodeJS.ProcessEnv } | null = null;

/**
 * jux's own environment, copied once (reading process.env goes through
 * Node's C++ for every variable): copied again only if process.env was
 * replaced (tests do).
 */
function inheritedEnvironment(): Readonly<Record<string, string>> {
  if (inherited === null || inherited.from !== process.env) {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) values[k] = v;
    inherited = { values, from: process.env };
  }
  return inherited.values;
}

function prependPath(value: string | undefined, first: string, sep = ':'): string {
  return value ? `${first}${sep}${value}` : first;
}

export function buildEnvironment(
  spell: Spell,
  entry: PlanEntry,
  config: Config,
  dirs: BuildDirs,
  jobs: number,
): Record<string, string> {
  const prefix = '/usr';
  const rp = path.join(config.root, prefix);
  const own = inheritedEnvironment();
  const env: Record<string, string> = { ...own };
  Object.assign(env, {
    SPELL: spell.name,
    VERSION: spell.version,
    SECTION: spell.section,
    SPELL_DIR: spell.dir ?? path.dirname(spell.file),
    SOURCE_DIR: dirs.source,
    BUILD_DIR: dirs.build,
    // Every source file by name as fetched (archives too, not unpacked): patches and the like.
    SOURCES_DIR: dirs.sources,
    DESTDIR: dirs.dest,
    PREFIX: prefix,
    ROOT: config.root,
    JOBS: String(jobs),
    OPTIONS: entry.options.join(' '),
    OPTION_FLAGS: entry.flags.join(' '),
    CC: own.CC ?? 'cc',
    CPPFLAGS: `${own.CPPFLAGS ? own.CPPFLAGS + ' ' : ''}-I${rp}/include`,
    LDFLAGS: `${own.LDFLAGS ? own.LDFLAGS + ' ' : ''}-L${rp}/lib -Wl,-rpath,${rp}/lib`,
    PKG_CONFIG_PATH: prependPath(own.PKG_CONFIG_PATH, `${rp}/lib/pkgconfig`),
    PATH: prependPath(own.PATH, `${rp}/bin`),
    LD_LIBRARY_PATH: prependPath(own.LD_LIBRARY_PATH, `${rp}/lib`),
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
  });
  delete env.MAKEFLAGS;
  delete env.MFLAGS;
  return env;
}

/** Copy an in-tree source folder (or file) into place, keeping links as links. */
function copySource(from: string, to: string): void {
  const st = fs.statSync(from);
  if (st.isDirectory()) fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  else {
    fs.mkdirSync(to, { recursive: true });
    fs.copyFileSync(from, path.join(to, path.basename(from)));
  }
}

function tail(file: string, lines: number): string[] {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    return all.slice(-lines);
  } catch {
    return [];
  }
}

export { tail as logTail };

/** What goes into jux/package: the build, in spell syntax. */
function packageInfo(entry: PlanEntry, spell: Spell): string {
  const line = (rule: string, lists: string[][]): string =>
    `${rule.padEnd(12)} ${lists.map((l) => l.map(quoteWord).join(' ')).join(' : ')} ;\n`;
  let out = '# jux binary package\n';
  out += line('Package', [[entry.name], [entry.to]]);
  out += line('Fingerprint', [[entry.name], [entry.fingerprint]]);
  out += line('Abi', [[entry.name], [entry.abi]]);
  out += line('Options', [[entry.name], [...entry.options]]);
  if (spell.provides.length) out += line('Provides', [[entry.name], [...spell.provides]]);
  for (const d of entry.deps) out += line('Dependency', [[entry.name], [d.kind], [d.name]]);
  return out;
}

/** The spell's folder, or its file alone, as jux/spell in the archive. */
function spellEntries(spell: Spell): { entries: TarEntry[]; size: number } {
  if (spell.dir) return folderEntries('jux/spell', spell.dir);
  return {
    entries: [
      { name: 'jux/spell', type: 'd', data: Buffer.alloc(0), mode: 0o755 },
      { name: `jux/spell/${path.basename(spell.file)}`, type: 'f', source: spell.file },
    ],
    size: fs.statSync(spell.file).size,
  };
}

/**
 * The jux/ entries of the package's archive: jux/package and jux/NAME.files
 * made in memory, and the spell's folder (or file) as jux/spell.
 */
function juxEntries(entry: PlanEntry, spell: Spell, files: readonly FileEntry[]): { entries: TarEntry[]; size: number } {
  const listText = Buffer.from(formatFiles(entry.name, entry.to, files));
  const info = Buffer.from(packageInfo(entry, spell));
  const spellPart = spellEntries(spell);
  // In name order, as a walk of jux/ would give them.
  const named: { name: string; entries: readonly TarEntry[] }[] = [
    { name: `${entry.name}.files`, entries: [{ name: `jux/${entry.name}.files`, type: 'f' as const, data: listText, mode: 0o644 }] },
    { name: 'package', entries: [{ name: 'jux/package', type: 'f' as const, data: info, mode: 0o644 }] },
    { name: 'spell', entries: spellPart.entries },
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    entries: [{ name: 'jux', type: 'd', data: Buffer.alloc(0), mode: 0o755 }, ...named.flatMap((n) => n.entries)],
    size: listText.length + info.length + spellPart.size,
  };
}

/** Build a package into an archive in the cache. Never throws for build failures: it returns them. */
export async function buildPackage(entry: PlanEntry, spell: Spell, opts: BuildOptions): Promise<BuildOutcome> {
  const { config } = opts;
  const name = entry.name;
  const work = path.join(opts.folders.dir, name);
  const dirs = buildDirs(work);
  const logs = logDir(config, name);
  try {
    // The build folder (see buildFolders.ts) and a fresh log folder, at once.
    const freshLogs = async (): Promise<void> => {
      if (fs.existsSync(logs)) await fs.promises.rm(logs, { recursive: true, force: true });
      await fs.promises.mkdir(logs, { recursive: true });
    };
    await Promise.all([opts.folders.take(name), freshLogs()]);
  } catch (e) {
    return { ok: false, phase: 'prepare', status: 'error', message: `cannot prepare ${work}: ${(e as Error).message}`, log: null };
  }

  // Sources: in-tree folders are copied; the rest is fetched.
  const remote = spell.sources.filter((s) => !(spell.dir && fs.existsSync(path.join(spell.dir, s.file))));
  try {
    let first = true;
    for (const s of spell.sources) {
      if (remote.includes(s)) continue;
      copySource(path.join(spell.dir!, s.file), first ? dirs.source : path.join(dirs.sources, s.file));
      first = false;
    }
    if (remote.length && !spell.scripts.fetch) {
      opts.events.phase(name, 'fetch');
      if (!opts.fetchSources) throw new JuxError('fetching sources is not available');
      await opts.fetchSources(spell, dirs.source, dirs.sources);
    }
  } catch (e) {
    const log = logPath(config, name, 'fetch');
    fs.writeFileSync(log, `${(e as Error).message}\n`);
    return { ok: false, phase: 'fetch', status: 'error', message: (e as Error).message, log };
  }

  const env = buildEnvironment(spell, entry, config, dirs, opts.jobs);
  for (const [phase, script] of phaseScripts(spell, opts.defaults)) {
    opts.events.phase(name, phase);
    const log = logPath(config, name, phase);
    const exit =
      opts.runScript && !opts.verbose && workerCanRun(script)
        ? await runInWorker(opts.runScript, script, dirs.source, env, log, opts.track)
        : await runWithExeca(script, dirs.source, env, log, opts.track, opts.verbose ? (d) => opts.events.output?.(name, phase, d) : null);
    if (exit.error !== null) {
      fs.appendFileSync(log, `jux: could not run ${script}: ${exit.error}\n`);
      return { ok: false, phase, status: 'could not run', message: `cannot run ${script}: ${exit.error}`, log };
    }
    if (exit.code !== 0) {
      const status = exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code}`;
      return { ok: false, phase, status, message: `${phase} failed (${status})`, log };
    }
  }

  // The staged tree, its list, and the archive.
  let files: FileEntry[];
  try {
    files = scanTree(dirs.dest, `${name}'s staged tree`);
  } catch (e) {
    return { ok: false, phase: 'install', status: 'unsafe', message: (e as Error).message, log: null };
  }
  const archive = archivePath(config.cache, entry.archive);
  try {
    await createArchive(archive, { root: dirs.dest, files, jux: juxEntries(entry, spell, files) });
  } catch (e) {
    // A tree that changed after it was listed (JuxError, saying so), or an archive that could not be written.
    const message = e instanceof JuxError ? e.message : `cannot write ${archive}: ${(e as Error).message}`;
    return { ok: false, phase: 'install', status: 'error', message, log: null };
  }
  return { ok: true, archive, files, staged: dirs.dest, work };
}
