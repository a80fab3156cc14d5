import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnpackError } from '../../src/fetch/errors.js';
import { archiveFormat, unpackSource } from '../../src/fetch/unpack.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

/** A project tree proj-1.0/ with an executable, a subfolder and a relative symbolic link. */
function makeProject(): string {
  const dir = tempDir('jfetch-proj-');
  const p = path.join(dir, 'proj-1.0');
  fs.mkdirSync(path.join(p, 'src'), { recursive: true });
  fs.writeFileSync(path.join(p, 'configure'), '#!/bin/sh\necho configured\n', { mode: 0o755 });
  fs.writeFileSync(path.join(p, 'src', 'main.c'), 'int main(void) { return 0; }\n');
  fs.writeFileSync(path.join(p, 'README'), 'read me\n');
  fs.symlinkSync('../README', path.join(p, 'src', 'README.link'));
  return dir;
}

function expectProject(dest: string): void {
  expect(fs.readdirSync(dest).sort()).toEqual(['README', 'configure', 'src']);
  expect(fs.statSync(path.join(dest, 'configure')).mode & 0o111).not.toBe(0);
  expect(fs.readFileSync(path.join(dest, 'src', 'main.c'), 'utf8')).toBe('int main(void) { return 0; }\n');
  expect(fs.readlinkSync(path.join(dest, 'src', 'README.link'))).toBe('../README');
  expect(fs.readFileSync(path.join(dest, 'src', 'README.link'), 'utf8')).toBe('read me\n');
}

type PyEntry =
  | { name: string; type: 'file'; data?: string }
  | { name: string; type: 'dir' | 'fifo' | 'chr' }
  | { name: string; type: 'symlink' | 'hardlink'; link: string };

/** A tarball with exactly these entries (built with python's tarfile, which writes what it is told). */
function pyTar(out: string, entries: PyEntry[]): string {
  const code = `
import io, json, sys, tarfile
types = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE,
         'hardlink': tarfile.LNKTYPE, 'fifo': tarfile.FIFOTYPE, 'chr': tarfile.CHRTYPE}
with tarfile.open(sys.argv[1], 'w:gz' if sys.argv[1].endswith('gz') else 'w') as t:
    for e in json.loads(sys.argv[2]):
        i = tarfile.TarInfo(e['name']); i.type = types[e['type']]; i.mode = 0o755 if e['type'] == 'dir' else 0o644
        if 'link' in e: i.linkname = e['link']
        data = e.get('data', '').encode()
        if e['type'] == 'file': i.size = len(data)
        t.addfile(i, io.BytesIO(data) if e['type'] == 'file' else None)
`;
  execFileSync('python3', ['-c', code, out, JSON.stringify(entries)]);
  return out;
}

function pyZip(out: string, entries: Array<{ name: string; data: string; mode?: number }>): string {
  const code = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for e in json.loads(sys.argv[2]):
        i = zipfile.ZipInfo(e['name']); i.create_system = 3
        if 'mode' in e: i.external_attr = e['mode'] << 16
        z.writestr(i, e['data'])
`;
  execFileSync('python3', ['-c', code, out, JSON.stringify(entries)]);
  return out;
}

async function unpackError(p: Promise<unknown>): Promise<UnpackError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UnpackError);
    return e as UnpackError;
  }
  throw new Error('no error');
}

/** Unpack into a fresh work/src; check it fails naming the entry and leaves nothing behind. */
async function expectRejected(archive: string, entry: string, why: RegExp): Promise<void> {
  const work = tempDir('jfetch-work-');
  const dest = path.join(work, 'src');
  const err = await unpackError(unpackSource(archive, dest));
  expect(err.entry).toBe(entry);
  expect(err.archive).toBe(archive);
  expect(err.message).toContain(path.basename(archive));
  expect(err.message).toContain(entry);
  expect(err.message).toMatch(why);
  expect(fs.readdirSync(work)).toEqual([]); // no destination, no temporary folder, nothing outside
}

describe('unpackSource: formats', () => {
  const tarFlags: Array<[string, string[]]> = [
    ['proj-1.0.tar.gz', ['-czf']],
    ['proj-1.0.tgz', ['-czf']],
    ['proj-1.0.tar.xz', ['-cJf']],
    ['proj-1.0.tar.bz2', ['-cjf']],
    ['proj-1.0.tar.zst', ['--zstd', '-cf']],
    ['proj-1.0.tar', ['-cf']],
  ];
  for (const [name, flags] of tarFlags) {
    it(`unpacks ${name}, stripping the top folder`, async () => {
      const src = makeProject();
      const archive = path.join(src, name);
      execFileSync('tar', ['-C', src, ...flags, archive, 'proj-1.0']);
      const dest = path.join(tempDir(), 'SOURCE_DIR');
      await unpackSource(archive, dest);
      expectProject(dest);
    });
  }

  it('unpacks a .zip made by zip, stripping the top folder, keeping modes and links', async () => {
    const src = makeProject();
    const archive = path.join(src, 'proj-1.0.zip');
    execFileSync('zip', ['-qry', archive, 'proj-1.0'], { cwd: src });
    const dest = path.join(tempDir(), 'SOURCE_DIR');
    await unpackSource(archive, dest);
    expectProject(dest);
  });

  it('keeps the layout of an archive without a single top folder, into an existing empty folder', async () => {
    const src = makeProject();
    const archive = path.join(src, 'flat.tar.gz');
    execFileSync('tar', ['-C', path.join(src, 'proj-1.0'), '-czf', archive, 'configure', 'src']);
    const dest = tempDir();
    await unpackSource(archive, dest);
    expect(fs.readdirSync(dest).sort()).toEqual(['configure', 'src']);
    expect(fs.readFileSync(path.join(dest, 'src', 'main.c'), 'utf8')).toContain('main');
  });

  it('does not strip a lone top-level file', async () => {
    const work = tempDir();
    const archive = pyTar(path.join(work, 'one.tar'), [{ name: 'only.txt', type: 'file', data: 'x' }]);
    const dest = path.join(work, 'out');
    await unpackSource(archive, dest);
    expect(fs.readFileSync(path.join(dest, 'only.txt'), 'utf8')).toBe('x');
  });

  it('copies any other file as it is', async () => {
    const work = tempDir();
    const patch = path.join(work, 'fix-build.patch');
    fs.writeFileSync(patch, '--- a\n+++ b\n');
    const dest = path.join(work, 'src');
    await unpackSource(patch, dest);
    expect(fs.readdirSync(dest)).toEqual(['fix-build.patch']);
    expect(fs.readFileSync(path.join(dest, 'fix-build.patch'), 'utf8')).toBe('--- a\n+++ b\n');
  });

  it('recognises formats by name', () => {
    expect(archiveFormat('/x/A-1.TAR.XZ')).toEqual({ kind: 'tar', compression: 'xz' });
    expect(archiveFormat('a.tbz2')).toEqual({ kind: 'tar', compression: 'bzip2' });
    expect(archiveFormat('a.zip')).toEqual({ kind: 'zip' });
    expect(archiveFormat('a.gz')).toEqual({ kind: 'file' });
  });

  it('fails on a truncated archive without leaving anything', async () => {
    const src = makeProject();
    fs.writeFileSync(path.join(src, 'proj-1.0', 'big'), Buffer.alloc(300_000, 7));
    const archive = path.join(src, 'proj-1.0.tar');
    execFileSync('tar', ['-C', src, '-cf', archive, 'proj-1.0']);
    fs.truncateSync(archive, 150_000);
    const work = tempDir();
    const err = await unpackError(unpackSource(archive, path.join(work, 'src')));
    expect(err.message).toMatch(/^proj-1\.0\.tar: cannot unpack: .*Truncated input/);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  it('reports a broken xz stream from the xz tool', async () => {
    const work = tempDir();
    const archive = path.join(work, 'bad.tar.xz');
    fs.writeFileSync(archive, 'this is not xz');
    const err = await unpackError(unpackSource(archive, path.join(work, 'src')));
    expect(err.message).toMatch(/^bad\.tar\.xz: xz failed \(exit status 1\): /);
    expect(fs.readdirSync(work)).toEqual(['bad.tar.xz']);
  });
});

describe('unpackSource: unsafe archives are refused and nothing is written', () => {
  it('refuses ../ entries', async () => {
    const work = tempDir();
    const archive = pyTar(path.join(work, 'evil.tar.gz'), [
      { name: 'proj/', type: 'dir' },
      { name: 'proj/ok.txt', type: 'file', data: 'fine' },
      { name: 'proj/../../escaped.txt', type: 'file', data: 'gotcha' },
    ]);
    await expectRejected(archive, 'proj/../../escaped.txt', /a path with "\.\." in it/);
  });

  it('refuses absolute paths', async () => {
    const work = tempDir();
    const archive = pyTar(path.join(work, 'abs.tar'), [{ name: '/tmp/jux-abs-entry.txt', type: 'file', data: 'x' }]);
    await expectRejected(archive, '/tmp/jux-abs-entry.txt', /an absolute path/);
  });

  it('refuses an absolute symbolic link pointing outside', async () => {
    const work = tempDir();
    const archive = pyTar(path.join(work, 'abslink.tar.gz'), [
      { name: 'proj/', type: 'dir' },
      { name: 'proj/a.txt', type: 'file', data: 'a' },
      { name: 'proj/passwd', type: 'symlink', link: '/etc/passwd' },
    ]);
    await expectRejected(archive, 'proj/passwd', /symbolic link to the absolute path \/etc\/passwd/);
  });

  it('refuses a relative symbolic link leading out, also through other links', async () => {
    const work = tempDir();
    const up = pyTar(path.join(work, 'up.tar'), [{ name: 'proj/sub/up', type: 'symlink', link: '../../../outside' }]);
    await expectRejected(up, 'proj/sub/up', /leads outside/);
    // deep/l -> .. is harmless alone; p -> deep/l/.. only looks harmless: it is the parent of the root.
    const chain = pyTar(path.join(work, 'chain.tar'), [
      { name: 'deep/', type: 'dir' },
      { name: 'deep/l', type: 'symlink', link: '..' },
      { name: 'p', type: 'symlink', link: 'deep/l/..' },
    ]);
    await expectRejected(chain, 'p', /leads outside/);
    // Inside the archive but outside its top folder, which is stripped.
    const strip = pyTar(path.join(work, 'strip.tar'), [
      { name: 'proj/', type: 'dir' },
      { name: 'proj/x', type: 'symlink', link: '../proj2' },
    ]);
    await expectRejected(strip, 'proj/x', /leads outside/);
  });

  it('refuses writing through a symbolic link', async () => {
    const work = tempDir();
    const archive = pyTar(path.join(work, 'through.tar'), [
      { name: 'proj/sub/', type: 'dir' },
      { name: 'proj/link', type: 'symlink', link: 'sub' },
      { name: 'proj/link/file', type: 'file', data: 'x' },
    ]);
    await expectRejected(archive, 'proj/link/file', /through the symbolic link proj\/link/);
  });

  it('refuses hard links leading out, accepts those inside', async () => {
    const work = tempDir();
    const out = pyTar(path.join(work, 'hard.tar'), [
      { name: 'proj/a', type: 'file', data: 'a' },
      { name: 'proj/h', type: 'hardlink', link: '../../etc/passwd' },
    ]);
    await expectRejected(out, 'proj/h', /"\.\."/);
    const abs = pyTar(path.join(work, 'hardabs.tar'), [{ name: 'proj/h', type: 'hardlink', link: '/etc/passwd' }]);
    await expectRejected(abs, 'proj/h', /hard link to the absolute path \/etc\/passwd/);

    const fine = pyTar(path.join(work, 'hardok.tar'), [
      { name: 'proj/a', type: 'file', data: 'same' },
      { name: 'proj/h', type: 'hardlink', link: 'proj/a' },
    ]);
    const dest = path.join(work, 'ok');
    await unpackSource(fine, dest);
    expect(fs.statSync(path.join(dest, 'h')).ino).toBe(fs.statSync(path.join(dest, 'a')).ino);
  });

  it('refuses device files and FIFOs', async () => {
    const work = tempDir();
    const fifo = pyTar(path.join(work, 'fifo.tar'), [
      { name: 'proj/a', type: 'file', data: 'a' },
      { name: 'proj/pipe', type: 'fifo' },
    ]);
    await expectRejected(fifo, 'proj/pipe', /a FIFO entry/);
    const dev = pyTar(path.join(work, 'dev.tar'), [{ name: 'proj/null', type: 'chr' }]);
    await expectRejected(dev, 'proj/null', /a CharacterDevice entry/);
  });

  it('refuses unsafe zip entries', async () => {
    const work = tempDir();
    const dots = pyZip(path.join(work, 'dots.zip'), [
      { name: 'proj/ok.txt', data: 'ok' },
      { name: '../evil.txt', data: 'evil' },
    ]);
    await expectRejected(dots, '../evil.txt', /"\.\."/);
    const link = pyZip(path.join(work, 'link.zip'), [
      { name: 'proj/ok.txt', data: 'ok' },
      { name: 'proj/passwd', data: '/etc/passwd', mode: 0o120777 },
    ]);
    await expectRejected(link, 'proj/passwd', /absolute path \/etc\/passwd/);
    const fifo = pyZip(path.join(work, 'fifo.zip'), [{ name: 'proj/pipe', data: '', mode: 0o010644 }]);
    await expectRejected(fifo, 'proj/pipe', /a FIFO entry/);
  });

  it('refuses to overwrite what the destination already holds', async () => {
    const src = makeProject();
    const archive = path.join(src, 'proj-1.0.tar.gz');
    execFileSync('tar', ['-C', src, '-czf', archive, 'proj-1.0']);
    const dest = tempDir();
    fs.writeFileSync(path.join(dest, 'README'), 'mine');
    const err = await unpackError(unpackSource(archive, dest));
    expect(err.message).toContain('already holds README');
    expect(fs.readdirSync(dest)).toEqual(['README']);
    expect(fs.readFileSync(path.join(dest, 'README'), 'utf8')).toBe('mine');
  });
});
