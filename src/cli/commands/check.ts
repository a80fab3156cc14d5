/**
 * `jux check [--spells | --files] [--strict] [--json]`: lint the spell tree
 * and audit the installed files. Status 1 when an error (lint) or any
 * problem (audit) is found.
 */
import path from 'node:path';
import { auditRoot } from '../../installer/audit.js';
import { lintTree } from '../../lint/lint.js';
import { diagnosticJson, formatDiagnostic } from '../../render/diagnostics.js';
import { paint } from '../../render/style.js';
import { StateStore } from '../../state/stateStore.js';
import { loadContext } from '../context.js';
import { overridesFrom, say, sayJson } from '../options.js';

export default async function check(o: Record<string, unknown>): Promise<number> {
  const doSpells = !o.files || Boolean(o.spells);
  const doFiles = !o.spells || Boolean(o.files);
  const ctx = await loadContext(overridesFrom(o), { strict: false });
  const lint = doSpells
    ? lintTree(ctx.graph, ctx.resolution, {
        strict: Boolean(o.strict),
        rulesDir: ctx.config.rulesDir,
        mirrors: ctx.config.mirrors,
        installed: ctx.installed,
      })
    : [];
  const audit = doFiles
    ? auditRoot(ctx.config.root, new StateStore(ctx.config.state, path.join(ctx.config.cache, 'index', 'state.cache')), ctx.installed, ctx.graph)
    : [];
  const errors = lint.filter((d) => d.severity === 'error').length;
  const warnings = lint.length - errors;
  if (o.json) {
    sayJson({
      spells: lint.map(diagnosticJson),
      files: audit,
      errors,
      warnings,
      problems: audit.length,
      checked: { spells: doSpells ? ctx.graph.spells.size : 0, installed: doFiles ? ctx.installed.size : 0 },
    });
  } else {
    // Files under the current directory are named relative to it.
    for (const d of lint) say(formatDiagnostic(d, { cwd: process.cwd() }));
    for (const f of audit) say(`${paint.red(f.kind)}: ${f.message}`);
    const parts: string[] = [];
    if (doSpells) parts.push(`${count(ctx.graph.spells.size, 'spell')}: ${count(errors, 'error')}, ${count(warnings, 'warning')}`);
    if (doFiles) parts.push(`${count(ctx.installed.size, 'installed package')}: ${count(audit.length, 'problem')}`);
    say(parts.join('; '));
  }
  return errors || audit.length ? 1 : 0;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
