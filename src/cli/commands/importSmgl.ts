/**
 * `jux import smgl GRIMOIRE OUT`: convert a Source Mage grimoire into a jux
 * spell tree (docs/import-smgl.md). OUT must be new or empty, so that an
 * import never mixes with (or overwrites) an existing tree. The grimoire's
 * shell files are read as data, never run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JuxError } from '../../errors.js';
import { importSmgl } from '../../import/smgl/index.js';
import { say, sayJson } from '../options.js';

export default async function importCommand(o: Record<string, unknown>, args: string[]): Promise<number> {
  const [grimoire, out] = args as [string, string];
  let st: fs.Stats;
  try {
    st = fs.statSync(grimoire);
  } catch {
    throw new JuxError(`no grimoire at ${grimoire}`, null, 2);
  }
  if (!st.isDirectory()) throw new JuxError(`${grimoire} is not a folder`, null, 2);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    throw new JuxError(`${out} already exists and is not an empty folder; give a new one`, null, 2);
  }
  const report = await importSmgl(grimoire, out);
  if (o.json) {
    sayJson({
      grimoire: report.grimoire,
      out: report.out,
      spells: report.spells,
      converted: report.converted,
      counts: report.counts,
      providers: report.providers,
      general: report.general,
      bySpell: Object.fromEntries(report.bySpell),
    });
    return 0;
  }
  const notes = Object.values(report.counts).reduce((a, b) => a + b, 0);
  say(`Converted ${report.converted} of ${report.spells} spells into ${out}.`);
  say(`${notes} note${notes === 1 ? '' : 's'} on what could not be carried over: ${path.join(out, 'IMPORT-REPORT.txt')}`);
  for (const [k, n] of Object.entries(report.counts)) say(`  ${k.padEnd(20)} ${String(n).padStart(5)}`);
  if (Object.keys(report.providers).length) say(`Provider choices written to ${path.join(out, 'jux.yaml')}.`);
  return 0;
}
