/**
 * The real converted grimoire (9,452 spells), unpacked by the bench into a
 * temporary directory of its own: ../shared/data/grimoire-jux.tar.gz beside
 * the repository, or the file named by JUX_BENCH_GRIMOIRE.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function grimoireArchive(repo: string): string | null {
  const file = process.env.JUX_BENCH_GRIMOIRE ?? path.resolve(repo, '..', 'shared', 'data', 'grimoire-jux.tar.gz');
  return fs.existsSync(file) ? file : null;
}

/** Unpack into `dir`; the spell root (`dir`/grimoire-jux), or null when there is no archive. */
export function unpackGrimoire(repo: string, dir: string): string | null {
  const archive = grimoireArchive(repo);
  if (archive === null) return null;
  const r = spawnSync('tar', ['xzf', archive, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`tar xzf ${archive} failed: ${r.stderr?.toString() ?? ''}`);
  const root = path.join(dir, 'grimoire-jux');
  if (!fs.existsSync(root)) throw new Error(`${archive} holds no grimoire-jux/ folder`);
  return root;
}

/** The note printed when a section needs the grimoire and it is missing. */
export function noGrimoire(repo: string): string {
  return `(skipped: no ${path.resolve(repo, '..', 'shared', 'data', 'grimoire-jux.tar.gz')}; set JUX_BENCH_GRIMOIRE)`;
}
