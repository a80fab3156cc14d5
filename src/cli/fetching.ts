/** Fetching a spell's remote sources for the builder (wired to src/fetch). */
import type { Config } from '../config/config.js';
import type { Spell } from '../graph/packageGraph.js';
import { JuxError } from '../errors.js';

export function sourceFetcher(
  _config: Config,
  _opts: { offline: boolean; strict: boolean; warn: (s: string) => void },
): (spell: Spell, sourceDir: string, sourcesDir: string) => Promise<void> {
  return async (spell) => {
    throw new JuxError(`${spell.name}: fetching remote sources is not available yet`);
  };
}
