/** `jux info PACKAGE`: everything known about a package. */
import { JuxError } from '../../errors.js';
import { abiKey } from '../../graph/packageGraph.js';
import { describeReason } from '../../render/planText.js';
import { paint } from '../../render/style.js';
import { fromBytes } from '../../util/bytes.js';
import { loadContext } from '../context.js';
import { overridesFrom, say, sayJson } from '../options.js';
import { makePlan } from '../planning.js';
import { failureText } from '../../render/failure.js';

export default async function info(o: Record<string, unknown>, args: string[]): Promise<number> {
  const name = args[0]!;
  const ctx = await loadContext(overridesFrom(o), { strict: false });
  const spell = ctx.graph.spells.get(name);
  const inst = ctx.installed.get(name);
  const failed = ctx.failures.get(name);
  if (!spell && !inst) {
    const providers = ctx.graph.providers.get(name);
    if (providers?.length) return capabilityInfo(o, name, providers, ctx.resolution.chosenProviders.get(name) ?? null, (n) => ctx.installed.has(n));
    throw new JuxError(`no spell named ${name}, and nothing of that name is installed`);
  }
  const plan = spell ? makePlan(ctx, { mode: 'targets', targets: [name], forceAll: false, rebuild: [] }) : null;
  const entry = plan?.entries.find((e) => e.name === name);
  const deps = ctx.resolution.deps.get(name) ?? [];
  const enabled = new Set(ctx.resolution.options.get(name) ?? []);
  const data = {
    name,
    spell: spell
      ? {
          version: spell.version,
          abi: abiKey(spell.version, spell.abi),
          description: spell.description,
          section: spell.section,
          license: spell.license,
          root: spell.root,
          file: spell.file,
          replaces: spell.replaces,
          dependencies: deps.map((d) => ({ kind: d.kind, name: d.name, requested: d.requested, via: d.via })),
          optional: spell.optional.map((x) => ({ name: x.name, enabled: enabled.has(x.name), description: x.description })),
          provides: spell.provides,
          sources: spell.sources,
          scripts: spell.scripts,
        }
      : null,
    installed: inst
      ? {
          version: inst.version,
          builtAt: inst.builtAt,
          fingerprint: inst.fingerprint,
          options: inst.options,
          builtAgainst: [...inst.builtAgainst.values()],
        }
      : null,
    failed: failed ?? null,
    broken: ctx.resolution.broken.get(name)?.message ?? null,
    plan: entry ? { action: entry.action, reasons: entry.reasons.map(describeReason) } : null,
  };
  if (o.json) {
    sayJson(data);
    return 0;
  }
  say(paint.bold(name));
  if (spell) {
    say(`  version      ${spell.version || '(none)'}  (ABI ${abiKey(spell.version, spell.abi)})`);
    if (spell.description) say(`  description  ${spell.description}`);
    say(`  section      ${spell.section}`);
    if (spell.license.length) say(`  license      ${spell.license.join(' ')}`);
    say(`  spell        ${fromBytes(spell.file)}:${spell.at.line} (root ${spell.root})`);
    for (const r of spell.replaces) say(`  replaces     the spell from ${r.root} (${r.file})`);
    for (const d of deps) {
      if (d.kind !== 'optional') say(`  ${d.kind.padEnd(12)} ${d.name}${d.requested !== d.name ? ` (for ${d.requested})` : ''}`);
    }
    for (const x of spell.optional) say(`  optional     ${x.name} [${enabled.has(x.name) ? 'on' : 'off'}]${x.description ? ` ${x.description}` : ''}`);
    if (spell.provides.length) say(`  provides     ${spell.provides.join(' ')}`);
    for (const s of spell.sources) say(`  source       ${s.file}${s.sha256 ? ` sha256 ${s.sha256.slice(0, 16)}…` : ' (no checksum)'}`);
  } else say('  no spell root has it any more');
  if (inst) {
    say(`  installed    ${inst.version}, built ${inst.builtAt}, fingerprint ${inst.fingerprint}`);
    if (inst.options.length) say(`  options      ${inst.options.join(' ')}`);
  } else say('  not installed');
  if (failed) say(paint.red(`  ${failureText(failed, spell?.version)}`));
  if (data.broken) say(paint.red(`  cannot be built: ${data.broken}`));
  if (entry) say(`  would ${entry.action === 'new' ? 'be built' : entry.action === 'update' ? 'be updated' : 'be rebuilt'}: ${entry.reasons.map(describeReason).join('; ')}`);
  else if (spell && inst) say('  up to date');
  return 0;
}

/** `jux info CAPABILITY` (a name spells provide, as dependencies may name it): who provides it, and which one is used. */
function capabilityInfo(
  o: Record<string, unknown>,
  name: string,
  providers: readonly string[],
  chosen: string | null,
  isInstalled: (spell: string) => boolean,
): number {
  const installed = providers.filter(isInstalled);
  if (o.json) {
    sayJson({ name, capability: { providers, chosen, installed } });
    return 0;
  }
  say(`${paint.bold(name)}: a capability, provided by ${providers.join(', ')}`);
  if (chosen !== null) say(`  jux.yaml chooses ${chosen}`);
  else if (providers.length > 1) say(`  jux.yaml chooses none (providers: { ${name}: ${providers[0]} } would choose ${providers[0]})`);
  if (installed.length) say(`  installed    ${installed.join(', ')}`);
  say(`  (jux info ${providers.length === 1 ? providers[0] : 'SPELL'} for a provider)`);
  return 0;
}
