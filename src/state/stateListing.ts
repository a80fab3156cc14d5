/**
 * A state directory's listing handed from one reader to the next within a
 * command: the remembered-answer key lists and stats the state directory,
 * and the state store's load that follows uses what it found.
 */
/** A file's size and modification time, as a stat gave them. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

let primed: { readonly dir: string; readonly names: string[]; readonly stats: ReadonlyMap<string, FileStamp> } | null = null;

/**
 * A listing of a state directory just made by the caller (the
 * remembered-answer key: every name, and the size and time of the files
 * it could stat), used once by the next load of that directory, so that a
 * one-shot command lists and stats it once.
 */
export function primeStateDir(dir: string, names: string[], stats: ReadonlyMap<string, FileStamp>): void {
  primed = { dir, names, stats };
}

/** The primed listing of `dir`, once. */
export function takePrimed(dir: string): { readonly names: string[]; readonly stats: ReadonlyMap<string, FileStamp> } | null {
  const p = primed;
  primed = null;
  return p !== null && p.dir === dir ? p : null;
}
