/**
 * `jux recover`: finish or undo an interrupted transaction now (every
 * command that changes the system does this first anyway).
 */
import { loadConfig } from '../../config/config.js';
import { openSystem } from '../system.js';
import { overridesFrom, say } from '../options.js';

export default async function recover(o: Record<string, unknown>): Promise<number> {
  const config = await loadConfig(overridesFrom(o));
  const system = await openSystem(config, o, process.argv.slice(2).join(' '));
  system.close();
  if (!system.recovered) say('nothing to recover');
  return 0;
}
