/**
 * All file-system access of the graph and planner goes through this small
 * interface, so dependency logic can be tested with a virtual disk.
 * Paths and names are byte strings (latin1), as everywhere in the engine.
 */
import fs from 'node:fs';

export interface FileStat {
  /** Modification time in whole seconds since the epoch. */
  readonly mtime: number;
  readonly isDirectory: boolean;
}

export interface Disk {
  stat(path: string): FileStat | null;
  /** Directory entries in listing order, without "." and "..", or null if unreadable. */
  readdir(path: string): string[] | null;
  /** File contents as a byte string; throws a NodeJS.ErrnoException on failure. */
  readFile(path: string): string;
  /** Remove a file; true when something was removed. */
  unlink(path: string): boolean;
}

/** Turn an engine byte string into a file-system path (Buffer keeps bytes exact). */
export function fsPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

export class NodeDisk implements Disk {
  stat(path: string): FileStat | null {
    try {
      const st = fs.statSync(fsPath(path), { bigint: false });
      return { mtime: Math.floor(st.mtimeMs / 1000), isDirectory: st.isDirectory() };
    } catch {
      return null;
    }
  }

  readdir(path: string): string[] | null {
    let dir: fs.Dir;
    try {
      dir = fs.opendirSync(fsPath(path) as unknown as string, { encoding: 'buffer' } as unknown as fs.OpenDirOptions);
    } catch {
      return null;
    }
    const out: string[] = [];
    try {
      for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
        out.push(Buffer.isBuffer(e.name) ? (e.name as Buffer).toString('latin1') : String(e.name));
      }
    } catch {
      // A directory that cannot be read further yields what was read.
    } finally {
      dir.closeSync();
    }
    return out;
  }

  readFile(path: string): string {
    return fs.readFileSync(fsPath(path)).toString('latin1');
  }

  unlink(path: string): boolean {
    try {
      fs.unlinkSync(fsPath(path));
      return true;
    } catch {
      return false;
    }
  }
}
