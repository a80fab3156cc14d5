/**
 * Writing the jux spell tree: OUT/SECTION/NAME/NAME.jux in the spell
 * vocabulary of rules/spells.jux, the phase scripts next to it, and the
 * grimoire's other files under OUT/SECTION/NAME/smgl/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseBash, type Node } from './bash.js';
import type { JuxSpellModel } from './convert.js';
import type { ReportItem } from './report.js';
import { SORCERY_API } from './sorcery.js';

/** Words that are keywords of the language when written bare. */
const KEYWORDS = new Set([
  'actions', 'bind', 'break', 'case', 'continue', 'default', 'else', 'existing', 'for', 'if', 'ignore', 'in',
  'include', 'local', 'maxline', 'on', 'piecemeal', 'quietly', 'return', 'rule', 'switch', 'together', 'updated',
  'while', ':', ';', '=', '+=', '?=', '!', '!=', '&', '&&', '|', '||', '(', ')', '[', ']', '{', '}', '<', '<=', '>', '>=',
]);

/** A value as one word of the language: bare when that is safe, else quoted. */
export function juxWord(s: string): string {
  if (/^[A-Za-z0-9_.+/@%,=~:?&!*^-][A-Za-z0-9_.+/@%,=~:?&!*^#-]*$/.test(s) && !KEYWORDS.has(s)) return s;
  return juxString(s);
}

/** A value always quoted (flags, descriptions). */
export function juxString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const PAD = 16;

function stmt(rule: string, ...lists: string[]): string {
  return `${rule.padEnd(PAD - 1)} ${lists.join(' : ')} ;`;
}

/** The text of NAME.jux. */
export function renderSpell(m: JuxSpellModel): string {
  const n = juxWord(m.name);
  const lines: string[] = [];
  lines.push(`# Imported from the Source Mage spell ${m.section}/${m.name} (jux import smgl).`);
  lines.push(stmt('Spell', n));
  if (m.version !== null) lines.push(stmt('Version', n, juxWord(m.version)));
  if (m.description !== null) lines.push(stmt('Description', n, juxString(m.description)));
  if (m.license.length) lines.push(stmt('License', n, m.license.map(juxWord).join(' ')));
  lines.push(stmt('Section', n, juxWord(m.section)));
  // A source jux cannot fetch (version control) stays as a comment: the
  // spell still loads and plans, and a maintainer sees what is missing.
  const fetchable = m.sources.filter((s) => s.urls.length > 0);
  if (fetchable.length) lines.push(stmt('Source', n, fetchable.map((s) => juxWord(s.file)).join(' ')));
  for (const s of m.sources) {
    if (!s.urls.length) lines.push(`# ${stmt('Source', n, juxWord(s.file))}  (no address jux can fetch: see IMPORT-REPORT.txt)`);
  }
  for (const s of fetchable) {
    if (s.urls.length) lines.push(stmt('Url', juxWord(s.file), s.urls.map(juxWord).join(' ')));
    if (s.sha256 !== null) lines.push(stmt('Sha256', juxWord(s.file), s.sha256));
  }
  const deps = (rule: string, names: readonly string[]): void => {
    if (names.length) lines.push(stmt(rule, n, names.map(juxWord).join(' ')));
  };
  deps('TightDepends', m.tight);
  deps('LooseDepends', m.loose);
  deps('BuildDepends', m.build);
  deps('RuntimeDepends', m.runtime);
  for (const o of m.optional) {
    lines.push(stmt('OptionalDepends', n, juxWord(o.name), juxString(o.on), juxString(o.off), juxString(o.description)));
  }
  if (m.provides.length) lines.push(stmt('Provides', n, m.provides.map(juxWord).join(' ')));
  return lines.join('\n') + '\n';
}

/** Source Mage files that are jux phase scripts, and their jux names. */
export const PHASE_SCRIPTS: Readonly<Record<string, string>> = {
  BUILD: 'BUILD',
  INSTALL: 'INSTALL',
};

/** What sorcery runs when a spell lacks one of these (written so that jux runs the same phases). */
const SORCERY_DEFAULT_PHASE: Readonly<Record<string, string>> = {
  BUILD: 'default_build',
  INSTALL: 'default_install',
};

/** Files converted into NAME.jux (kept under smgl/ for reference, without a report note). */
const CONVERTED = new Set(['DETAILS', 'DEPENDS', 'PROVIDES', 'HISTORY']);

/** What a file with no jux role did in sorcery (for the report). */
const DATA_FILE_ROLE: Readonly<Record<string, string>> = {
  CONFIGURE: "sorcery's configuration questions (their default answers were used to read DEPENDS); jux options are set in jux.yaml",
  PREPARE: "sorcery's questions asked before DETAILS",
  PRE_BUILD: 'unpacks the sources and patches them; jux unpacks by itself',
  POST_BUILD: 'runs after BUILD',
  PRE_INSTALL: 'runs before INSTALL',
  POST_INSTALL: 'runs after INSTALL',
  FINAL: 'runs at the end of a cast',
  TRIGGERS: 'converted where jux has an equivalent (see the trigger notes)',
  UP_TRIGGERS: 'recasts dependants on incompatible updates; jux rebuilds loose dependants when the ABI key changes (Abi)',
  SUB_DEPENDS: 'provides sub-dependencies to dependants; jux has none',
  CONFLICTS: 'spells that cannot be installed together; jux has no conflicts',
  PRE_REMOVE: 'runs before the spell is dispelled',
  POST_REMOVE: 'runs after the spell is dispelled',
  PRE_RESURRECT: 'runs before a cached build is reinstalled',
  POST_RESURRECT: 'runs after a cached build is reinstalled',
  PRE_SUB_DEPENDS: 'answers sub-dependency queries',
  SECURITY: 'security notes shown before casting',
  SOLO: 'marks a spell cast alone',
  REPAIR: 'repair hooks',
};

function sorceryCalls(text: string): string[] {
  let node: Node;
  try {
    node = parseBash(text);
  } catch {
    return [];
  }
  const found = new Set<string>();
  const walk = (n: Node): void => {
    switch (n.t) {
      case 'simple': {
        const w = n.words[0];
        if (w && SORCERY_API.has(w.text)) found.add(w.text);
        break;
      }
      case 'and':
      case 'or':
        walk(n.left);
        walk(n.right);
        break;
      case 'not':
        walk(n.body);
        break;
      case 'pipe':
        n.cmds.forEach(walk);
        break;
      case 'list':
        n.items.forEach(walk);
        break;
      case 'if':
        n.clauses.forEach((c) => {
          walk(c.cond);
          walk(c.body);
        });
        if (n.otherwise) walk(n.otherwise);
        break;
      case 'case':
        n.items.forEach((i) => walk(i.body));
        break;
      case 'for':
      case 'func':
      case 'group':
      case 'subshell':
        walk(n.body);
        break;
      case 'loop':
        walk(n.cond);
        walk(n.body);
        break;
      default:
        break;
    }
  };
  walk(node);
  return [...found].sort();
}

function withShebang(text: string): string {
  return text.startsWith('#!') ? text : `#!/bin/bash\n${text}`;
}

/** Write one spell folder; returns report items about its files. */
export function writeSpell(m: JuxSpellModel, grimoireSpellDir: string, outDir: string): ReportItem[] {
  const items: ReportItem[] = [];
  const dir = path.join(outDir, m.section, m.name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${m.name}.jux`), renderSpell(m));

  const entries = fs.readdirSync(grimoireSpellDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const present = new Set(entries.map((e) => e.name));
  const phases = Object.keys(PHASE_SCRIPTS).filter((f) => present.has(f));
  for (const e of entries) {
    const from = path.join(grimoireSpellDir, e.name);
    const jux = PHASE_SCRIPTS[e.name];
    if (jux !== undefined && e.isFile()) {
      const text = fs.readFileSync(from, 'latin1');
      const to = path.join(dir, jux);
      fs.writeFileSync(to, withShebang(text), 'latin1');
      fs.chmodSync(to, 0o755);
      const calls = sorceryCalls(text);
      items.push({
        kind: 'script',
        file: e.name,
        line: null,
        message: `copied as the ${jux.toLowerCase()} phase script ${jux}${calls.length ? `; it calls sorcery's shell API (${calls.join(', ')}), which jux does not provide` : ''}`,
      });
      continue;
    }
    const to = path.join(dir, 'smgl', e.name);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true });
    makeWritable(to);
    if (!CONVERTED.has(e.name)) {
      const role = DATA_FILE_ROLE[e.name] ?? 'no jux counterpart';
      items.push({ kind: 'data-file', file: e.name, line: null, message: `kept as smgl/${e.name}: ${role}` });
    }
  }
  // A spell with some phase scripts runs only those in jux; sorcery runs its
  // defaults for the missing ones, so write those calls out.
  if (phases.length > 0) {
    for (const [smgl, jux] of Object.entries(PHASE_SCRIPTS)) {
      if (present.has(smgl)) continue;
      const to = path.join(dir, jux);
      fs.writeFileSync(to, `#!/bin/bash\n# sorcery runs ${SORCERY_DEFAULT_PHASE[smgl]} when a spell has no ${smgl}\n${SORCERY_DEFAULT_PHASE[smgl]}\n`);
      fs.chmodSync(to, 0o755);
      items.push({
        kind: 'script',
        file: null,
        line: null,
        message: `no ${smgl} in the grimoire: ${jux} written to call sorcery's ${SORCERY_DEFAULT_PHASE[smgl]}, as sorcery would (jux runs only the phases a spell has)`,
      });
    }
  }
  return items;
}

/** Copies of read-only grimoire files stay writable (so the tree can be edited or removed). */
function makeWritable(p: string): void {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    fs.chmodSync(p, 0o755);
    for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
  } else fs.chmodSync(p, 0o644);
}
