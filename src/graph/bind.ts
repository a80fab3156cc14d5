/**
 * Binding a target name to a file (jam's search()): grist is dropped;
 * $(LOCATE) places the file; otherwise each $(SEARCH) directory is tried in
 * turn; otherwise the name as it is.
 */
import { buildPath, parsePath } from '../interpreter/pathname.js';
import type { List } from '../interpreter/variables.js';
import type { Timestamps } from './timestamps.js';

export interface Bound {
  readonly boundname: string;
  /** Seconds since the epoch, 0 when the file does not exist. */
  readonly time: number;
}

export function search(name: string, get: (v: string) => List, timestamps: Timestamps): Bound {
  const f = parsePath(name);
  f.grist = '';
  const locate = get('LOCATE');
  if (locate.length) {
    f.root = locate[0]!;
    const path = buildPath(f);
    return { boundname: path, time: timestamps.time(path) };
  }
  for (const dir of get('SEARCH')) {
    f.root = dir;
    const path = buildPath(f);
    const time = timestamps.time(path);
    if (time) return { boundname: path, time };
  }
  f.root = '';
  const path = buildPath(f);
  return { boundname: path, time: timestamps.time(path) };
}
