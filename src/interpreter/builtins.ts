/**
 * The built-in rules of jam 2.6.1: Always, Depends, Echo, Exit, Glob,
 * Includes, Leaves, Match, NoCare, NotFile (and NOTIME), NoUpdate,
 * Temporary, each also in upper case; echo and exit also in lower case.
 */
import { buildPath, parsePath } from './pathname.js';
import { globMatch } from './glob.js';
import { compileRegexp, execRegexp, RegexpError } from './regexp.js';
import { TargetFlag, TargetTable } from '../graph/target.js';
import type { Interpreter } from './interpreter.js';
import { JamExit } from './interpreter.js';
import type { BuiltinFn } from './rules.js';
import { EMPTY, type List } from './variables.js';

export function installBuiltins(interp: Interpreter): void {
  const define = (names: string[], run: BuiltinFn): void => {
    for (const n of names) interp.rules.bind(n).procedure = { kind: 'builtin', run };
  };
  const flags = (flag: number): BuiltinFn => {
    return (args) => {
      for (const name of args[0] ?? EMPTY) interp.targets.bind(name).flags |= flag;
      return EMPTY;
    };
  };
  const depends = (includes: boolean): BuiltinFn => {
    return (args) => {
      const sources = args[1] ?? EMPTY;
      for (const name of args[0] ?? EMPTY) {
        let t = interp.targets.bind(name);
        if (includes) t = t.includes ??= TargetTable.internalCopy(t);
        for (const s of sources) t.depends.push(interp.targets.bind(s));
      }
      return EMPTY;
    };
  };

  define(['Always', 'ALWAYS'], flags(TargetFlag.touched));
  define(['Depends', 'DEPENDS'], depends(false));
  define(['echo', 'Echo', 'ECHO'], (args) => {
    interp.reporter.emit({ type: 'echo', words: args[0] ?? EMPTY });
    return EMPTY;
  });
  define(['exit', 'Exit', 'EXIT'], (args) => {
    interp.reporter.emit({ type: 'echo', words: args[0] ?? EMPTY });
    throw new JamExit(1);
  });
  define(['Glob', 'GLOB'], (args) => glob(interp, args[0] ?? EMPTY, args[1] ?? EMPTY));
  define(['Includes', 'INCLUDES'], depends(true));
  define(['Leaves', 'LEAVES'], flags(TargetFlag.leaves));
  define(['Match', 'MATCH'], (args) => match(interp, args[0] ?? EMPTY, args[1] ?? EMPTY));
  define(['NoCare', 'NOCARE'], flags(TargetFlag.nocare));
  define(['NOTIME', 'NotFile', 'NOTFILE'], flags(TargetFlag.notfile));
  define(['NoUpdate', 'NOUPDATE'], flags(TargetFlag.noupdate));
  define(['Temporary', 'TEMPORARY'], flags(TargetFlag.temp));
}

/** Glob dirs : patterns — entries (with "." and "..") whose names match a pattern. */
function glob(interp: Interpreter, dirs: List, patterns: List): List {
  const out: string[] = [];
  for (const dir of dirs) {
    const entries: string[] = [];
    if (dir === '/') entries.push('/');
    const names = interp.disk.readdir(dir === '' ? '.' : dir);
    if (names === null) continue;
    for (const n of ['.', '..', ...names]) {
      entries.push(buildPath({ grist: '', root: '', dir, base: n, suffix: '', member: '' }));
    }
    for (const file of entries) {
      const f = parsePath(file);
      f.dir = '';
      const leaf = buildPath(f);
      if (patterns.some((p) => globMatch(p, leaf))) out.push(file);
    }
  }
  return out;
}

/** Match regexps : strings — the () groups of every match. */
function match(interp: Interpreter, regexps: List, strings: List): List {
  const out: string[] = [];
  for (const pattern of regexps) {
    let re;
    try {
      re = compileRegexp(pattern);
    } catch (e) {
      if (!(e instanceof RegexpError)) throw e;
      interp.reporter.emit({ type: 'regexpError', message: e.message });
      for (let i = 0; i < strings.length; i++) interp.reporter.emit({ type: 'regexpError', message: 'NULL parameter' });
      continue;
    }
    for (const s of strings) {
      const groups = execRegexp(re, s);
      if (groups) out.push(...groups);
    }
  }
  return out;
}
