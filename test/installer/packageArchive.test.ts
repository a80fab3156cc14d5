/**
 * Package archives written from a file list (tarWriter.ts) read back by
 * node-tar, GNU tar and jux's own check; a staged tree copied for an
 * install (stagedCopy.ts) is refused when it changed after it was listed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { scanTree } from '../../src/builder/manifest.js';
import { JuxError } from '../../src/errors.js';
import { checkArchive, createArchive } from '../../src/installer/archive.js';
import { copyStagedTree } from '../../src/installer/stagedCopy.js';
import { folderEntries } from '../../src/installer/tarWriter.js';
import { formatFiles } from '../../src/state/files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** pkg/ with jux/ and a root/ holding long, linked and hard-linked names. */
function makePackage(): { pkg: string; top: string } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-arch-'));
  dirs.push(top);
  const pkg = path.join(top, 'pkg');
  const usr = path.join(pkg, 'root', 'usr');
  const deep = path.join(usr, 'share', ...Array.from({ length: 12 }, (_, i) => `level-${i}-of-a-deep-tree`));
  fs.mkdirSync(deep, { recursive: true });
  fs.mkdirSync(path.join(pkg, 'jux', 'spell'), { recursive: true });
  fs.writeFileSync(path.join(usr, 'plain'), 'plain\n');
  fs.chmodSync(path.join(usr, 'plain'), 0o755);
  fs.writeFileSync(path.join(usr, 'with space'), 'space\n');
  fs.writeFileSync(path.join(usr, 'n'.repeat(120)), 'long name\n');
  fs.writeFileSync(path.join(deep, 'file-at-the-bottom.txt'), 'deep\n');
  fs.linkSync(path.join(usr, 'plain'), path.join(usr, 'plain-link'));
  fs.symlinkSync('plain', path.join(usr, 'short-symlink'));
  fs.symlinkSync('a'.repeat(150), path.join(usr, 'long-symlink'));
  fs.writeFileSync(path.join(pkg, 'jux', 'spell', 'BUILD'), '#!/bin/sh\ntrue\n');
  return { pkg, top };
}

describe('package archives written from the file list', () => {
  it('hold every entry as node-tar writes them, and pass jux’s own check', async () => {
    const { pkg, top } = makePackage();
    const files = scanTree(path.join(pkg, 'root'), 'test tree');
    fs.writeFileSync(path.join(pkg, 'jux', 'p.files'), formatFiles('p', '1', files));
    const archive = path.join(top, 'p.tar.gz');
    await createArchive(archive, { root: path.join(pkg, 'root'), files, jux: folderEntries('jux', path.join(pkg, 'jux')) });

    const seen = new Map<string, { type: string; linkpath: string; size: number }>();
    await tar.t({
      file: archive,
      strict: true,
      onReadEntry: (e) => seen.set(e.path.replace(/\/$/, ''), { type: e.type, linkpath: e.linkpath ?? '', size: e.size ?? 0 }),
    });
    for (const f of files) {
      const got = seen.get(`root${f.path}`);
      expect(got, f.path).toBeDefined();
      if (f.type === 'd') expect(got!.type).toBe('Directory');
      if (f.type === 'l') expect(got).toMatchObject({ type: 'SymbolicLink', linkpath: f.hash });
    }
    expect(seen.get('root/usr/plain-link')).toMatchObject({ type: 'Link', linkpath: 'root/usr/plain' });
    expect(seen.get('jux/spell/BUILD')?.type).toBe('File');
    expect(await checkArchive(archive)).toEqual(files);

    // GNU tar extracts the same tree.
    const out = path.join(top, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['xzf', archive, '-C', out]);
    const extracted = scanTree(path.join(out, 'root'), 'extracted tree');
    const shape = (l: typeof files): string[] => l.map((e) => `${e.type} ${e.size} ${e.hash} ${e.path}`);
    expect(shape(extracted)).toEqual(shape(files));
  });

  it('keep names that are not ASCII (in pax headers)', async () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-arch-'));
    dirs.push(top);
    fs.mkdirSync(path.join(top, 'jux'));
    fs.mkdirSync(path.join(top, 'root'));
    fs.writeFileSync(path.join(top, 'root', 'héllo wörld'), 'unicode\n');
    const files = scanTree(path.join(top, 'root'), 'test tree');
    const archive = path.join(top, 'u.tar.gz');
    await createArchive(archive, { root: path.join(top, 'root'), files, jux: folderEntries('jux', path.join(top, 'jux')) });
    const names: string[] = [];
    await tar.t({ file: archive, strict: true, onReadEntry: (e) => names.push(e.path) });
    expect(names).toEqual(['jux/', 'root/', 'root/héllo wörld']);
  });

  it('hold files made in memory under jux/', async () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-arch-'));
    dirs.push(top);
    fs.mkdirSync(path.join(top, 'root'));
    const archive = path.join(top, 'm.tar.gz');
    const text = Buffer.from('Package m : 1 ;\n');
    await createArchive(archive, {
      root: path.join(top, 'root'),
      files: [],
      jux: { entries: [{ name: 'jux', type: 'd', data: Buffer.alloc(0), mode: 0o755 }, { name: 'jux/package', type: 'f', data: text, mode: 0o644 }], size: text.length },
    });
    const out = path.join(top, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['xzf', archive, '-C', out]);
    expect(fs.readFileSync(path.join(out, 'jux', 'package'), 'utf8')).toBe('Package m : 1 ;\n');
    expect(fs.statSync(path.join(out, 'jux', 'package')).mode & 0o777).toBe(0o644);
  });

  it('are not written from a tree that changed after it was listed', async () => {
    const changes: [string, (usr: string) => void][] = [
      ['content of the same size', (usr) => fs.writeFileSync(path.join(usr, 'with space'), 'SPACE\n')],
      ['a file that grew', (usr) => fs.appendFileSync(path.join(usr, 'plain'), 'more\n')],
      ['a link pointing elsewhere', (usr) => {
        fs.rmSync(path.join(usr, 'short-symlink'));
        fs.symlinkSync('with space', path.join(usr, 'short-symlink'));
      }],
      ['a file that went', (usr) => fs.rmSync(path.join(usr, 'n'.repeat(120)))],
      ['a folder made a link', (usr) => {
        fs.rmSync(path.join(usr, 'share'), { recursive: true });
        fs.symlinkSync('.', path.join(usr, 'share'));
      }],
    ];
    for (const [what, change] of changes) {
      const { pkg, top } = makePackage();
      const files = scanTree(path.join(pkg, 'root'), 'test tree');
      change(path.join(pkg, 'root', 'usr'));
      const archive = path.join(top, 'p.tar.gz');
      const made = createArchive(archive, { root: path.join(pkg, 'root'), files, jux: folderEntries('jux', path.join(pkg, 'jux')) });
      await expect(made, what).rejects.toThrow(JuxError);
      await expect(made, what).rejects.toThrow(/^package archive p\.tar\.gz: \/usr\/\S.* changed after the staged tree was listed/);
      expect(fs.readdirSync(top).filter((f) => f.startsWith('p.tar.gz')), what).toEqual([]);
    }
  });
});

describe('copying a staged tree for an install', () => {
  it('copies what the list says, links and hard links included', () => {
    const { pkg, top } = makePackage();
    const files = scanTree(path.join(pkg, 'root'), 'test tree');
    const dest = path.join(top, 'dest');
    copyStagedTree({ dir: path.join(pkg, 'root'), files }, dest, 'p');
    expect(scanTree(dest, 'copy')).toEqual(scanTree(path.join(pkg, 'root'), 'again'));
    expect(fs.statSync(path.join(dest, 'usr', 'plain')).ino).toBe(fs.statSync(path.join(dest, 'usr', 'plain-link')).ino);
  });

  it('refuses a tree that changed after it was listed', () => {
    const { pkg, top } = makePackage();
    const files = scanTree(path.join(pkg, 'root'), 'test tree');
    fs.writeFileSync(path.join(pkg, 'root', 'usr', 'with space'), 'SPACE\n');
    let n = 0;
    const run = (): void => copyStagedTree({ dir: path.join(pkg, 'root'), files }, path.join(top, `dest${++n}`), "p's staged tree");
    expect(run).toThrow(JuxError);
    expect(run).toThrow(/changed after the staged tree was listed/);
  });
});
