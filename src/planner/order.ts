/**
 * Build order over the package graph: strongly connected components
 * (Tarjan's algorithm, iterative so deep graphs cannot overflow the stack),
 * emitted dependencies first. This is the planner's hot path, so it works
 * on integer ids and flat arrays rather than a general graph library
 * (@dagrejs/graphlib needs about 5 s just to build a 100,000-node graph;
 * it serves `jux graph` instead).
 *
 * A cycle is broken deterministically: inside a component members follow
 * their dependencies where they can; where they cannot, the first member by
 * name that waits only on non-build dependencies goes first (a build tool
 * always comes before its user). A cycle made only of build dependencies
 * cannot be ordered and is reported as such.
 */

export interface OrderEdge {
  readonly to: number;
  /** True for build-only dependencies (they break cycles last). */
  readonly build: boolean;
}

export interface OrderResult {
  /** Node ids, every dependency before its dependants (cycles broken). */
  readonly order: number[];
  /** Components with more than one member, or a member depending on itself. */
  readonly cycles: number[][];
  /** Cycles that consist of build dependencies only (unorderable). */
  readonly buildCycles: number[][];
}

/**
 * `edges[n]` are the dependencies of node n; `names[n]` break ties.
 * Nodes are visited in name order, so the result does not depend on input order.
 */
export function buildOrder(names: readonly string[], edges: readonly (readonly OrderEdge[])[]): OrderResult {
  const n = names.length;
  const byName = Array.from({ length: n }, (_, i) => i).sort((a, b) => cmp(names[a]!, names[b]!));
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const order: number[] = [];
  const cycles: number[][] = [];
  const buildCycles: number[][] = [];
  let counter = 0;
  // Explicit DFS stack: (node, next edge position).
  const dfsNode = new Int32Array(n);
  const dfsEdge = new Int32Array(n);

  for (const start of byName) {
    if (index[start] !== -1) continue;
    let sp = 0;
    dfsNode[0] = start;
    dfsEdge[0] = 0;
    index[start] = low[start] = counter++;
    stack.push(start);
    onStack[start] = 1;
    while (sp >= 0) {
      const v = dfsNode[sp]!;
      const out = edges[v]!;
      const e = dfsEdge[sp]!;
      if (e < out.length) {
        dfsEdge[sp] = e + 1;
        const w = out[e]!.to;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          sp++;
          dfsNode[sp] = w;
          dfsEdge[sp] = 0;
        } else if (onStack[w]) {
          if (index[w]! < low[v]!) low[v] = index[w]!;
        }
        continue;
      }
      // v is finished
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        if (comp.length === 1) {
          if (edges[v]!.some((x) => x.to === v)) cycles.push(comp);
          order.push(v);
        } else {
          const { ordered, stuck } = orderComponent(comp, names, edges);
          cycles.push(ordered);
          if (stuck) buildCycles.push(ordered);
          for (const x of ordered) order.push(x);
        }
      }
      sp--;
      if (sp >= 0) {
        const parent = dfsNode[sp]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { order, cycles, buildCycles };
}

/**
 * Order a cyclic component: every dependency inside it first where possible;
 * when nothing is ready, the cycle is broken at the first member by name
 * whose unmet dependencies are not build dependencies. If every waiting
 * member waits on a build dependency, the build dependencies themselves form
 * a cycle: the first by name goes, and the component is reported.
 */
function orderComponent(
  comp: number[],
  names: readonly string[],
  edges: readonly (readonly OrderEdge[])[],
): { ordered: number[]; stuck: boolean } {
  const members = new Set(comp);
  const done = new Set<number>();
  const unmet = (v: number): OrderEdge[] => edges[v]!.filter((e) => members.has(e.to) && e.to !== v && !done.has(e.to));
  const byName = [...comp].sort((a, b) => cmp(names[a]!, names[b]!));
  const ordered: number[] = [];
  let stuck = false;
  while (ordered.length < comp.length) {
    const waiting = byName.filter((v) => !done.has(v));
    let next = waiting.find((v) => unmet(v).length === 0);
    if (next === undefined) next = waiting.find((v) => unmet(v).every((e) => !e.build));
    if (next === undefined) {
      stuck = true;
      next = waiting[0]!;
    }
    ordered.push(next);
    done.add(next);
  }
  return { ordered, stuck };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
