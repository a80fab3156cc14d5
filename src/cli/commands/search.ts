/** `jux search TEXT`: spells whose name or description contains TEXT. */
import { overridesFrom, say, sayJson } from '../options.js';
import { loadContext } from '../context.js';
import { paint } from '../../render/style.js';

export default async function search(o: Record<string, unknown>, args: string[]): Promise<number> {
  const text = (args[0] ?? '').toLowerCase();
  const ctx = await loadContext(overridesFrom(o), { strict: false });
  const hits = [...ctx.graph.spells.values()].filter(
    (s) => s.name.toLowerCase().includes(text) || s.description.toLowerCase().includes(text),
  );
  if (o.json) {
    sayJson(
      hits.map((s) => ({
        name: s.name,
        version: s.version,
        section: s.section,
        description: s.description,
        installed: ctx.installed.get(s.name)?.version ?? null,
      })),
    );
    return 0;
  }
  for (const s of hits) {
    const inst = ctx.installed.get(s.name);
    say(
      `${paint.bold(s.name)} ${s.version || '-'}${inst ? paint.green(` [installed ${inst.version}]`) : ''}  ${paint.dim(s.section)}` +
        (s.description ? `\n    ${s.description}` : ''),
    );
  }
  if (!hits.length) say(`no spell matches "${args[0]}"`);
  return 0;
}
