/**
 * Configuration: jux.yaml (found in the working directory or named with
 * --config), overridden by JUX_* environment variables, overridden by
 * command-line flags. Relative paths in jux.yaml are relative to the file;
 * everything defaults to ./spells and ./.jux/ so the bundled example never
 * needs root.
 *
 *   roots: [spells, overlay]      # spell roots; a later root's spell wins
 *   root: .jux/root               # where packages are installed
 *   state: .jux/state             # installed records and the journal
 *   cache: .jux/cache             # built packages and sources
 *   logs: .jux/logs               # build logs, LOGS/NAME/PHASE.log
 *   build: .jux/build             # build directories
 *   jobs: 4                       # default: the number of cores
 *   providers: { SSL: openssl }   # which spell provides a capability
 *   options:                      # optional dependencies turned on
 *     lyx: [python, hunspell]
 *   mirrors:                      # tried after a source's own addresses
 *     - https://mirror.example/sources/{file}
 *     - https://cas.example/sha256/{sha256}
 *   configProtect: [/etc]         # config files an install never overwrites once changed
 *   configProtectMask: [/etc/skel]  # sub-paths that are not protected after all
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JuxError } from '../errors.js';
import { type ConfigProtection, DEFAULT_PROTECTION, normaliseProtectPath } from './configProtect.js';
import { parseYamlText, yaml } from './parsedYaml.js';

export interface Config {
  /** The directory relative paths were resolved from. */
  readonly base: string;
  /** The configuration file read, or null. */
  readonly file: string | null;
  readonly roots: readonly string[];
  readonly root: string;
  readonly state: string;
  readonly cache: string;
  readonly logs: string;
  readonly build: string;
  readonly jobs: number;
  readonly providers: Readonly<Record<string, string>>;
  /** Package -> optional dependencies turned on. */
  readonly options: Readonly<Record<string, readonly string[]>>;
  readonly mirrors: readonly string[];
  /** Seconds before a download gives up on a silent server. */
  readonly fetchTimeout: number;
  readonly fetchRetries: number;
  /** Paths in the root whose changed files installs keep (PATH.juxnew beside them). */
  readonly configProtect: ConfigProtection;
  /** jux's rule library (rules/). */
  readonly rulesDir: string;
}

export interface ConfigOverrides {
  readonly config?: string;
  readonly roots?: readonly string[];
  readonly root?: string;
  readonly state?: string;
  readonly cache?: string;
  readonly logs?: string;
  readonly jobs?: number;
}

/** jux's own rules/ directory: the package's top level, above this module (in dist/ or not). */
export function defaultRulesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'rules', 'spells.jux'))) return path.join(dir, 'rules');
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'rules');
    dir = up;
  }
}

type Where = (key: string) => { file: string; line: number; col: number };

function asStringList(v: unknown, what: string, at: Where): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  throw new JuxError(`${what} must be a list of strings`, at(what));
}

/** Line and column of each key (top level, and one level down as "a.b"). */
function keyPositions(text: string): Map<string, { line: number; col: number }> {
  const { LineCounter, parseDocument, isMap, isScalar } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const out = new Map<string, { line: number; col: number }>();
  const walk = (node: unknown, prefix: string, depth: number): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isScalar(pair.key) || !pair.key.range) continue;
      const name = prefix + String(pair.key.value);
      out.set(name, lc.linePos(pair.key.range[0]));
      if (depth < 1) walk(pair.value, name + '.', depth + 1);
    }
  };
  walk(doc.contents, '', 0);
  return out;
}

export async function loadConfig(overrides: ConfigOverrides = {}, cwd = process.cwd()): Promise<Config> {
  const env = process.env;
  const explicit = overrides.config ?? env.JUX_CONFIG;
  let file: string | null = null;
  let data: Record<string, unknown> = {};
  // Positions of keys, for messages: found only when a message needs one.
  let text: string | null = null;
  let positions: Map<string, { line: number; col: number }> | undefined;
  const candidate = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'jux.yaml');
  if (fs.existsSync(candidate)) {
    file = candidate;
    text = fs.readFileSync(candidate, 'utf8');
    const parsed = parseYamlText(text, candidate);
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new JuxError('the configuration must be a mapping', { file: candidate, line: 1, col: 1 });
      }
      data = parsed as Record<string, unknown>;
    }
  } else if (explicit) {
    throw new JuxError(`configuration file ${candidate} does not exist`);
  }
  const base = file ? path.dirname(file) : cwd;
  const cfgFile = file ?? path.join(cwd, 'jux.yaml');
  const at: Where = (key) => {
    positions ??= text === null ? new Map() : keyPositions(text);
    return { file: cfgFile, line: positions.get(key)?.line ?? 0, col: positions.get(key)?.col ?? 0 };
  };
  const str = (key: string): string | undefined => {
    const v = data[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new JuxError(`${key} must be a string`, at(key));
    return v;
  };
  const known = new Set(['roots', 'root', 'state', 'cache', 'logs', 'build', 'jobs', 'providers', 'options', 'mirrors', 'fetch', 'configProtect', 'configProtectMask']);
  for (const k of Object.keys(data)) {
    if (!known.has(k)) throw new JuxError(`unknown setting ${k} (settings: ${[...known].join(', ')})`, at(k));
  }
  const fromBase = (p: string): string => path.resolve(base, p);
  const fromCwd = (p: string): string => path.resolve(cwd, p);

  const roots =
    overrides.roots?.map(fromCwd) ??
    (env.JUX_SPELLS ? env.JUX_SPELLS.split(':').filter(Boolean).map(fromCwd) : undefined) ??
    (data.roots !== undefined ? asStringList(data.roots, 'roots', at).map(fromBase) : [fromBase('spells')]);
  const dirSetting = (key: 'root' | 'state' | 'cache' | 'logs' | 'build', dflt: string): string =>
    overrides[key as keyof ConfigOverrides] !== undefined
      ? fromCwd(String(overrides[key as keyof ConfigOverrides]))
      : env[`JUX_${key.toUpperCase()}`]
        ? fromCwd(env[`JUX_${key.toUpperCase()}`]!)
        : fromBase(str(key) ?? dflt);

  let jobs = overrides.jobs ?? (env.JUX_JOBS ? Number(env.JUX_JOBS) : undefined);
  if (jobs === undefined && data.jobs !== undefined) {
    if (typeof data.jobs !== 'number') throw new JuxError('jobs must be a number', at('jobs'));
    jobs = data.jobs;
  }
  jobs ??= Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  if (!Number.isInteger(jobs) || jobs < 1) throw new JuxError(`jobs must be a positive whole number, not ${jobs}`);

  const providers: Record<string, string> = {};
  if (data.providers !== undefined) {
    if (typeof data.providers !== 'object' || data.providers === null || Array.isArray(data.providers)) {
      throw new JuxError('providers must map capabilities to spells', at('providers'));
    }
    for (const [k, v] of Object.entries(data.providers)) providers[k] = String(v);
  }
  const options: Record<string, string[]> = {};
  if (data.options !== undefined) {
    if (typeof data.options !== 'object' || data.options === null || Array.isArray(data.options)) {
      throw new JuxError('options must map packages to lists of optional dependencies', at('options'));
    }
    for (const [k, v] of Object.entries(data.options)) options[k] = asStringList(v, `options.${k}`, at);
  }
  const fetch = (data.fetch ?? {}) as Record<string, unknown>;
  if (typeof fetch !== 'object' || fetch === null || Array.isArray(fetch)) {
    throw new JuxError('fetch must be a mapping (timeout, retries)', at('fetch'));
  }
  for (const k of Object.keys(fetch)) {
    if (k !== 'timeout' && k !== 'retries') throw new JuxError(`unknown setting fetch.${k} (settings: timeout, retries)`, at(`fetch.${k}`));
  }
  const count = (key: 'timeout' | 'retries', dflt: number, whole: boolean): number => {
    const v = fetch[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (whole && !Number.isInteger(v)) || (key === 'timeout' && v === 0)) {
      throw new JuxError(
        `fetch.${key} must be ${key === 'timeout' ? 'a number of seconds above 0' : 'a whole number, 0 or more'}, not ${JSON.stringify(v)}`,
        at(`fetch.${key}`),
      );
    }
    return v;
  };
  const protectList = (key: 'configProtect' | 'configProtectMask', envName: string, dflt: readonly string[]): string[] => {
    const fromEnv = env[envName];
    const raw = fromEnv !== undefined ? fromEnv.split(':').filter(Boolean) : data[key] !== undefined ? asStringList(data[key], key, at) : [...dflt];
    return raw.map((p) => {
      const n = normaliseProtectPath(p);
      if (n === null) {
        throw new JuxError(`${key} must name paths in the root without "." or ".." components, not ${JSON.stringify(p)}`, fromEnv !== undefined ? null : at(key));
      }
      return n;
    });
  };
  const configProtect: ConfigProtection = {
    protect: protectList('configProtect', 'JUX_CONFIG_PROTECT', DEFAULT_PROTECTION.protect),
    mask: protectList('configProtectMask', 'JUX_CONFIG_PROTECT_MASK', DEFAULT_PROTECTION.mask),
  };
  return {
    base,
    file,
    roots,
    root: dirSetting('root', '.jux/root'),
    state: dirSetting('state', '.jux/state'),
    cache: dirSetting('cache', '.jux/cache'),
    logs: dirSetting('logs', '.jux/logs'),
    build: dirSetting('build', '.jux/build'),
    jobs,
    providers,
    options,
    mirrors: asStringList(data.mirrors, 'mirrors', at),
    fetchTimeout: count('timeout', 30, false),
    fetchRetries: count('retries', 3, true),
    configProtect,
    rulesDir: defaultRulesDir(),
  };
}
