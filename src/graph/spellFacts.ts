/**
 * What the spell vocabulary records: the package-layer built-ins the
 * engine adds (JuxSpell, JuxSet, JuxAdd, JuxDepends, JuxOptional,
 * JuxProvides, JuxArity) and the facts they produce. rules/spells.jux
 * defines the spell statements in terms of these.
 *
 * A fact carries the position of the spell-file statement that caused it
 * (not of the built-in call inside rules/), so errors point at the spell.
 */
import type { SourcePos } from '../events.js';
import type { Interpreter } from '../interpreter/interpreter.js';
import { EMPTY, type List } from '../interpreter/variables.js';

export type DependencyKind = 'tight' | 'loose' | 'build' | 'runtime';
export const DEPENDENCY_KINDS: readonly DependencyKind[] = ['tight', 'loose', 'build', 'runtime'];

export type Fact =
  | { readonly op: 'spell'; readonly name: string; readonly at: SourcePos }
  | { readonly op: 'set' | 'add'; readonly target: string; readonly key: string; readonly values: List; readonly at: SourcePos }
  | { readonly op: 'depends'; readonly name: string; readonly kind: DependencyKind; readonly deps: List; readonly at: SourcePos }
  | {
      readonly op: 'optional';
      readonly name: string;
      readonly dep: string;
      readonly on: List;
      readonly off: List;
      readonly description: string;
      readonly at: SourcePos;
    }
  | { readonly op: 'provides'; readonly name: string; readonly caps: List; readonly at: SourcePos };

/** Where recorded facts go. */
export interface FactSink {
  fact(f: Fact): void;
}

export const ATTRIBUTE_KEYS = ['version', 'description', 'license', 'section', 'abi', 'sources', 'urls', 'sha256'];

/** Install the package-layer built-ins into an interpreter. */
export function installSpellBuiltins(interp: Interpreter, sink: FactSink): void {
  const site = (): SourcePos => interp.statementSite();
  const define = (name: string, run: (args: readonly List[]) => void): void => {
    interp.rules.bind(name).procedure = {
      kind: 'builtin',
      run: (args) => {
        run(args);
        return EMPTY;
      },
    };
  };
  const arg = (args: readonly List[], i: number): List => args[i] ?? EMPTY;

  define('JuxSpell', (args) => {
    for (const name of arg(args, 0)) sink.fact({ op: 'spell', name, at: site() });
  });
  for (const op of ['set', 'add'] as const) {
    define(op === 'set' ? 'JuxSet' : 'JuxAdd', (args) => {
      const key = arg(args, 1)[0] ?? '';
      for (const target of arg(args, 0)) sink.fact({ op, target, key, values: arg(args, 2), at: site() });
    });
  }
  define('JuxDepends', (args) => {
    const kind = arg(args, 1)[0] as DependencyKind;
    const deps = arg(args, 2);
    if (!DEPENDENCY_KINDS.includes(kind)) {
      interp.diagnostic('error', `JuxDepends: unknown dependency kind ${kind ?? '(none)'}`);
      return;
    }
    for (const name of arg(args, 0)) sink.fact({ op: 'depends', name, kind, deps, at: site() });
  });
  define('JuxOptional', (args) => {
    const description = arg(args, 4).join(' ');
    for (const name of arg(args, 0)) {
      for (const dep of arg(args, 1)) {
        sink.fact({ op: 'optional', name, dep, on: arg(args, 2), off: arg(args, 3), description, at: site() });
      }
    }
  });
  define('JuxProvides', (args) => {
    for (const name of arg(args, 0)) sink.fact({ op: 'provides', name, caps: arg(args, 1), at: site() });
  });
  define('JuxArity', (args) => {
    const [min, max] = arg(args, 1).map(Number);
    for (const rule of arg(args, 0)) {
      if (min !== undefined && !Number.isNaN(min)) interp.declareArity(rule, min, max ?? min);
    }
  });
  // Jam's plain Depends between spells is a tight dependency: record it
  // too (the package graph keeps only edges between spells).
  const depends = interp.rules.bind('Depends').procedure;
  interp.rules.bind('Depends').procedure = {
    kind: 'builtin',
    run: (args, at) => {
      for (const name of arg(args, 0)) sink.fact({ op: 'depends', name, kind: 'tight', deps: arg(args, 1), at: site() });
      return depends && depends.kind === 'builtin' ? depends.run(args, at) : EMPTY;
    },
  };
}
