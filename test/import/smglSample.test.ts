/**
 * Importing the 400-spell Source Mage sample (shared/data/smgl-sample):
 * the tree loads, resolves and plans with jux's own code, and a handful
 * of spells convert exactly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRulesDir } from '../../src/config/config.js';
import { loadPackageGraph } from '../../src/graph/treeCache.js';
import { type ImportReport, importSmgl } from '../../src/import/smgl/index.js';
import { planRebuilds } from '../../src/planner/rebuild.js';
import { resolveDependencies } from '../../src/planner/resolve.js';
import { SHARED } from '../helpers/paths.js';

const SAMPLE = path.join(SHARED, 'data', 'smgl-sample');
let out: string;
let report: ImportReport;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-smgl-'));
  report = await importSmgl(SAMPLE, out);
});

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
});

const spellText = (section: string, name: string): string => fs.readFileSync(path.join(out, section, name, `${name}.jux`), 'utf8');

describe('importing the Source Mage sample', () => {
  it('gives a tree that loads, resolves and plans', async () => {
    const { graph } = await loadPackageGraph([out], defaultRulesDir(), {}, null);
    expect(graph.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(graph.spells.size).toBe(400);

    const cfg = parse(fs.readFileSync(path.join(out, 'jux.yaml'), 'utf8')) as { roots: string[]; providers: Record<string, string> };
    expect(cfg).toEqual({ roots: ['.'], providers: { 'ODBC-MGR': 'unixodbc', PYTHON: 'python3', SETUPTOOLS: 'setuptools' } });
    expect(cfg.providers).toEqual(report.providers);

    const resolution = resolveDependencies(graph, new Map(), { providers: cfg.providers, options: {} });
    expect(resolution.errors).toEqual([]);
    expect(resolution.broken.size).toBe(0);

    const plan = planRebuilds({
      graph,
      resolution,
      installed: new Map(),
      failures: new Map(),
      request: { mode: 'tree', targets: [], forceAll: false, rebuild: [] },
      cachedArchives: new Set(),
    });
    expect(plan.errors).toEqual([]);
    expect(plan.unbuildable).toEqual([]);
    // A whole-tree plan builds every spell except, of several providers of
    // one capability, those that are not selected and that no spell names
    // (DESIGN.md 5): setuptools2 (SETUPTOOLS) and libiodbc (ODBC-MGR, where
    // jux.yaml chooses unixodbc), both reached only through optional dependencies.
    const planned = new Set(plan.entries.map((e) => e.name));
    const left = [...graph.spells.keys()].filter((n) => !planned.has(n)).sort();
    expect(left).toEqual(['libiodbc', 'setuptools2']);
    expect(graph.providers.get('SETUPTOOLS')).toEqual(['setuptools', 'setuptools2']);
    expect(graph.providers.get('ODBC-MGR')).toEqual(['libiodbc', 'unixodbc']);
    expect(plan.entries).toHaveLength(398);
    expect(plan.entries.every((e) => e.action === 'new')).toBe(true);
    // dependencies come first
    const at = new Map(plan.entries.map((e, i) => [e.name, i]));
    expect(at.get('zlib')!).toBeLessThan(at.get('libpng')!);
    expect(at.get('perl')!).toBeLessThan(at.get('autoconf')!);
  });

  it('converts ed exactly', () => {
    expect(spellText('editors', 'ed')).toBe(`# Imported from the Source Mage spell editors/ed (jux import smgl).
Spell           ed ;
Version         ed : 1.22.6 ;
Description     ed : "ed is a line-oriented text editor." ;
License         ed : GPL ;
Section         ed : editors ;
Source          ed : ed-1.22.6.tar.lz ;
Url             ed-1.22.6.tar.lz : https://ftp.gnu.org/gnu/ed/ed-1.22.6.tar.lz ;
LooseDepends    ed : smgl-fhs lzip ;
`);
  });

  it('converts sed exactly', () => {
    expect(spellText('editors', 'sed')).toBe(`# Imported from the Source Mage spell editors/sed (jux import smgl).
Spell           sed ;
Version         sed : 4.10 ;
Description     sed : "stream-oriented non-interactive text editor" ;
License         sed : GPL ;
Section         sed : editors ;
Source          sed : sed-4.10.tar.xz ;
Url             sed-4.10.tar.xz : https://ftp.gnu.org/gnu/sed/sed-4.10.tar.xz ;
LooseDepends    sed : smgl-fhs ;
OptionalDepends sed : GETTEXT : "--enable-nls" : "--disable-nls" : "for Native Language Support" ;
OptionalDepends sed : acl : "--enable-acl" : "--disable-acl" : "for ACLs support" ;
`);
  });

  it('converts lynx exactly: its cast_self trigger on openssl leaves the optional SSL dependency optional', () => {
    expect(spellText('http', 'lynx')).toBe(`# Imported from the Source Mage spell http/lynx (jux import smgl).
Spell           lynx ;
Version         lynx : 2.9.2 ;
Description     lynx : "Text browser for the World Wide Web" ;
License         lynx : GPL ;
Section         lynx : http ;
Source          lynx : lynx2.9.2.tar.bz2 ;
Url             lynx2.9.2.tar.bz2 : https://invisible-mirror.net/archives/lynx/tarballs/lynx2.9.2.tar.bz2 ;
LooseDepends    lynx : ncurses ;
OptionalDepends lynx : GETTEXT : "--enable-nls --without-included-gettext" : "--disable-nls" : "for Native Language Support" ;
OptionalDepends lynx : SSL : "--with-ssl" : "--without-ssl" : "for HTTPS support via OpenSSL" ;
OptionalDepends lynx : gnutls : "--with-gnutls" : "--without-gnutls" : "for HTTPS support via GNUTLS" ;
OptionalDepends lynx : SYSTEM-LOGGER : "--enable-syslog" : "--disable-syslog" : "to log URL requests via syslog" ;
OptionalDepends lynx : zlib : "--with-zlib" : "--without-zlib" : "for decompression of some gzip files" ;
OptionalDepends lynx : bzip2 : "--with-bzlib" : "--without-bzlib" : "for decompression of some bzip2 files" ;
Provides        lynx : HTML_TO_TEXT WEB-BROWSER ;
`);
    const items = report.bySpell.get('http/lynx')!;
    expect(items.filter((i) => i.kind === 'trigger').map((i) => i.message)).toEqual([
      'on_cast openssl cast_self: openssl is only an optional dependency (through SSL); jux optional dependencies are loose when on (rebuilt when its ABI key or options change), so it stays optional',
    ]);
    expect(items.filter((i) => i.kind === 'signature').map((i) => i.message)).toEqual([
      'SOURCE2 lynx2.9.2.tar.bz2.asc is a signature (SOURCE2_IGNORE=signature): not imported',
    ]);
  });

  it('converts libpng exactly: on_cast zlib cast_self makes zlib a tight dependency', () => {
    expect(spellText('graphics-libs', 'libpng')).toBe(`# Imported from the Source Mage spell graphics-libs/libpng (jux import smgl).
Spell           libpng ;
Version         libpng : 1.6.56 ;
Description     libpng : "library that supports the PNG graphics format" ;
License         libpng : ZLIB ;
Section         libpng : graphics-libs ;
Source          libpng : libpng-1.6.56.tar.xz ;
Url             libpng-1.6.56.tar.xz : https://downloads.sourceforge.net/project/libpng/libpng16/1.6.56/libpng-1.6.56.tar.xz ;
TightDepends    libpng : zlib ;
BuildDepends    libpng : PKG-CONFIG ;
`);
  });

  it('converts llvm exactly: DETAILS case fall-through, ${VERSION%%.*}, conditions decided by the defaults', () => {
    expect(spellText('devel', 'llvm')).toBe(`# Imported from the Source Mage spell devel/llvm (jux import smgl).
Spell           llvm ;
Version         llvm : 22.1.8 ;
Description     llvm : "A novel compiler infrastructure, version 22.x" ;
License         llvm : APACHE ;
Section         llvm : devel ;
Source          llvm : llvm-project-22.1.8.src.tar.xz ;
Url             llvm-project-22.1.8.src.tar.xz : https://github.com/llvm/llvm-project/releases/download/llvmorg-22.1.8/llvm-project-22.1.8.src.tar.xz ;
LooseDepends    llvm : python3 mako ;
BuildDepends    llvm : libtool PKG-CONFIG ;
OptionalDepends llvm : zlib : "-DLLVM_ENABLE_ZLIB=ON" : "-DLLVM_ENABLE_ZLIB=OFF" : "Enable using zlib for (de)compression?" ;
OptionalDepends llvm : zstd : "-DLLVM_ENABLE_ZSTD=ON" : "-DLLVM_ENABLE_ZSTD=OFF" : "Enable using zstd for (de)compression?" ;
OptionalDepends llvm : z3 : "-DLLVM_ENABLE_Z3_SOLVER=ON" : "-DLLVM_ENABLE_Z3_SOLVER=OFF" : "Enable support for the Z3 constraint solver?" ;
OptionalDepends llvm : libffi : "-DLLVM_ENABLE_FFI=ON" : "-DLLVM_ENABLE_FFI=OFF" : "Use sytem FFI?" ;
OptionalDepends llvm : ocaml : "" : "" : "Build bindings for OCaml?" ;
OptionalDepends llvm : doxygen : "-DLLVM_ENABLE_DOXYGEN=ON" : "-DLLVM_ENABLE_DOXYGEN=OFF" : "Build documentation?" ;
`);
    const conditional = report.bySpell.get('devel/llvm')!.filter((i) => i.kind === 'conditional').map((i) => i.message);
    expect(conditional).toContain(
      'buildsys_depends libexecinfo: left out, case "$HOST" ("x86_64-pc-linux-gnu") does not match *-musl (sorcery\'s default configuration)',
    );
  });

  it('keeps a dependency the sample lacks as an optional one, and says so', () => {
    const text = spellText('latex', 'texlive');
    expect(text).toContain('OptionalDepends texlive : libpaper : "--with-system-libpaper" : "" : "a dependency in sorcery, not in the imported grimoire" ;');
    expect(text).toContain('LooseDepends    texlive : gmp cairo mpfr harfbuzz icu pixman texlive-texmf');
    const missing = report.bySpell.get('latex/texlive')!.filter((i) => i.kind === 'missing-dependency').map((i) => i.message);
    expect(missing).toContain('depends libpaper: no spell or capability of the grimoire has this name: imported as an optional dependency (off) so that the tree plans');
  });

  it('copies phase scripts as executables and keeps the other files under smgl/', () => {
    const dir = path.join(out, 'graphics-libs', 'libpng');
    const build = path.join(dir, 'BUILD');
    expect(fs.statSync(build).mode & 0o111).toBe(0o111);
    expect(fs.readFileSync(build, 'utf8')).toBe(`#!/bin/bash\n${fs.readFileSync(path.join(SAMPLE, 'graphics-libs/libpng/BUILD'), 'utf8')}`);
    // no INSTALL in the grimoire: sorcery's default is written out
    expect(fs.readFileSync(path.join(dir, 'INSTALL'), 'utf8')).toBe('#!/bin/bash\n# sorcery runs default_install when a spell has no INSTALL\ndefault_install\n');
    expect(fs.statSync(path.join(dir, 'INSTALL')).mode & 0o111).toBe(0o111);
    // CONFIGURE holds sorcery's questions, not a configure phase
    expect(fs.existsSync(path.join(dir, 'CONFIGURE'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'smgl')).sort()).toEqual(['CONFIGURE', 'DEPENDS', 'DETAILS', 'PRE_BUILD', 'SUB_DEPENDS', 'TRIGGERS', 'UP_TRIGGERS']);
    const dataFiles = report.bySpell.get('graphics-libs/libpng')!.filter((i) => i.kind === 'data-file').map((i) => i.file);
    expect(dataFiles).toEqual(['CONFIGURE', 'PRE_BUILD', 'SUB_DEPENDS', 'TRIGGERS', 'UP_TRIGGERS']);
  });

  it('reports what it could not carry, with counts', () => {
    expect(report.spells).toBe(400);
    expect(report.converted).toBe(400);
    expect(report.counts).toEqual({
      checksum: 359,
      conditional: 327,
      'data-file': 462,
      duplicate: 26,
      field: 413,
      flags: 65,
      'force-depends': 19,
      'missing-dependency': 293,
      'missing-source': 377,
      'one-of': 2,
      provider: 3,
      provides: 1,
      script: 366,
      signature: 110,
      'sub-depends': 73,
      suggest: 33,
      trigger: 38,
      unexpanded: 99,
      'unknown-command': 3,
      url: 21,
      'version-constraint': 14,
    });
    let sum = report.general.length;
    for (const items of report.bySpell.values()) sum += items.length;
    expect(Object.values(report.counts).reduce((a, b) => a + b, 0)).toBe(sum);

    const text = fs.readFileSync(path.join(out, 'IMPORT-REPORT.txt'), 'utf8');
    expect(text).toContain(`400 spells, 400 converted, ${sum} notes`);
    expect(text).toContain('  [provider] jux.yaml: PYTHON: python3, of python, python3 (spells naming each: python 11, python3 39)');
    expect(text).toContain('\nkde-frameworks/kauth\n  [missing-source] DETAILS:2: sources $GRIMOIRE/KDE_FW, which is not in the grimoire\n');
    expect(text).toContain('  [provides] PROVIDES: "provides" is not a capability name (capabilities are upper case): left out');
  });
});
