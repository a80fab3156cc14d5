/**
 * Auditing the root against the records: files missing or changed since
 * they were installed, files two packages claim, stray files in directories
 * jux manages, new versions of config files waiting to be merged
 * (PATH.juxnew beside a package's PATH), installed packages whose
 * dependencies are not installed, and installed packages no spell root has
 * any more.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PackageGraph } from '../graph/packageGraph.js';
import type { InstalledRecord } from '../state/stateFile.js';
import type { StateStore } from '../state/stateStore.js';
import { JUXNEW } from '../config/configProtect.js';
import { changed, Ownership, STAGING } from './transaction.js';

export type AuditKind =
  | 'missing'
  | 'changed'
  | 'owned-twice'
  | 'stray'
  | 'config-update'
  | 'missing-dependency'
  | 'orphan'
  | 'no-file-list';

export interface AuditFinding {
  readonly kind: AuditKind;
  readonly package: string | null;
  readonly path: string | null;
  readonly message: string;
}

export function auditRoot(
  root: string,
  store: StateStore,
  installed: ReadonlyMap<string, InstalledRecord>,
  graph: PackageGraph | null,
): AuditFinding[] {
  const out: AuditFinding[] = [];
  const owners = new Ownership(store);
  const claims = new Map<string, string[]>();
  const managedDirs = new Set<string>();
  /** PATH.juxnew -> the package whose PATH it is the new version of. */
  const pending = new Map<string, string>();
  for (const name of [...installed.keys()].sort()) {
    const files = owners.filesOf(name);
    if (files === undefined) {
      out.push({ kind: 'no-file-list', package: name, path: null, message: `${name} has no file list (${store.filesPath(name)})` });
      continue;
    }
    for (const e of files) {
      if (e.type === 'd') {
        managedDirs.add(e.path);
        if (!fs.existsSync(path.join(root, e.path))) {
          out.push({ kind: 'missing', package: name, path: e.path, message: `${e.path} (a directory of ${name}) is missing` });
        }
        continue;
      }
      managedDirs.add(path.posix.dirname(e.path));
      claims.set(e.path, [...(claims.get(e.path) ?? []), name]);
      const abs = path.join(root, e.path);
      let exists = true;
      try {
        fs.lstatSync(abs);
      } catch {
        exists = false;
      }
      if (!exists) out.push({ kind: 'missing', package: name, path: e.path, message: `${e.path} (of ${name}) is missing` });
      else if (changed(abs, e)) out.push({ kind: 'changed', package: name, path: e.path, message: `${e.path} (of ${name}) changed since it was installed` });
      if (fs.existsSync(abs + JUXNEW)) pending.set(e.path + JUXNEW, name);
    }
  }
  for (const [p, name] of pending) {
    if (claims.has(p)) continue; // a package's own file of that name
    const of = p.slice(0, -JUXNEW.length);
    out.push({ kind: 'config-update', package: name, path: p, message: `${p} is ${name}'s new version of ${of}, kept beside the changed one: merge it into ${of}, or delete it` });
  }
  for (const [p, by] of claims) {
    if (by.length > 1) out.push({ kind: 'owned-twice', package: by.join(' '), path: p, message: `${p} is claimed by ${by.join(' and ')}` });
  }
  for (const dir of [...managedDirs].sort()) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, dir));
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const p = path.posix.join(dir, n);
      if (dir === '/' && (n === STAGING || n.startsWith('.jux-probe-'))) continue;
      if (claims.has(p) || managedDirs.has(p) || pending.has(p)) continue;
      out.push({ kind: 'stray', package: null, path: p, message: `${p} is not owned by any package` });
    }
  }
  for (const r of installed.values()) {
    for (const d of r.depends) {
      if (!installed.has(d.name)) {
        out.push({
          kind: 'missing-dependency',
          package: r.name,
          path: null,
          message: `${r.name} needs ${d.name} (${d.kind}), which is not installed`,
        });
      }
    }
    if (graph !== null && !graph.spells.has(r.name)) {
      out.push({ kind: 'orphan', package: r.name, path: null, message: `${r.name} ${r.version} is installed but no spell root has it any more` });
    }
  }
  return out;
}
