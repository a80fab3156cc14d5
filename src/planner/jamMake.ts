/**
 * The update analysis of jam (make.c's make0): bind every target reachable
 * from the requested ones, scan headers, and decide each target's fate from
 * timestamps and flags. Pure with respect to the host: binding and header
 * scanning are done through `MakeHost`.
 */
import type { JamReporter } from '../events.js';
import {
  Binding,
  BINDING_NAMES,
  Fate,
  FATE_NAMES,
  type Target,
  TargetFlag,
  type TargetTable,
} from '../graph/target.js';

export interface DebugFlags {
  /** -d1 / -da: the actions and the counts. */
  make: boolean;
  /** -d3 / -dm: the make0 trace. */
  makeProg: boolean;
  /** -dd: the dependency graph. */
  depends: boolean;
  /** -dc: the causes of rebuilds. */
  causes: boolean;
  /** -da: show quiet actions too. */
  makeQuiet: boolean;
  /** -dx: the text of commands. */
  exec: boolean;
}

export interface MakeHost {
  readonly reporter: JamReporter;
  /** Bind the target under its own variables: its file name and time (0 if missing). */
  bind(t: Target): { boundname: string; time: number };
  /** Scan a bound target for headers (under its variables), calling HDRRULE. */
  scanHeaders(t: Target): void;
}

export interface MakeOptions {
  readonly anyhow: boolean;
  readonly newestFirst: boolean;
  readonly debug: DebugFlags;
}

export interface MakeCounts {
  temp: number;
  updating: number;
  cantFind: number;
  cantMake: number;
  targets: number;
}

/** Analyse the targets named; returns the hidden root and the counts. */
export function makeAnalysis(
  table: TargetTable,
  names: readonly string[],
  opts: MakeOptions,
  host: MakeHost,
): { root: Target; counts: MakeCounts } {
  const counts: MakeCounts = { temp: 0, updating: 0, cantFind: 0, cantMake: 0, targets: 0 };
  const root = table.bind('<all>all');
  for (const n of names) root.depends.push(table.bind(n));
  new Make0(opts, host, counts).make0(root, null, 0);
  if (opts.debug.make) {
    host.reporter.emit({
      type: 'makeCounts',
      found: counts.targets,
      temp: counts.temp,
      updating: counts.updating,
      cantFind: counts.cantFind,
      cantMake: counts.cantMake,
    });
  }
  return { root, counts };
}

class Make0 {
  constructor(
    private readonly opts: MakeOptions,
    private readonly host: MakeHost,
    private readonly counts: MakeCounts,
  ) {}

  make0(t: Target, p: Target | null, depth: number): void {
    const { debug, anyhow } = this.opts;
    const emit = this.host.reporter;
    let ptime: Target = t;

    if (debug.makeProg) emit.emit({ type: 'trace', kind: 'make', depth, target: t.name, detail: '' });
    t.fate = Fate.making;

    // Step 2: bind the target and scan it for headers, under its variables.
    if (t.binding === Binding.unbound && !(t.flags & TargetFlag.notfile)) {
      const b = this.host.bind(t);
      t.boundname = b.boundname;
      t.time = b.time;
      t.binding = t.time ? Binding.exists : Binding.missing;
    }
    if (p !== null && t.flags & TargetFlag.internal) ptime = p;
    if (p !== null && t.flags & TargetFlag.temp && t.binding === Binding.missing && p.binding !== Binding.missing) {
      t.binding = Binding.parents;
      ptime = p;
    }
    if (t.binding === Binding.exists) this.host.scanHeaders(t);

    if (debug.makeProg) {
      if (t.name !== t.boundname) {
        emit.emit({ type: 'trace', kind: 'bind', depth, target: t.name, detail: t.boundname });
      }
      emit.emit({
        type: 'trace',
        kind: 'time',
        depth,
        target: t.name,
        detail: t.binding === Binding.exists ? t.time : BINDING_NAMES[t.binding],
      });
    }

    // Step 3: the dependencies and the includes node.
    const internal = (t.flags & TargetFlag.internal) !== 0;
    for (let i = 0; i < t.depends.length; i++) {
      const c = t.depends[i]!;
      if (debug.depends) emit.emit({ type: 'dependency', internal, target: t.name, source: c.name });
      if (c.fate === Fate.init) this.make0(c, ptime, depth + 1);
      else if (c.fate === Fate.making && !internal) emit.emit({ type: 'dependsOnItself', target: t.name });
    }
    if (t.includes) this.make0(t.includes, p, depth + 1);
    const incs: Target[] = [];
    for (const c of t.depends) if (c.includes) incs.push(c.includes);
    if (incs.length) t.depends = t.depends.concat(incs);

    // Step 4: time and fate.
    let last = 0;
    let leaf = 0;
    let fate: number = Fate.stable;
    for (const c of t.depends) {
      leaf = Math.max(leaf, c.leaf);
      if (t.flags & TargetFlag.leaves) {
        last = leaf;
        continue;
      }
      last = Math.max(last, c.time);
      fate = Math.max(fate, c.fate);
    }
    const hlast = t.includes ? t.includes.time : 0;
    if (t.flags & TargetFlag.noupdate) {
      last = 0;
      t.time = 0;
      fate = Fate.stable;
    }

    if (fate >= Fate.broken) fate = Fate.cantmake;
    else if (fate >= Fate.spoil) fate = Fate.update;
    else if (t.binding === Binding.missing) fate = Fate.missing;
    else if (t.binding === Binding.exists && last > t.time) fate = Fate.outdated;
    else if (t.binding === Binding.parents && last > p!.time) fate = Fate.needtmp;
    else if (t.binding === Binding.parents && hlast > p!.time) fate = Fate.needtmp;
    else if (t.flags & TargetFlag.touched) fate = Fate.touched;
    else if (anyhow && !(t.flags & TargetFlag.noupdate)) fate = Fate.touched;
    else if (t.binding === Binding.exists && t.flags & TargetFlag.temp) fate = Fate.istmp;
    else if (t.binding === Binding.exists && p !== null && p.binding !== Binding.unbound && t.time > p.time) {
      fate = Fate.newer;
    } else fate = Fate.stable;

    if (fate === Fate.missing && !t.actions && !t.depends.length) {
      if (t.flags & TargetFlag.nocare) fate = Fate.stable;
      else {
        emit.emit({ type: 'dontKnow', target: t.name });
        fate = Fate.cantfind;
      }
    }

    t.time = Math.max(t.time, last);
    t.leaf = leaf ? leaf : t.time;
    t.fate = fate;

    // Step 5: newest dependencies first (-g).
    if (this.opts.newestFirst) t.depends = sortNewestFirst(t.depends);

    // Step 6: counting and tracing; internal includes nodes are not counted.
    if (t.flags & TargetFlag.internal) return;
    if (!(++this.counts.targets % 1000) && debug.make) emit.emit({ type: 'patience' });
    if (fate === Fate.istmp) this.counts.temp++;
    else if (fate === Fate.cantfind) this.counts.cantFind++;
    else if (fate === Fate.cantmake && t.actions) this.counts.cantMake++;
    else if (fate >= Fate.build && fate < Fate.broken && t.actions) this.counts.updating++;

    let flag = '';
    if (!(t.flags & TargetFlag.notfile) && fate >= Fate.spoil) flag = '+';
    else if (t.binding === Binding.exists && p !== null && t.time > p.time) flag = '*';
    if (debug.makeProg) {
      emit.emit({ type: 'trace', kind: 'made', depth, target: t.name, detail: FATE_NAMES[t.fate]!, flag });
    }
    if (debug.causes && t.fate >= Fate.newer && t.fate <= Fate.missing) {
      emit.emit({ type: 'cause', fate: FATE_NAMES[t.fate]!, target: t.name });
    }
  }
}

/** jam's make0sort: newest first; among equal times, later entries go first. */
function sortNewestFirst(chain: Target[]): Target[] {
  const result: Target[] = [];
  for (const c of chain) {
    let j = 0;
    while (j < result.length && result[j]!.time > c.time) j++;
    result.splice(j, 0, c);
  }
  return result;
}
