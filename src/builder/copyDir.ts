/**
 * Copying a small folder (a spell's folder into its package) as
 * fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true }) does —
 * files with their modes, folders with their modes, links as they are,
 * times not kept, FIFOs, sockets and devices refused — without its cost per
 * entry (cpSync is written in JavaScript and stats every entry and every
 * parent several times over).
 */
import fs from 'node:fs';
import path from 'node:path';
import { JuxError } from '../errors.js';

export function copyDir(from: string, to: string): void {
  const src = path.resolve(from);
  const dest = path.resolve(to);
  if (dest === src || dest.startsWith(src + path.sep)) throw new JuxError(`cannot copy ${from} to a subdirectory of itself, ${to}`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const walk = (a: string, b: string, mode: number): void => {
    fs.mkdirSync(b);
    for (const d of fs.readdirSync(a, { withFileTypes: true })) {
      const x = path.join(a, d.name);
      const y = path.join(b, d.name);
      if (d.isDirectory()) walk(x, y, fs.statSync(x).mode);
      else if (d.isFile()) fs.copyFileSync(x, y);
      else if (d.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(x), y);
      else throw new JuxError(`cannot copy ${x}: a FIFO, socket or device`);
    }
    fs.chmodSync(b, mode & 0o7777);
  };
  walk(src, dest, fs.statSync(src).mode);
}
