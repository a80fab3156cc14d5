/**
 * Installed-package records, written in the spell language and read back
 * with the same front end (parser) as spells:
 *
 *   Installed    galeon : 1.2.6 ;
 *   Abi          galeon : 1 ;
 *   BuiltAt      galeon : 2026-11-21T23:48:44.120Z ;
 *   Fingerprint  galeon : 3f2a... ;
 *   Inputs       galeon : statements : H : scripts : H : sources : H : options : H ;
 *   Options      galeon : python ;
 *   Provides     galeon : BROWSER ;
 *   Root         galeon : /path/to/spells ;
 *   Archive      galeon : galeon-1.2.6-3f2a....tar.gz ;
 *   Dependency   galeon : tight : mozilla ;
 *   BuiltAgainst galeon : mozilla : 1.1 : 1 : <fingerprint> : <built-at> : <options...> ;
 *
 * A failed build is recorded apart, in NAME.failed:
 *
 *   Failed galeon : 1.2.6 : <fingerprint> : <time> : <phase> : <status> : <log> ;
 *
 * Reading is strict: anything unexpected (a syntax error, a truncated file,
 * an unknown record) is an error with the file and line, never a silent
 * "not installed".
 */
import type { Stmt } from '../../grammar/ast.js';
import { JuxError } from '../errors.js';
import { JAM_KEYWORDS } from './keywords.js';
import { readStateRecords, type StateInvocation } from './stateReader.js';

export interface BuiltAgainst {
  readonly name: string;
  readonly version: string;
  readonly abi: string;
  readonly fingerprint: string;
  readonly builtAt: string;
  readonly options: readonly string[];
}

export interface InputHashes {
  readonly statements: string;
  readonly scripts: string;
  readonly sources: string;
  readonly options: string;
}

export interface InstalledRecord {
  readonly name: string;
  readonly version: string;
  readonly abi: string;
  readonly builtAt: string;
  readonly fingerprint: string;
  readonly inputs: InputHashes | null;
  readonly options: readonly string[];
  readonly provides: readonly string[];
  readonly root: string | null;
  readonly archive: string | null;
  /** Resolved dependencies by kind ('optional' for enabled optional ones). */
  readonly depends: readonly { readonly kind: string; readonly name: string }[];
  readonly builtAgainst: ReadonlyMap<string, BuiltAgainst>;
}

export interface FailureRecord {
  readonly name: string;
  readonly version: string;
  readonly fingerprint: string;
  readonly at: string;
  readonly phase: string;
  readonly status: string;
  readonly log: string;
}

/** A word as the language needs it written: quoted when it would not read back as itself. */
export function quoteWord(w: string): string {
  if (w !== '' && !/[\s"\\]/.test(w) && !JAM_KEYWORDS.has(w) && !w.startsWith('#') && !w.includes('$(')) return w;
  if (w.includes('$(')) {
    // A quoted "$(" would still expand; escape the dollar.
    return '"' + w.replace(/["\\]/g, (c) => '\\' + c).replace(/\$\(/g, '\\$(') + '"';
  }
  return '"' + w.replace(/["\\]/g, (c) => '\\' + c) + '"';
}


function statement(rule: string, lists: readonly (readonly string[])[]): string {
  return `${rule.padEnd(12)} ${lists.map((l) => l.map(quoteWord).join(' ')).join(' : ')} ;\n`;
}

export function formatInstalled(r: InstalledRecord): string {
  let out = '# jux installed-package record; written by jux, read with the spell parser.\n';
  out += statement('Installed', [[r.name], [r.version]]);
  out += statement('Abi', [[r.name], [r.abi]]);
  out += statement('BuiltAt', [[r.name], [r.builtAt]]);
  out += statement('Fingerprint', [[r.name], [r.fingerprint]]);
  if (r.inputs) {
    const i = r.inputs;
    out += statement('Inputs', [
      [r.name],
      ['statements'],
      [i.statements],
      ['scripts'],
      [i.scripts],
      ['sources'],
      [i.sources],
      ['options'],
      [i.options],
    ]);
  }
  out += statement('Options', [[r.name], [...r.options]]);
  if (r.provides.length) out += statement('Provides', [[r.name], [...r.provides]]);
  if (r.root !== null) out += statement('Root', [[r.name], [r.root]]);
  if (r.archive !== null) out += statement('Archive', [[r.name], [r.archive]]);
  for (const d of r.depends) out += statement('Dependency', [[r.name], [d.kind], [d.name]]);
  for (const b of r.builtAgainst.values()) {
    out += statement('BuiltAgainst', [[r.name], [b.name], [b.version], [b.abi], [b.fingerprint], [b.builtAt], [...b.options]]);
  }
  return out;
}

export function formatFailure(f: FailureRecord): string {
  return (
    '# jux record of a failed build\n' +
    statement('Failed', [[f.name], [f.version], [f.fingerprint], [f.at], [f.phase], [f.status], [f.log]])
  );
}

/**
 * Thrown when a state file is outside what the fast reader knows and no
 * front end was given: the caller loads the front end and reads it again.
 */
export class FrontEndNeeded extends Error {
  constructor(readonly path: string) {
    super(`${path}: the state file needs the full front end`);
  }
}

/**
 * The invocations of a state file: [rule, lists...] with positions. Files
 * as jux writes them are read by the fast reader (stateReader.ts); anything
 * else by the front end, which reports a corrupt file's first error.
 */
function invocations(path: string, content: StateContent, parse: ParseFn | null): readonly StateInvocation[] {
  const fast =
    typeof content === 'string' ? readStateRecords(Buffer.from(content, 'latin1')) : readStateRecords(content.bytes, content.start, content.end);
  if (fast !== null) return fast;
  if (parse === null) throw new FrontEndNeeded(path);
  const text = typeof content === 'string' ? content : content.bytes.toString('latin1', content.start, content.end);
  const { body, diagnostics } = parse(path, text);
  if (diagnostics.length) {
    const d = diagnostics[0]!;
    throw new JuxError(
      `${d.message}${d.token.tokenType.name === 'EOF' ? ' (the file is truncated or corrupt)' : ''}`,
      { file: path, line: d.line, col: d.col },
    );
  }
  return body.map((s: Stmt) => {
    if (s.kind !== 'invoke' || s.rule.kind !== 'lit' || s.args.some((l) => l.some((a) => a.kind !== 'lit'))) {
      throw new JuxError('not a state record', { file: path, line: s.line, col: s.col });
    }
    return {
      rule: s.rule.text,
      args: s.args.map((l) => l.map((a) => (a.kind === 'lit' ? a.text : ''))),
      line: s.line,
    };
  });
}

/** A state file's content: its text, or its bytes (`bytes[start, end)`, latin1). */
export type StateContent = string | { readonly bytes: Buffer; readonly start: number; readonly end: number };

export type ParseFn = (
  path: string,
  text: string,
) => {
  body: Stmt[];
  diagnostics: readonly { message: string; line: number; col: number; token: { tokenType: { name: string } } }[];
};

/** No options (shared by every record read: records are read-only). */
const NO_OPTIONS: readonly string[] = Object.freeze([]);

/** A list read from a record: the reader's own array, or NO_OPTIONS when empty. */
function list(l: string[] | undefined): readonly string[] {
  return l !== undefined && l.length > 0 ? l : NO_OPTIONS;
}

/**
 * Read NAME.state text; `name` is the package the file is named after.
 * `parse` (the front end) reads what the fast reader does not; with null,
 * such a file throws FrontEndNeeded.
 */
export function parseInstalled(path: string, name: string, text: StateContent, parse: ParseFn | null): InstalledRecord {
  const rec = {
    name,
    version: null as string | null,
    abi: '',
    builtAt: '',
    fingerprint: '',
    inputs: null as InputHashes | null,
    options: NO_OPTIONS,
    provides: NO_OPTIONS,
    root: null as string | null,
    archive: null as string | null,
    depends: [] as { kind: string; name: string }[],
    builtAgainst: new Map<string, BuiltAgainst>(),
  };
  const one = (args: string[][], i: number, line: number, what: string): string => {
    const l = args[i];
    if (!l || l.length !== 1) throw new JuxError(`${what}: expected one value`, { file: path, line, col: 1 });
    return l[0]!;
  };
  for (const { rule, args, line } of invocations(path, text, parse)) {
    if ((args[0] ?? [])[0] !== name || args[0]!.length !== 1) {
      throw new JuxError(`record for ${(args[0] ?? []).join(' ') || '(nothing)'} in the state file of ${name}`, {
        file: path,
        line,
        col: 1,
      });
    }
    switch (rule) {
      case 'Installed':
        rec.version = one(args, 1, line, rule);
        break;
      case 'Abi':
        rec.abi = (args[1] ?? [])[0] ?? '';
        break;
      case 'BuiltAt':
        rec.builtAt = one(args, 1, line, rule);
        break;
      case 'Fingerprint':
        rec.fingerprint = one(args, 1, line, rule);
        break;
      case 'Inputs': {
        const m = new Map<string, string>();
        for (let i = 1; i + 1 < args.length; i += 2) m.set(one(args, i, line, rule), one(args, i + 1, line, rule));
        rec.inputs = {
          statements: m.get('statements') ?? '',
          scripts: m.get('scripts') ?? '',
          sources: m.get('sources') ?? '',
          options: m.get('options') ?? '',
        };
        break;
      }
      case 'Options':
        rec.options = list(args[1]);
        break;
      case 'Provides':
        rec.provides = list(args[1]);
        break;
      case 'Root':
        rec.root = one(args, 1, line, rule);
        break;
      case 'Archive':
        rec.archive = one(args, 1, line, rule);
        break;
      case 'Dependency':
        for (const d of args[2] ?? []) rec.depends.push({ kind: one(args, 1, line, rule), name: d });
        break;
      case 'BuiltAgainst': {
        if (args.length < 6) throw new JuxError('BuiltAgainst: too few fields', { file: path, line, col: 1 });
        const dep = one(args, 1, line, rule);
        rec.builtAgainst.set(dep, {
          name: dep,
          version: one(args, 2, line, rule),
          abi: (args[3] ?? [])[0] ?? '',
          fingerprint: one(args, 4, line, rule),
          builtAt: one(args, 5, line, rule),
          options: list(args[6]),
        });
        break;
      }
      default:
        throw new JuxError(`unknown state record ${rule}`, { file: path, line, col: 1 });
    }
  }
  if (rec.version === null) throw new JuxError(`no Installed record for ${name}`, { file: path, line: 1, col: 1 });
  if (rec.builtAt === '' || rec.fingerprint === '') {
    throw new JuxError(`incomplete record for ${name} (no BuiltAt or Fingerprint)`, { file: path, line: 1, col: 1 });
  }
  return { ...rec, version: rec.version };
}

export function parseFailure(path: string, name: string, text: StateContent, parse: ParseFn | null): FailureRecord {
  const inv = invocations(path, text, parse);
  const f = inv.find((i) => i.rule === 'Failed');
  if (!f || (f.args[0] ?? [])[0] !== name) throw new JuxError(`no Failed record for ${name}`, { file: path, line: 1, col: 1 });
  const v = (i: number): string => (f.args[i] ?? [])[0] ?? '';
  return { name, version: v(1), fingerprint: v(2), at: v(3), phase: v(4), status: v(5), log: v(6) };
}
