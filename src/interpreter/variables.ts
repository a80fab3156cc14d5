/**
 * Jam variables: one global table, with "local" and target-specific values
 * swapped in and out of it (jam's pushsettings/popsettings). That gives
 * Jam's dynamic scoping: a rule sees its callers' locals, and a plain
 * assignment changes whichever variable is visible.
 */

/** A Jam value: a list of strings. Never mutated once stored. */
export type List = readonly string[];
export const EMPTY: List = Object.freeze([]) as List;

export type AssignOp = 'set' | 'append' | 'default';

/** Variables to swap in for a target or a scope (jam's SETTINGS chain). */
export type Settings = Map<string, List>;

export class Variables {
  private readonly table = new Map<string, List>();

  get(name: string): List {
    return this.table.get(name) ?? EMPTY;
  }

  set(name: string, value: List, op: AssignOp = 'set'): void {
    switch (op) {
      case 'set':
        this.table.set(name, value);
        break;
      case 'append': {
        const old = this.table.get(name);
        this.table.set(name, old && old.length ? (value.length ? [...old, ...value] : old) : value);
        break;
      }
      case 'default': {
        const old = this.table.get(name);
        if (!old || old.length === 0) this.table.set(name, value);
        break;
      }
    }
  }

  /** Swap every setting with the current value (jam's pushsettings; popping is the same swap). */
  swapSettings(s: Settings | null): void {
    if (s === null) return;
    for (const [name, value] of s) {
      const old = this.table.get(name) ?? EMPTY;
      this.table.set(name, value);
      s.set(name, old);
    }
  }

  /**
   * Load NAME=value definitions (the environment, -s): values split at
   * blanks, or at ':' when the name ends in PATH, Path or path.
   */
  define(definitions: Iterable<string>): void {
    for (const d of definitions) {
      if (d === 'OS=Windows_NT') continue;
      const eq = d.indexOf('=');
      if (eq < 0) continue;
      const name = d.slice(0, eq);
      const tail = eq >= 4 ? d.slice(eq - 4, eq) : '';
      const split = tail === 'PATH' || tail === 'Path' || tail === 'path' ? ':' : ' ';
      this.table.set(name, d.slice(eq + 1).split(split));
    }
  }
}

/** Add a setting to a settings map (jam's addsettings). */
export function addSetting(s: Settings | null, op: AssignOp, name: string, value: List): Settings {
  const settings = s ?? new Map<string, List>();
  const old = settings.get(name);
  if (old === undefined) settings.set(name, value);
  else if (op === 'set') settings.set(name, value);
  else if (op === 'append') settings.set(name, old.length ? [...old, ...value] : value);
  // 'default': the old value stays, even when it is empty.
  return settings;
}

export function copySettings(s: Settings | null): Settings | null {
  return s === null ? null : new Map(s);
}
