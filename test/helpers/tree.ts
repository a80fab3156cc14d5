/** Small spell trees written inside tests, planned with the real code. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultRulesDir } from '../../src/config/config.js';
import type { PackageGraph } from '../../src/graph/packageGraph.js';
import { loadPackageGraph } from '../../src/graph/treeCache.js';
import { type Plan, type PlanRequest, planRebuilds } from '../../src/planner/rebuild.js';
import { resolveDependencies, type ResolveConfig } from '../../src/planner/resolve.js';
import { installedRecordFor } from '../../src/state/records.js';
import type { InstalledRecord } from '../../src/state/stateFile.js';

export class Tree {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-tree-'));
  installed = new Map<string, InstalledRecord>();
  config: ResolveConfig = { providers: {}, options: {} };
  private clock = Date.UTC(2026, 0, 1);

  /** Write spells: name -> source text (a file spells/<section>/<name>.jux). */
  write(files: Record<string, string>): this {
    for (const [name, text] of Object.entries(files)) {
      const p = path.join(this.dir, name.includes('/') ? name : `test/${name}.jux`);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    }
    return this;
  }

  async graph(roots: string[] = [this.dir]): Promise<PackageGraph> {
    return (await loadPackageGraph(roots, defaultRulesDir(), {}, null)).graph;
  }

  async plan(request: Partial<PlanRequest> = {}, roots?: string[]): Promise<Plan> {
    const graph = await this.graph(roots);
    const resolution = resolveDependencies(graph, this.installed, this.config);
    return planRebuilds({
      graph,
      resolution,
      installed: this.installed,
      failures: new Map(),
      request: { mode: 'tree', targets: [], forceAll: false, rebuild: [], ...request },
      cachedArchives: new Set(),
    });
  }

  /** Pretend every entry of the plan was built and installed, in order. */
  async apply(plan: Plan, roots?: string[]): Promise<void> {
    const graph = await this.graph(roots);
    for (const e of plan.entries) {
      this.clock += 1000;
      const rec = installedRecordFor(e, graph.spells.get(e.name)!, (n) => this.installed.get(n), new Date(this.clock).toISOString(), null);
      this.installed.set(e.name, rec);
    }
  }

  /** Plan the whole tree and install it. */
  async buildAll(): Promise<Plan> {
    const p = await this.plan();
    await this.apply(p);
    return p;
  }
}

/** "name:reason-kinds" for each entry, in plan order. */
export function summary(plan: Plan): string[] {
  return plan.entries.map((e) => `${e.name}:${e.reasons.map((r) => r.kind).join(',')}`);
}
