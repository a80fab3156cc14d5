/**
 * Colours for the jux interface: on a terminal unless NO_COLOR or --plain.
 */
import pc from 'picocolors';

let enabled = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env);

export function setColor(on: boolean): void {
  enabled = on;
}
export function colorEnabled(): boolean {
  return enabled;
}

const wrap =
  (f: (s: string) => string) =>
  (s: string): string =>
    enabled ? f(s) : s;

export const paint = {
  red: wrap(pc.red),
  green: wrap(pc.green),
  yellow: wrap(pc.yellow),
  blue: wrap(pc.blue),
  cyan: wrap(pc.cyan),
  bold: wrap(pc.bold),
  dim: wrap(pc.dim),
};
