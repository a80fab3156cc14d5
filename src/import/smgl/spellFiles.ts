/**
 * Reading one Source Mage spell folder as data, the way sorcery loads a
 * spell before casting it: PREPARE, DETAILS, CONFIGURE (default answers),
 * DEPENDS, then TRIGGERS, all in one shell environment; PROVIDES is a word
 * list. Nothing is executed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BashSyntaxError } from './bash.js';
import { type DepDecl, dependsHooks } from './depends.js';
import { type DetailsInfo, readDetails } from './details.js';
import { type Hook, Interp, LimitError, type Note, type Val } from './evaluate.js';
import type { ReportItem } from './report.js';
import { SORCERY_DEFAULTS, sorceryHooks } from './sorcery.js';

export interface TriggerDecl {
  readonly event: string;
  readonly target: Val;
  readonly action: string;
  readonly conds: readonly string[];
  readonly dead: string | null;
  readonly line: number;
}

export interface SpellRead {
  readonly name: string;
  readonly section: string;
  readonly dir: string;
  /** Null when DETAILS could not be read: the spell is not converted. */
  readonly details: DetailsInfo | null;
  readonly deps: readonly DepDecl[];
  readonly triggers: readonly TriggerDecl[];
  readonly provides: readonly string[];
  readonly report: ReportItem[];
}

/** Files sorcery runs to load a spell, in its order. */
const LOAD_ORDER = ['PREPARE', 'DETAILS', 'CONFIGURE', 'DEPENDS', 'TRIGGERS'] as const;

/** A capability name as sorcery spells write them (upper case). */
const CAPABILITY = /^[A-Z0-9][A-Z0-9_+.-]*$/;

export function readSpell(grimoireDir: string, section: string, name: string): SpellRead {
  const dir = path.join(grimoireDir, section, name);
  const report: ReportItem[] = [];
  const deps: DepDecl[] = [];
  const triggers: TriggerDecl[] = [];
  let current = 'DETAILS';

  const hooks = new Map<string, Hook>([...sorceryHooks(), ...dependsHooks(deps)]);
  const trigger = (event: string): Hook => (c) => {
    const [target, ...action] = c.args;
    if (target) {
      triggers.push({ event, target, action: action.map((a) => a.s).join(' '), conds: c.conds, dead: c.dead, line: c.src.line });
    }
    return 'T';
  };
  for (const e of ['on_cast', 'on_dispel', 'on_pre_cast', 'on_pre_dispel']) hooks.set(e, trigger(e));

  const defaults = new Map(Object.entries(SORCERY_DEFAULTS));
  defaults.set('GRIMOIRE', grimoireDir);
  defaults.set('SECTION', section);
  defaults.set('SECTION_DIRECTORY', path.join(grimoireDir, section));
  defaults.set('SCRIPT_DIRECTORY', dir);
  defaults.set('SPELL_DIRECTORY', dir);

  const root = path.resolve(grimoireDir);
  const interp = new Interp({
    defaults,
    hooks,
    readSourced: (p) => {
      const abs = path.resolve(dir, p);
      const rel = path.relative(root, abs);
      if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
      try {
        if (!fs.statSync(abs).isFile()) return null;
        return { text: fs.readFileSync(abs, 'latin1'), name: rel };
      } catch {
        return null;
      }
    },
    // sorcery's prepare_select_branch offers "stable" first: a branch
    // variable that no PREPARE of the grimoire sets is taken as stable.
    fallback: (v) => (/_BRANCH$/.test(v) ? 'stable' : undefined),
    showPath: (p) => {
      const rel = path.relative(root, path.resolve(dir, p));
      return rel.startsWith('..') || path.isAbsolute(rel) ? p : `$GRIMOIRE/${rel}`;
    },
    onNote: (n: Note) => {
      report.push({ kind: n.kind === 'limit' ? 'unsupported' : n.kind, file: n.file || current, line: n.line, message: n.message });
    },
  });
  interp.set('SPELL', { s: name, unknown: [], unset: [] });

  let details: DetailsInfo | null = null;
  for (const file of LOAD_ORDER) {
    const p = path.join(dir, file);
    let text: string;
    try {
      text = fs.readFileSync(p, 'latin1');
    } catch {
      if (file === 'DETAILS') report.push({ kind: 'error', file, line: null, message: 'DETAILS cannot be read: the spell is not converted' });
      continue;
    }
    current = file;
    try {
      interp.runText(text, file);
    } catch (e) {
      if (e instanceof BashSyntaxError || e instanceof LimitError) {
        const what = e instanceof BashSyntaxError ? `cannot be read as data: ${e.message}` : e.message;
        report.push({ kind: file === 'DETAILS' ? 'error' : 'unsupported', file, line: e instanceof BashSyntaxError ? e.line : null, message: `${file} ${what}${file === 'DETAILS' ? ': the spell is not converted' : ''}` });
        // a DEPENDS that stops half-way keeps what it declared before
        if (file === 'DETAILS') break;
        continue;
      }
      throw e;
    }
    if (file === 'DETAILS') {
      details = readDetails(interp, name, text, (i) => report.push({ ...i, file: 'DETAILS' }));
    }
  }
  for (const b of [...interp.fallbacksUsed].sort()) {
    report.push({ kind: 'conditional', file: null, line: null, message: `$${b} is set by no file of the grimoire: taken as "stable", the default branch of sorcery's prepare_select_branch` });
  }
  for (const u of [...interp.unsetInConditions].sort()) {
    if (u in SORCERY_DEFAULTS) continue;
    report.push({ kind: 'conditional', file: null, line: null, message: `conditions read $${u} while it was unset (a first cast with sorcery's defaults): taken as empty` });
  }

  const provides: string[] = [];
  try {
    const text = fs.readFileSync(path.join(dir, 'PROVIDES'), 'latin1');
    for (const line of text.split('\n')) {
      for (const w of line.replace(/#.*/, '').split(/\s+/).filter(Boolean)) {
        if (CAPABILITY.test(w)) {
          if (!provides.includes(w)) provides.push(w);
        } else report.push({ kind: 'provides', file: 'PROVIDES', line: null, message: `${JSON.stringify(w)} is not a capability name (capabilities are upper case): left out` });
      }
    }
  } catch {
    // no PROVIDES
  }
  return { name, section, dir, details, deps, triggers, provides, report };
}
