/**
 * DEPENDS: every dependency declaration the file makes, with the
 * conditions it sits under. The sorcery functions are hooks that record a
 * declaration instead of resolving anything; the grimoire's own helper
 * functions that DEPENDS files use (vdepends, depends_one_of,
 * optional_depends_one_of, buildsys_depends, buildsys_optional_depends) are
 * read the way the grimoire defines them, whether or not the grimoire
 * being imported ships the file that defines them.
 */
import { type Call, type Hook, isKnown, unknownVal, val, type Val } from './evaluate.js';

export type DeclKind = 'required' | 'runtime' | 'optional' | 'suggest';

export interface DepDecl {
  readonly kind: DeclKind;
  /** The sorcery function that declared it. */
  readonly via: string;
  readonly name: Val;
  /** Flags when the dependency is on (for required ones: the flags sorcery adds to OPTS). */
  readonly on: string;
  readonly off: string;
  readonly description: string;
  readonly subs: readonly string[];
  /** Version constraints (vdepends). */
  readonly constraints: string;
  /** Other choices of a one-of declaration. */
  readonly oneOf: readonly string[] | null;
  /** What could not be expanded in the flags and description, and the unset variables they read. */
  readonly unknownParts: readonly string[];
  readonly unsetRead: readonly string[];
  readonly conds: readonly string[];
  readonly dead: string | null;
  readonly file: string;
  readonly line: number;
}

function text(v: Val | undefined): string {
  return v === undefined ? '' : v.s;
}

/** Hooks that record dependency declarations into `out`. */
export function dependsHooks(out: DepDecl[]): Map<string, Hook> {
  const h = new Map<string, Hook>();
  const record = (
    c: Call,
    d: Omit<DepDecl, 'conds' | 'dead' | 'file' | 'line' | 'via' | 'constraints' | 'oneOf' | 'unknownParts' | 'unsetRead'> &
      Partial<Pick<DepDecl, 'constraints' | 'oneOf' | 'via'>>,
  ): void => {
    const rest = c.args.slice(1);
    out.push({
      via: c.name,
      constraints: '',
      oneOf: null,
      ...d,
      unknownParts: [...new Set(rest.flatMap((a) => a.unknown))],
      unsetRead: [...new Set(rest.flatMap((a) => a.unset))],
      conds: c.conds,
      dead: c.dead,
      file: c.file,
      line: c.src.line,
    });
  };
  /** [-sub S] NAME REST... */
  const subArgs = (args: readonly Val[]): { subs: string[]; rest: readonly Val[] } => {
    if (args[0]?.s === '-sub') return { subs: text(args[1]).split(/[\s,]+/).filter(Boolean), rest: args.slice(2) };
    return { subs: [], rest: args };
  };
  const required = (kind: DeclKind): Hook => (c) => {
    const { subs, rest } = subArgs(c.args);
    if (!rest[0]) return 'T';
    record(c, { kind, name: rest[0], on: text(rest[1]), off: '', description: text(rest[2]), subs });
    return 'T';
  };
  const optional = (kind: DeclKind): Hook => (c) => {
    const { subs, rest } = subArgs(c.args);
    if (!rest[0]) return 'T';
    record(c, { kind, name: rest[0], on: text(rest[1]), off: text(rest[2]), description: text(rest[3]), subs });
    return 'T';
  };
  h.set('depends', required('required'));
  h.set('requires', required('required'));
  h.set('force_depends', required('required'));
  h.set('runtime_depends', required('runtime'));
  h.set('optional_depends', optional('optional'));
  h.set('suggest_depends', optional('suggest'));
  h.set('sub_depends', (c) => {
    if (c.args[0]) record(c, { kind: 'required', name: c.args[0], on: '', off: '', description: '', subs: [text(c.args[1])] });
    return 'T';
  });

  // vdepends <<EOF: "spell[subs] op version ... flags: ..." per line; *spell is a runtime dependency.
  h.set('vdepends', (c) => {
    const body = c.heredoc;
    if (body === null) return 'T';
    for (const raw of body.s.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      let [dep = '', ...restWords] = line.split(/\s+/);
      let rest = ' ' + restWords.join(' ');
      let flags = '';
      const fm = /[ \t]flags:(.*)$/.exec(rest);
      if (fm) {
        flags = fm[1]!.trim();
        rest = rest.slice(0, fm.index);
      }
      let subs: string[] = [];
      const sm = /^(.*)\[(.*)\]$/.exec(dep);
      if (sm) {
        dep = sm[1]!;
        subs = sm[2]!.split(',').map((s) => s.trim()).filter(Boolean);
      }
      const runtime = dep.startsWith('*');
      if (runtime) dep = dep.slice(1);
      const name = body.unknown.length && /\$/.test(dep) ? unknownVal(dep) : val(dep);
      record(c, { kind: runtime ? 'runtime' : 'required', name, on: flags, off: '', description: '', subs, constraints: rest.trim() });
    }
    return 'T';
  });

  // depends_one_of VAR spell opts spell opts ... description
  h.set('depends_one_of', (c) => {
    const [variable, ...args] = c.args;
    const choices = oneOfChoices(args, 3);
    if (variable && isKnown(variable)) c.interp.set(variable.s, unknownVal(`$${variable.s} (the choice of depends_one_of)`));
    const description = text(args[args.length - 1]);
    const first = choices[0];
    if (first) {
      record(c, { kind: 'required', name: val(first.spell), on: first.opts, off: '', description, subs: first.subs, oneOf: choices.map((x) => x.spell) });
    }
    return 'T';
  });
  // optional_depends_one_of VAR spell opts spell opts ... none-opts description
  h.set('optional_depends_one_of', (c) => {
    const [variable, ...args] = c.args;
    const choices = oneOfChoices(args, 4);
    if (variable && isKnown(variable)) c.interp.set(variable.s, unknownVal(`$${variable.s} (the choice of optional_depends_one_of)`));
    const off = text(args[args.length - 2]);
    const description = text(args[args.length - 1]);
    for (const ch of choices) {
      record(c, { kind: 'optional', name: val(ch.spell), on: ch.opts, off, description, subs: ch.subs, oneOf: choices.map((x) => x.spell) });
    }
    return 'T';
  });

  const buildsys = (kind: 'required' | 'optional'): Hook => (c) => {
    const d = readBuildsysArgs(c);
    if (d === null) return 'T';
    record(c, { kind, name: d.spell, on: d.enabled, off: kind === 'optional' ? d.disabled : '', description: d.msg, subs: d.subs });
    return 'T';
  };
  h.set('buildsys_depends', buildsys('required'));
  h.set('buildsys_optional_depends', buildsys('optional'));
  return h;
}

function oneOfChoices(args: readonly Val[], min: number): { spell: string; opts: string; subs: string[] }[] {
  const out: { spell: string; opts: string; subs: string[] }[] = [];
  let i = 0;
  while (args.length - i >= min) {
    let subs: string[] = [];
    if (args[i]?.s === '-sub') {
      subs = text(args[i + 1]).split(/[\s,]+/).filter(Boolean);
      i += 2;
    }
    out.push({ spell: text(args[i]), opts: text(args[i + 1]), subs });
    i += 2;
  }
  return out;
}

/**
 * buildsys_[optional_]depends [-a SYS] [-g G] [-o NAME] [-sub S] SPELL
 *   ([-b] SYS [-o NAME] MESSAGE [ENABLED [DISABLED]])...  (or just MESSAGE ...)
 * Flags default by build system: autotools --enable-NAME/--disable-NAME,
 * cmake -DNAME=ON/OFF, meson NAME=enabled/disabled, when an option NAME
 * is given with -o.
 */
function readBuildsysArgs(c: Call): { spell: Val; msg: string; enabled: string; disabled: string; subs: string[] } | null {
  const a = c.args.map((v) => v.s);
  let i = 0;
  const sysVal = c.interp.get('SPELL_BUILD_SYSTEM')?.s ?? 'autotools';
  let target = sysVal === 'configure' ? 'autotools' : sysVal;
  if (a[i] === '-a') {
    target = a[i + 1] ?? target;
    i += 2;
  }
  let globalName: string | undefined;
  let subs: string[] = [];
  for (;;) {
    if (a[i] === '-g') i += 2;
    else if (a[i] === '-o') {
      globalName = a[i + 1];
      i += 2;
    } else if (a[i] === '-sub') {
      subs = (a[i + 1] ?? '').split(/[\s,]+/).filter(Boolean);
      i += 2;
    } else break;
  }
  const spell = c.args[i];
  if (spell === undefined) return null;
  i++;
  // blocks: [-b SYS] [-o NAME] MSG [ENABLED] [DISABLED]
  type Block = { msg: string; enabled?: string; disabled?: string; name?: string };
  let chosen: Block | null = null;
  let first: Block | null = null;
  while (i < a.length) {
    let sys = target;
    if (a[i] === '-b') {
      sys = a[i + 1] ?? target;
      i += 2;
    }
    const block: Block = { msg: '' };
    const vals: string[] = [];
    while (i < a.length && a[i] !== '-b' && vals.length < 3) {
      if (a[i] === '-o') {
        block.name = a[i + 1];
        i += 2;
        continue;
      }
      vals.push(a[i]!);
      i++;
    }
    [block.msg = '', block.enabled, block.disabled] = vals;
    first ??= block;
    if (sys === target || (sys === 'configure' && target === 'autotools')) {
      chosen = block;
      break;
    }
  }
  const b = chosen ?? first ?? { msg: '' };
  // Defaults only when an option name was given (-o), as the grimoire's function does.
  const name = b.name ?? globalName;
  const dflt = (on: boolean): string => {
    if (name === undefined || name === '') return '';
    switch (target) {
      case 'cmake':
        return `-D${name}=${on ? 'ON' : 'OFF'}`;
      case 'meson':
        return `${name}=${on ? 'enabled' : 'disabled'}`;
      default:
        return `--${on ? 'enable' : 'disable'}-${name}`;
    }
  };
  return { spell, msg: b.msg, enabled: b.enabled ?? dflt(true), disabled: b.disabled ?? dflt(false), subs };
}
