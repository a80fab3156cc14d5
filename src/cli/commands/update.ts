/** `jux update`: bring what is installed up to date (DESIGN.md §5). */
import { buildCommand } from './build.js';

export default function update(o: Record<string, unknown>): Promise<number> {
  return buildCommand(o, [], 'update');
}
