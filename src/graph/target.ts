/**
 * The target graph: Jam's TARGET, ACTION and the table of all targets.
 * The interpreter fills it; the planner (make) binds and judges it; the
 * scheduler (make1) runs its actions.
 */
import type { List, Settings } from '../interpreter/variables.js';

export const TargetFlag = {
  temp: 0x01,
  nocare: 0x02,
  notfile: 0x04,
  touched: 0x08,
  leaves: 0x10,
  noupdate: 0x20,
  /** An internal node holding a target's Includes. */
  internal: 0x40,
} as const;

export const Binding = { unbound: 0, missing: 1, parents: 2, exists: 3 } as const;
export type Binding = (typeof Binding)[keyof typeof Binding];

/** make0's diagnosis, in jam's order (comparisons depend on it). */
export const Fate = {
  init: 0,
  making: 1,
  stable: 2,
  newer: 3,
  spoil: 4,
  istmp: 4,
  build: 5,
  touched: 5,
  missing: 6,
  needtmp: 7,
  outdated: 8,
  update: 9,
  broken: 10,
  cantfind: 10,
  cantmake: 11,
} as const;

export const FATE_NAMES = [
  'init',
  'making',
  'stable',
  'newer',
  'temp',
  'touched',
  'missing',
  'needtmp',
  'old',
  'update',
  'nofind',
  'nomake',
] as const;

export const BINDING_NAMES = ['unbound', 'missing', 'parents', 'exists'] as const;

/** Progress of make1 over a target. */
export const Progress = { init: 0, onstack: 1, active: 2, running: 3, done: 4 } as const;

/** Command status, as execcmd reports it. */
export const Status = { ok: 0, fail: 1, intr: 2 } as const;

/** `actions` modifier bits (jam's RULE_*). */
export const RuleFlag = {
  updated: 0x01,
  together: 0x02,
  ignore: 0x04,
  quietly: 0x08,
  piecemeal: 0x10,
  existing: 0x20,
  maxlineUnit: 0x40,
} as const;

/** The command text of an `actions` definition. */
export interface ActionsDefinition {
  readonly text: string;
  /** RULE_* bits; maxline is flags / 0x40. */
  readonly flags: number;
  readonly bindlist: List;
}

/** What an action refers to: a rule whose `actions` may be redefined later. */
export interface ActionRule {
  readonly name: string;
  readonly actions: ActionsDefinition | null;
}

export interface Action {
  readonly rule: ActionRule;
  readonly targets: Target[];
  readonly sources: Target[];
  running: boolean;
  status: number;
}

export class Target {
  boundname: string;
  actions: Action[] | null = null;
  settings: Settings | null = null;
  flags = 0;
  binding: Binding = Binding.unbound;
  depends: Target[] = [];
  includes: Target | null = null;
  time = 0;
  leaf = 0;
  fate: number = Fate.init;
  progress: number = Progress.init;
  status: number = Status.ok;
  asynccnt = 0;
  parents: Target[] | null = null;
  /** Commands still to run (make1). */
  cmds: unknown = null;

  constructor(readonly name: string) {
    this.boundname = name;
  }
}

export class TargetTable {
  private readonly targets = new Map<string, Target>();

  /** The target of this name, created on first use (jam's bindtarget). */
  bind(name: string): Target {
    let t = this.targets.get(name);
    if (t === undefined) {
      t = new Target(name);
      this.targets.set(name, t);
    }
    return t;
  }

  find(name: string): Target | undefined {
    return this.targets.get(name);
  }

  get size(): number {
    return this.targets.size;
  }

  all(): IterableIterator<Target> {
    return this.targets.values();
  }

  /** The internal node that holds a target's Includes (jam's copytarget). */
  static internalCopy(t: Target): Target {
    const c = new Target(t.name);
    c.flags |= TargetFlag.notfile | TargetFlag.internal;
    return c;
  }
}
