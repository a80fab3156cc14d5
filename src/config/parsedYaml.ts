/**
 * jux.yaml parsed, remembered by its text.
 *
 * Loading the yaml library costs a command 30-50 ms, about a fifth of a
 * remembered `jux plan` answer, for a file that rarely changes. So the
 * parsed value of each text is kept as JSON, named by the text's SHA-256,
 * in the user's cache ($XDG_CACHE_HOME/jux/config, else ~/.cache/jux/config)
 * and read back instead of parsing again. The name is the whole text's
 * hash, so an entry can never be out of date; a value JSON cannot hold
 * exactly (.inf, .nan, a date) is not kept. Entries are written atomically
 * (write-file-atomic) and anything unreadable is parsed again, so the
 * store can be deleted at any time; JUX_NO_CONFIG_CACHE=1 turns it off.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { JuxError } from '../errors.js';

const require = createRequire(import.meta.url);

/**
 * The yaml library, loaded on first use with require: it is CommonJS under
 * Node, and import() of it first parses its 80-odd files for their exports
 * (about 45 ms here, against 30 ms).
 */
export function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

/** Where parsed texts are kept, or null when turned off or there is no home. */
export function parsedYamlDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.JUX_NO_CONFIG_CACHE) return null;
  const base = env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : '');
  return base && path.isAbsolute(base) ? path.join(base, 'jux', 'config') : null;
}

/** A value JSON gives back exactly: null, booleans, finite numbers, strings, plain arrays and objects. */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(jsonExact);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.entries(v as Record<string, unknown>).every(([k, x]) => k !== '__proto__' && jsonExact(x));
  }
  return false;
}

/** The text of `file` parsed as YAML; a syntax error is a JuxError at its line and column. */
export function parseYamlText(text: string, file: string): unknown {
  const dir = parsedYamlDir();
  const name = dir ? path.join(dir, `${crypto.createHash('sha256').update(text).digest('hex')}.json`) : null;
  if (name) {
    try {
      return (JSON.parse(fs.readFileSync(name, 'utf8')) as { value: unknown }).value;
    } catch {
      // not kept yet, or unreadable: parse it
    }
  }
  let parsed: unknown;
  try {
    parsed = yaml().parse(text);
  } catch (e) {
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    throw new JuxError(`invalid YAML: ${(e as Error).message.split('\n')[0]}`, { file, line: pos?.line ?? 0, col: pos?.col ?? 0 });
  }
  if (name && (parsed === undefined || jsonExact(parsed))) {
    try {
      fs.mkdirSync(path.dirname(name), { recursive: true });
      const writeFileAtomic = require('write-file-atomic') as typeof import('write-file-atomic');
      writeFileAtomic.sync(name, JSON.stringify({ value: parsed ?? null }), { fsync: false });
    } catch {
      // only costs time
    }
  }
  return parsed;
}
