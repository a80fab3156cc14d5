/**
 * `jux graph [--dot] [TARGET...]`: the dependency graph of the tree (or of
 * the targets and what they depend on), as text or Graphviz dot. Built with
 * @dagrejs/graphlib.
 */
import * as graphlib from '@dagrejs/graphlib';
import { JuxError } from '../../errors.js';
import { loadContext } from '../context.js';
import { overridesFrom, say, sayJson } from '../options.js';

const STYLE: Record<string, string> = {
  tight: 'color=black,penwidth=2',
  loose: 'color=gray40',
  build: 'color=blue,style=dashed',
  runtime: 'color=darkgreen,style=dotted',
  optional: 'color=orange',
};

/** Text inside a DOT string: quotes and backslashes escaped. */
function esc(s: string): string {
  return s.replace(/["\\]/g, (c) => '\\' + c);
}

function q(s: string): string {
  return `"${esc(s)}"`;
}

export default async function graph(o: Record<string, unknown>, targets: string[]): Promise<number> {
  const ctx = await loadContext(overridesFrom(o), { strict: false });
  const g = new graphlib.Graph({ directed: true, multigraph: true });
  for (const s of ctx.graph.spells.values()) g.setNode(s.name, { version: s.version, installed: ctx.installed.has(s.name) });
  for (const [name, deps] of ctx.resolution.deps) {
    for (const d of deps) {
      if (!g.hasNode(d.name)) g.setNode(d.name, { version: ctx.installed.get(d.name)?.version ?? '', installed: true });
      g.setEdge(name, d.name, { kind: d.kind }, d.kind);
    }
  }
  let keep: Set<string> | null = null;
  if (targets.length) {
    keep = new Set();
    for (const t of targets) {
      if (!g.hasNode(t)) throw new JuxError(`no spell named ${t}`);
      for (const n of graphlib.alg.preorder(g, [t])) keep.add(n);
    }
  }
  const nodes = g.nodes().filter((n) => keep === null || keep.has(n)).sort();
  const edges = g.edges().filter((e) => keep === null || (keep.has(e.v) && keep.has(e.w)));
  if (o.json) {
    sayJson({
      nodes: nodes.map((n) => ({ name: n, ...(g.node(n) as object) })),
      edges: edges.map((e) => ({ from: e.v, to: e.w, kind: (g.edge(e) as { kind: string }).kind })),
    });
    return 0;
  }
  if (o.dot) {
    say('digraph jux {');
    say('  rankdir=LR;');
    say('  node [shape=box,fontname="Helvetica"];');
    for (const n of nodes) {
      const label = g.node(n) as { version: string; installed: boolean };
      // Name and version on two lines (DOT's \n, not an escaped backslash).
      say(`  ${q(n)} [label=${label.version ? `"${esc(n)}\\n${esc(label.version)}"` : q(n)}${label.installed ? ',style=filled,fillcolor="#e8f4e8"' : ''}];`);
    }
    for (const e of edges) {
      const kind = (g.edge(e) as { kind: string }).kind;
      say(`  ${q(e.v)} -> ${q(e.w)} [${STYLE[kind] ?? ''},tooltip=${q(kind)}];`);
    }
    say('}');
    return 0;
  }
  for (const n of nodes) {
    const out = edges.filter((e) => e.v === n);
    say(out.length ? `${n} -> ${out.map((e) => `${e.w} (${(g.edge(e) as { kind: string }).kind})`).join(', ')}` : n);
  }
  return 0;
}
