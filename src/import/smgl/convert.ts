/**
 * From what a spell's files declare to jux statements: the mapping
 * decisions (documented in docs/import-smgl.md).
 *
 *  - `depends X` is LooseDepends X, TightDepends X when the spell's
 *    TRIGGERS has `on_cast X cast_self` (or `on_cast P cast_self` where P
 *    provides the capability X), BuildDepends X when X is a build tool.
 *  - `runtime_depends X` is RuntimeDepends X; `optional_depends` and
 *    `suggest_depends` are OptionalDepends with their flags and description.
 *  - A declaration under a condition that reading the grimoire cannot
 *    decide becomes OptionalDepends (off unless jux.yaml turns it on); one
 *    under a condition that is false with sorcery's defaults is left out.
 *    Both are reported.
 *  - A cast_self trigger on a spell reached only through an optional
 *    dependency leaves it optional (loose when on); on a spell that is no
 *    dependency at all it adds TightDepends.
 */
import { BUILD_TOOLS } from './buildTools.js';
import type { DepDecl } from './depends.js';
import type { SourceInfo } from './details.js';
import { isKnown } from './evaluate.js';
import type { ReportItem } from './report.js';
import type { SpellRead } from './spellFiles.js';

export interface OptionalDep {
  readonly name: string;
  readonly on: string;
  readonly off: string;
  readonly description: string;
}

export interface JuxSpellModel {
  readonly name: string;
  readonly section: string;
  readonly version: string | null;
  readonly description: string | null;
  readonly license: readonly string[];
  readonly sources: readonly SourceInfo[];
  readonly tight: readonly string[];
  readonly loose: readonly string[];
  readonly build: readonly string[];
  readonly runtime: readonly string[];
  readonly optional: readonly OptionalDep[];
  readonly provides: readonly string[];
}

/** What the whole grimoire holds: spell names and capability providers. */
export interface GrimoireIndex {
  readonly spells: ReadonlySet<string>;
  readonly providers: ReadonlyMap<string, readonly string[]>;
}

/** Flags or a description as jux can hold them: one line, no command substitution (jux would expand `$(`). */
function flags(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.includes('$(') || t.includes('`') ? '' : t;
}

/** Text for a description: `$(` would be expanded by jux, so it is written `$ (`. */
function describeText(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim().replace(/\$\(/g, '$ (');
  return t.length > 160 ? t.slice(0, 157) + '...' : t;
}

export function convertSpell(read: SpellRead, index: GrimoireIndex): JuxSpellModel {
  const d = read.details!;
  const S = read.name;
  const add = (kind: ReportItem['kind'], file: string | null, line: number | null, message: string): void => {
    read.report.push({ kind, file, line, message });
  };
  const known = (n: string): boolean => index.spells.has(n) || index.providers.has(n);

  const required: string[] = [];
  const runtime: string[] = [];
  const optional: OptionalDep[] = [];
  const where = new Map<string, DepDecl>();

  for (const decl of read.deps) {
    const label = decl.via;
    if (!isKnown(decl.name) || decl.name.s === '') {
      if (decl.dead === null) add('unexpanded', decl.file, decl.line, `${label} ${decl.name.s}: the name cannot be expanded (${decl.name.unknown.join(', ') || 'empty'}): left out`);
      continue;
    }
    const name = decl.name.s;
    if (decl.dead !== null) {
      add('conditional', decl.file, decl.line, `${label} ${name}: left out, ${decl.dead} (sorcery's default configuration)`);
      continue;
    }
    if (name === S) {
      add('duplicate', decl.file, decl.line, `${label} ${name}: a spell cannot depend on itself: left out`);
      continue;
    }
    if (decl.via === 'sub_depends') {
      add('sub-depends', decl.file, decl.line, `sub_depends ${name} ${decl.subs.join(' ')}: jux has no sub-dependencies`);
      if (!required.includes(name) && !runtime.includes(name) && !optional.some((o) => o.name === name)) {
        add('sub-depends', decl.file, decl.line, `sub_depends ${name}: ${name} is not otherwise a dependency: left out`);
      }
      continue;
    }
    if (decl.unknownParts.length) {
      add('unexpanded', decl.file, decl.line, `${label} ${name}: its flags or description hold what cannot be expanded (${decl.unknownParts.join(', ')}): those left out`);
    }
    if (decl.unsetRead.length) {
      add('unexpanded', decl.file, decl.line, `${label} ${name}: its flags or description read ${decl.unsetRead.map((u) => '$' + u).join(', ')}, which nothing sets: taken as empty`);
    }
    if (decl.subs.length) add('sub-depends', decl.file, decl.line, `${label} ${name} asks for ${name} built with ${decl.subs.join(', ')}: jux has no sub-dependencies`);
    if (decl.constraints) add('version-constraint', decl.file, decl.line, `${label} ${name} ${decl.constraints}: jux has no version constraints`);
    if (decl.oneOf && decl.kind === 'required') {
      add('one-of', decl.file, decl.line, `${label}: one of ${decl.oneOf.join(', ')}; the first, ${name}, is a dependency (sorcery asks)`);
    } else if (decl.oneOf && decl.kind === 'optional' && decl.oneOf[0] === name) {
      add('one-of', decl.file, decl.line, `${label}: at most one of ${decl.oneOf.join(', ')}; each is an optional dependency, turn on one`);
    }
    if (decl.via === 'force_depends') add('force-depends', decl.file, decl.line, `force_depends ${name}: jux does not force a dependency to be rebuilt; imported as a dependency`);
    if (decl.kind === 'suggest') add('suggest', decl.file, decl.line, `suggest_depends ${name}: imported as an optional dependency`);
    const missing = !known(name);
    if (missing && (decl.conds.length || decl.kind === 'optional' || decl.kind === 'suggest')) {
      add('missing-dependency', decl.file, decl.line, `${label} ${name}: no spell or capability of the grimoire has this name`);
    }

    if (decl.conds.length) {
      const when = decl.conds.join(' and ');
      const isOpt = decl.kind === 'optional' || decl.kind === 'suggest';
      const entry: OptionalDep = {
        name,
        on: flags(decl.on),
        off: flags(decl.off),
        description: isOpt && flags(decl.description) ? flags(decl.description) : describeText(`${decl.kind === 'runtime' ? 'needed at run time' : 'needed'} when: ${when}`),
      };
      add('conditional', decl.file, decl.line, `${label} ${name}: under a condition the grimoire cannot decide (${when}): imported as an optional dependency`);
      if (optional.some((o) => o.name === name)) {
        add('duplicate', decl.file, decl.line, `${label} ${name}: already an optional dependency (line ${where.get(name)?.line ?? '?'}): kept once`);
      } else {
        optional.push(entry);
        where.set(name, decl);
      }
      continue;
    }
    if (missing && (decl.kind === 'required' || decl.kind === 'runtime')) {
      // Sorcery could not cast the spell either; as an optional dependency
      // (off) it stays in the spell and the rest of the tree still plans.
      add('missing-dependency', decl.file, decl.line, `${label} ${name}: no spell or capability of the grimoire has this name: imported as an optional dependency (off) so that the tree plans`);
      if (!optional.some((o) => o.name === name)) {
        optional.push({ name, on: flags(decl.on), off: '', description: `${decl.kind === 'runtime' ? 'a runtime dependency' : 'a dependency'} in sorcery, not in the imported grimoire` });
        where.set(name, decl);
      }
      continue;
    }
    switch (decl.kind) {
      case 'required':
        if (flags(decl.on)) add('flags', decl.file, decl.line, `${label} ${name} ${JSON.stringify(flags(decl.on))}: jux passes flags only for optional dependencies; add them to the build`);
        if (!required.includes(name)) required.push(name);
        break;
      case 'runtime':
        if (flags(decl.on)) add('flags', decl.file, decl.line, `${label} ${name} ${JSON.stringify(flags(decl.on))}: flags of a runtime dependency are not carried`);
        if (!runtime.includes(name)) runtime.push(name);
        break;
      case 'optional':
      case 'suggest':
        if (optional.some((o) => o.name === name)) {
          add('duplicate', decl.file, decl.line, `${label} ${name}: already an optional dependency (line ${where.get(name)?.line ?? '?'}): kept once`);
          break;
        }
        optional.push({ name, on: flags(decl.on), off: flags(decl.off), description: flags(decl.description) });
        where.set(name, decl);
        break;
    }
  }

  // A required dependency wins over the same name declared otherwise.
  const runtimeOnly = runtime.filter((r) => {
    if (!required.includes(r)) return true;
    add('duplicate', 'DEPENDS', null, `${r} is both a dependency and a runtime dependency: kept as a dependency`);
    return false;
  });
  const optionalOnly = optional.filter((o) => {
    if (required.includes(o.name)) {
      add('duplicate', 'DEPENDS', where.get(o.name)?.line ?? null, `${o.name} is both a dependency and an optional one: kept as a dependency`);
      return false;
    }
    if (runtimeOnly.includes(o.name)) {
      add('duplicate', 'DEPENDS', where.get(o.name)?.line ?? null, `${o.name} is both a runtime dependency and an optional one: kept as a runtime dependency`);
      return false;
    }
    return true;
  });

  // Triggers.
  const tight = new Set<string>();
  const extraTight: string[] = [];
  const providesCap = (cap: string, spell: string): boolean => (index.providers.get(cap) ?? []).includes(spell);
  for (const t of read.triggers) {
    const target = t.target.s;
    const what = `${t.event} ${target} ${t.action}`.trim();
    if (!isKnown(t.target)) {
      if (t.dead === null) add('trigger', 'TRIGGERS', t.line, `${what}: the target cannot be expanded: not carried`);
      continue;
    }
    if (t.dead !== null) {
      add('trigger', 'TRIGGERS', t.line, `${what}: not reached, ${t.dead}`);
      continue;
    }
    if (t.event !== 'on_cast' || t.action !== 'cast_self') {
      add('trigger', 'TRIGGERS', t.line, `${what}: jux has no such trigger (a rebuild comes from tight dependencies and ABI keys; jux check audits files): not carried`);
      continue;
    }
    if (t.conds.length) {
      add('trigger', 'TRIGGERS', t.line, `${what}: under a condition the grimoire cannot decide (${t.conds.join(' and ')}): not carried; ${target} is rebuilt-against only as the dependency kind says`);
      continue;
    }
    if (required.includes(target)) {
      tight.add(target);
      continue;
    }
    const viaCap = required.find((r) => providesCap(r, target));
    if (viaCap !== undefined) {
      tight.add(viaCap);
      add('trigger', 'TRIGGERS', t.line, `${what}: ${target} provides ${viaCap}, so the dependency on ${viaCap} is tight (whichever provider is chosen)`);
      continue;
    }
    const opt = optionalOnly.find((o) => o.name === target || providesCap(o.name, target));
    if (opt !== undefined) {
      add('trigger', 'TRIGGERS', t.line, `${what}: ${target} is only an optional dependency${opt.name !== target ? ` (through ${opt.name})` : ''}; jux optional dependencies are loose when on (rebuilt when its ABI key or options change), so it stays optional`);
      continue;
    }
    if (index.spells.has(target)) {
      if (runtimeOnly.includes(target)) runtimeOnly.splice(runtimeOnly.indexOf(target), 1);
      extraTight.push(target);
      add('trigger', 'TRIGGERS', t.line, `${what}: ${target} is not a dependency of ${S}; the trigger makes it a tight one`);
      continue;
    }
    add('trigger', 'TRIGGERS', t.line, `${what}: ${target} is not in the grimoire: not carried`);
  }

  const tightList = [...required.filter((r) => tight.has(r)), ...extraTight.filter((x) => !required.includes(x))];
  const build = required.filter((r) => !tight.has(r) && BUILD_TOOLS.has(r));
  const loose = required.filter((r) => !tight.has(r) && !BUILD_TOOLS.has(r));
  return {
    name: S,
    section: read.section,
    version: d.version,
    description: d.description,
    license: d.license,
    sources: d.sources,
    tight: tightList,
    loose,
    build,
    runtime: runtimeOnly,
    optional: optionalOnly,
    provides: read.provides,
  };
}
