/**
 * What most commands need: the configuration, the package graph (from the
 * tree cache when nothing changed), the installed state and the resolution
 * of dependency names. Load errors end the command with status 2 after
 * every finding is printed.
 */
import path from 'node:path';
import { type Config, type ConfigOverrides, loadConfig } from '../config/config.js';
import { JuxError } from '../errors.js';
import { type PackageGraph, PHASES, type Phase } from '../graph/packageGraph.js';
import type { Diagnostic } from '../graph/spellTree.js';
import { loadPackageGraph } from '../graph/treeCache.js';
import { type Resolution, resolveDependencies } from '../planner/resolve.js';
import { formatDiagnostic } from '../render/diagnostics.js';
import { byPosition, pointAtWords } from '../lint/position.js';
import type { FailureRecord, InstalledRecord } from '../state/stateFile.js';
import { StateStore } from '../state/stateStore.js';
import fs from 'node:fs';

export interface Context {
  readonly config: Config;
  readonly graph: PackageGraph;
  readonly store: StateStore;
  readonly installed: Map<string, InstalledRecord>;
  readonly failures: Map<string, FailureRecord>;
  readonly resolution: Resolution;
  readonly treeFromCache: boolean;
  readonly echoes: readonly string[];
}

export function defaultScripts(config: Config): Partial<Record<Phase, string>> {
  const out: Partial<Record<Phase, string>> = {};
  for (const p of PHASES) {
    const f = path.join(config.rulesDir, 'phases', p.toUpperCase());
    if (fs.existsSync(f)) out[p] = f;
  }
  return out;
}

export function treeCacheFile(config: Config): string {
  return path.join(config.cache, 'index', 'tree.v8');
}

export async function loadContext(
  overrides: ConfigOverrides,
  opts: { strict?: boolean; cache?: boolean } = {},
): Promise<Context> {
  const config = await loadConfig(overrides);
  const { graph, cached, echoes } = await loadPackageGraph(
    config.roots,
    config.rulesDir,
    defaultScripts(config),
    opts.cache === false ? null : treeCacheFile(config),
  );
  const errors = graph.diagnostics.filter((d) => d.severity === 'error');
  if (opts.strict !== false && errors.length) throw loadError(errors);
  const store = new StateStore(config.state, path.join(config.cache, 'index', 'state.cache'));
  const { installed, failures } = await store.load();
  const resolution = resolveDependencies(graph, installed, config);
  return { config, graph, store, installed, failures, resolution, treeFromCache: cached, echoes };
}

/** A JuxError holding every diagnostic, printed in full. */
export function loadError(errors: readonly Diagnostic[], what = 'the spell tree has errors'): JuxError {
  return new JuxError(
    `${what} (${errors.length} error${errors.length === 1 ? '' : 's'})`,
    null,
    2,
    pointAtWords(errors)
      .sort(byPosition)
      .map((d) => formatDiagnostic(d, { cwd: process.cwd() })),
  );
}
