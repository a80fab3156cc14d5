/** Options every jux command accepts, and how they become configuration overrides. */
import type { ConfigOverrides } from '../config/config.js';

export interface GlobalOptions {
  config?: string;
  spellRoot?: string[];
  root?: string;
  state?: string;
  cacheDir?: string;
  plain?: boolean;
  jobs?: number;
  json?: boolean;
}

export function overridesFrom(o: Record<string, unknown>): ConfigOverrides {
  const g = o as GlobalOptions;
  return {
    ...(g.config !== undefined ? { config: g.config } : {}),
    ...(g.spellRoot && g.spellRoot.length ? { roots: g.spellRoot } : {}),
    ...(g.root !== undefined ? { root: g.root } : {}),
    ...(g.state !== undefined ? { state: g.state } : {}),
    ...(typeof g.cacheDir === 'string' ? { cache: g.cacheDir } : {}),
    ...(g.jobs !== undefined ? { jobs: g.jobs } : {}),
  };
}

let pending = '';
let captureOut: string[] | null = null;
let captureErr: string[] | null = null;

/** Also keep everything written from now on (for remembered answers). */
export function startCapture(): void {
  captureOut = [];
  captureErr = [];
}
export function stopCapture(): { stdout: string; stderr: string } {
  const r = { stdout: (captureOut ?? []).join(''), stderr: (captureErr ?? []).join('') };
  captureOut = captureErr = null;
  return r;
}

/** Write a line to standard output (batched; flushed at exit or when large). */
export function say(text = ''): void {
  pending += text + '\n';
  captureOut?.push(text + '\n');
  if (pending.length > 1 << 16) flushSay();
}

export function flushSay(): void {
  if (pending) {
    process.stdout.write(pending);
    pending = '';
  }
}

export function sayJson(value: unknown): void {
  say(JSON.stringify(value, null, 2));
}

let pendingErr = '';
/** Write a line to standard error (batched like say). */
export function warn(text: string): void {
  pendingErr += text + '\n';
  captureErr?.push(text + '\n');
  if (pendingErr.length > 1 << 16) flushWarn();
}
export function flushWarn(): void {
  if (pendingErr) {
    process.stderr.write(pendingErr);
    pendingErr = '';
  }
}
