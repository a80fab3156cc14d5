/**
 * Build folders (buildFolders.ts): a fresh BUILD/NAME with empty
 * sub-folders for every build, reused from one successful build to the
 * next without anything of the earlier build left in it, never reused when
 * the build changed the folder itself, and gone when the run ends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BuildFolders, SUBFOLDERS } from '../../src/builder/buildFolders.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempBuild(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-folders-'));
  dirs.push(d);
  return path.join(d, 'build');
}

/** Every path under `dir`, relative to it. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

const EMPTY = [...SUBFOLDERS].sort();

describe('build folders', () => {
  it('are made fresh, emptied and reused by the next package, and go at the end', async () => {
    const build = tempBuild();
    const f = new BuildFolders(build);
    const a = await f.take('a');
    expect(a).toBe(path.join(build, 'a'));
    expect(tree(a)).toEqual(EMPTY);
    // What a build leaves: files, folders, read-only files.
    fs.mkdirSync(path.join(a, 'src', 'deep', 'er'), { recursive: true });
    fs.writeFileSync(path.join(a, 'src', 'deep', 'er', 'x.c'), 'int x;\n');
    fs.writeFileSync(path.join(a, 'home', '.history'), 'ls\n');
    fs.writeFileSync(path.join(a, 'dest', 'ro'), 'ro\n', { mode: 0o444 });
    fs.symlinkSync('/etc/passwd', path.join(a, 'tmp', 'link'));
    const ino = fs.statSync(path.join(a, 'src')).ino;
    f.recycle(a);
    await f.idle();
    expect(fs.readdirSync(build)).toEqual(['.spare-1']);
    const b = await f.take('b');
    expect(tree(b)).toEqual(EMPTY);
    expect(fs.statSync(path.join(b, 'src')).ino).toBe(ino); // the same folder, renamed
    expect(fs.readdirSync(build)).toEqual(['b']);
    await f.close();
    // b was not recycled (a failed build): it stays; nothing else is left.
    expect(fs.readdirSync(build)).toEqual(['b']);
  });

  it('replace what an earlier build of the package left', async () => {
    const build = tempBuild();
    fs.mkdirSync(path.join(build, 'a', 'src'), { recursive: true });
    fs.writeFileSync(path.join(build, 'a', 'src', 'old'), 'old\n');
    fs.writeFileSync(path.join(build, 'a', 'stray'), 'stray\n');
    const f = new BuildFolders(build);
    expect(tree(await f.take('a'))).toEqual(EMPTY);
    await f.close();
  });

  it('are not reused when the build changed the folder itself', async () => {
    const changes: [string, (w: string) => void][] = [
      ['a sub-folder made a link', (w) => {
        fs.rmSync(path.join(w, 'tmp'), { recursive: true });
        fs.symlinkSync('/tmp', path.join(w, 'tmp'));
      }],
      ['a sub-folder made read-only', (w) => fs.chmodSync(path.join(w, 'home'), 0o555)],
      ['the folder made read-only', (w) => fs.chmodSync(w, 0o555)],
      ['a file beside the sub-folders', (w) => fs.writeFileSync(path.join(w, 'stray'), '')],
      ['a sub-folder gone', (w) => fs.rmdirSync(path.join(w, 'sources'))],
    ];
    for (const [what, change] of changes) {
      const build = tempBuild();
      const f = new BuildFolders(build);
      const a = await f.take('a');
      const mode = fs.statSync(a).mode;
      change(a);
      f.recycle(a);
      await f.idle();
      // Removed, not kept as a spare (as an unchanged one is).
      expect(fs.readdirSync(build), what).toEqual([]);
      const b = await f.take('b');
      expect(tree(b), what).toEqual(EMPTY);
      for (const d of [b, ...SUBFOLDERS.map((s) => path.join(b, s))]) expect(fs.lstatSync(d).mode, `${what}: ${d}`).toBe(mode);
      await f.close();
      expect(fs.readdirSync(build), what).toEqual(['b']);
    }
  });

  it('remove the spares a crashed run left', async () => {
    const build = tempBuild();
    fs.mkdirSync(path.join(build, '.spare-3', 'src'), { recursive: true });
    fs.mkdirSync(path.join(build, 'failed', 'src'), { recursive: true });
    const f = new BuildFolders(build);
    await f.close();
    expect(fs.readdirSync(build)).toEqual(['failed']);
  });
});
