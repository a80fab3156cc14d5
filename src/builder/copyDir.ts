/**
 * Copying a small folder (a spell's folder into its package) as
 * fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true }) does —
 * files with their modes, folders with their modes, links as they are,
 * times not kept, FIFOs, sockets and devices refused — without its cost per
 * entry (cpSync is written in JavaScript and stats every entry and every
 * parent several times over), and on the thread pool: the main thread goes
 * on with other packages while the file system works.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JuxError } from '../errors.js';

const fsp = fs.promises;

export async function copyDir(from: string, to: string): Promise<void> {
  const src = path.resolve(from);
  const dest = path.resolve(to);
  if (dest === src || dest.startsWith(src + path.sep)) throw new JuxError(`cannot copy ${from} to a subdirectory of itself, ${to}`);
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const walk = async (a: string, b: string, mode: number): Promise<void> => {
    await fsp.mkdir(b);
    const copies: Promise<void>[] = [];
    for (const d of await fsp.readdir(a, { withFileTypes: true })) {
      const x = path.join(a, d.name);
      const y = path.join(b, d.name);
      if (d.isDirectory()) copies.push(fsp.stat(x).then((st) => walk(x, y, st.mode)));
      else if (d.isFile()) copies.push(fsp.copyFile(x, y));
      else if (d.isSymbolicLink()) copies.push(fsp.readlink(x).then((t) => fsp.symlink(t, y)));
      else throw new JuxError(`cannot copy ${x}: a FIFO, socket or device`);
    }
    await Promise.all(copies);
    await fsp.chmod(b, mode & 0o7777);
  };
  await walk(src, dest, (await fsp.stat(src)).mode);
}
