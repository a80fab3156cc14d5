/**
 * The Source Mage importer on small grimoires written here: how DETAILS
 * values are expanded, how DEPENDS, TRIGGERS and PROVIDES map to jux
 * statements, and that the grimoire's shell is read, never run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultRulesDir } from '../../src/config/config.js';
import { loadPackageGraph } from '../../src/graph/treeCache.js';
import { type ImportReport, importSmgl, type ReportItem } from '../../src/import/smgl/index.js';
import { Interp } from '../../src/import/smgl/evaluate.js';
import { resolveDependencies } from '../../src/planner/resolve.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** Write a grimoire: "section/spell/FILE" -> text (or "FILE" at the top). */
function grimoire(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-grimoire-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

async function run(files: Record<string, string>): Promise<{ out: string; report: ImportReport; spell: (s: string) => string; items: (s: string, kind?: ReportItem['kind']) => string[] }> {
  const g = grimoire(files);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-out-'));
  made.push(out);
  const report = await importSmgl(g, out);
  const spell = (s: string): string => {
    const [section, name] = s.split('/');
    return fs.readFileSync(path.join(out, section!, name!, `${name}.jux`), 'utf8').split('\n').slice(1).join('\n');
  };
  const items = (s: string, kind?: ReportItem['kind']): string[] =>
    (report.bySpell.get(s) ?? []).filter((i) => kind === undefined || i.kind === kind).map((i) => i.message);
  return { out, report, spell, items };
}

const details = (name: string, body: string): string => `SPELL=${name}\n${body}\nSHORT="the ${name} spell"\n`;

describe('DETAILS', () => {
  it('expands the parameter expansions spells use', async () => {
    const { spell, items } = await run({
      'libs/foo/DETAILS': details(
        'foo',
        `VERSION=1.2.3
SOURCE=\${SPELL}-\${VERSION}.tar.gz
SOURCE_URL[0]=\$GNU_URL/\${SPELL}/\${VERSION%.*}/\$SOURCE
SOURCE_URL[1]=https://example.org/\${VERSION//./}/\${SOURCE/.gz/.xz}
SOURCE_URL[2]=https://example.org/v\${VERSION%%.*}/\${VERSION:0:3}/\${SPELL^^}/\${VERSION#*.}
SOURCE_URL[3]=https://example.org/\$(echo \$VERSION | cut -d . -f 1,2)/\${NOTSET:-dflt}
SOURCE_URL[4]=https://example.org/\$(( 1 + 2 * 3 ))/\`echo \$VERSION | sed 's/\\./_/g'\`
SOURCE_HASH=sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08
LICENSE[0]=GPL
LICENSE[1]=LGPL`,
      ),
    });
    expect(spell('libs/foo')).toBe(`Spell           foo ;
Version         foo : 1.2.3 ;
Description     foo : "the foo spell" ;
License         foo : GPL LGPL ;
Section         foo : libs ;
Source          foo : foo-1.2.3.tar.gz ;
Url             foo-1.2.3.tar.gz : https://ftp.gnu.org/gnu/foo/1.2/foo-1.2.3.tar.gz https://example.org/123/foo-1.2.3.tar.xz https://example.org/v1/1.2/FOO/2.3 https://example.org/1.2/dflt https://example.org/7/1_2_3 ;
Sha256          foo-1.2.3.tar.gz : 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ;
`);
    expect(items('libs/foo', 'checksum')).toEqual([]);
  });

  it('decides if and case on known values, with ;& fall-through', async () => {
    const { spell } = await run({
      'libs/bar/DETAILS': details(
        'bar',
        `case "$SLOT" in
  ('') SLOT=0 ;&
  (0) VERSION=2.0 ;;
  (1) VERSION=1.0 ;;
esac
if [[ $SLOT == 0 ]]; then
  SOURCE=bar-$VERSION.tar.gz
else
  SOURCE=bar-old.tar.gz
fi
case $HOST in
  *-musl) SOURCE_URL[0]=https://musl.example/$SOURCE ;;
  *) SOURCE_URL[0]=https://example.org/$SOURCE ;;
esac`,
      ),
    });
    expect(spell('libs/bar')).toContain('Version         bar : 2.0 ;');
    expect(spell('libs/bar')).toContain('Url             bar-2.0.tar.gz : https://example.org/bar-2.0.tar.gz ;');
  });

  it('reports what it cannot expand and never leaves it out silently', async () => {
    const { spell, items } = await run({
      'libs/baz/DETAILS': details(
        'baz',
        `VERSION=$(get_scm_version)
SOURCE=baz.tar.gz
SOURCE_URL[0]=$UNKNOWN_MIRROR/baz.tar.gz
SOURCE_URL[1]=git://example.org/baz.git
SOURCE_URL[2]=https://example.org/baz.tar.gz
SOURCE2=baz.tar.gz.sig
SOURCE2_URL[0]=https://example.org/baz.tar.gz.sig
SOURCE2_IGNORE=signature
SOURCE_HASH=sha512:abcdef`,
      ),
    });
    expect(spell('libs/baz')).toBe(`Spell           baz ;
Description     baz : "the baz spell" ;
Section         baz : libs ;
Source          baz : baz.tar.gz ;
Url             baz.tar.gz : https://example.org/baz.tar.gz ;
`);
    expect(items('libs/baz', 'unexpanded')).toEqual([
      'VERSION "$(get_scm_version)" cannot be expanded ($(get_scm_version)): no Version statement',
      'SOURCE_URL[0] "/baz.tar.gz" cannot be expanded ($UNKNOWN_MIRROR (unset)): address left out',
    ]);
    expect(items('libs/baz', 'url')).toEqual(['SOURCE_URL[1] git://example.org/baz.git: not an address jux fetches (version control or sorcery-specific): left out']);
    expect(items('libs/baz', 'signature')).toEqual(['SOURCE2 baz.tar.gz.sig is a signature (SOURCE2_IGNORE=signature): not imported']);
    expect(items('libs/baz', 'checksum')).toEqual(['SOURCE_HASH is sha512, jux checks sha256 only: baz.tar.gz has no checksum']);
    expect(items('libs/baz', 'field')).toEqual([]);
  });

  it('reads the grimoire files a spell sources, and reports those missing', async () => {
    const { spell, items } = await run({
      'KDE_FW': 'VERSION=6.1.0\nSOURCE=$SPELL-$VERSION.tar.xz\nSOURCE_URL[0]=https://download.kde.org/stable/frameworks/${VERSION%.*}/$SOURCE\n',
      'kde/kfoo/DETAILS': 'SPELL=kfoo\nsource $GRIMOIRE/KDE_FW\nSHORT="kfoo"\n',
      'kde/kfoo/DEPENDS': '. "$GRIMOIRE/KDE_DEPENDS" &&\ndepends kbar\n',
      'kde/kbar/DETAILS': 'SPELL=kbar\n. $GRIMOIRE/KDE_FW\nSHORT="kbar"\n',
    });
    expect(spell('kde/kfoo')).toBe(`Spell           kfoo ;
Version         kfoo : 6.1.0 ;
Description     kfoo : "kfoo" ;
Section         kfoo : kde ;
Source          kfoo : kfoo-6.1.0.tar.xz ;
Url             kfoo-6.1.0.tar.xz : https://download.kde.org/stable/frameworks/6.1/kfoo-6.1.0.tar.xz ;
LooseDepends    kfoo : kbar ;
`);
    expect(items('kde/kfoo', 'missing-source')).toEqual(['sources $GRIMOIRE/KDE_DEPENDS, which is not in the grimoire']);
  });

  it('never runs the grimoire: commands are read, not executed', async () => {
    const marker = path.join(os.tmpdir(), `jux-smgl-marker-${process.pid}`);
    fs.rmSync(marker, { force: true });
    const { items } = await run({
      'libs/evil/DETAILS': details('evil', `VERSION=1\ntouch ${marker}\nSOURCE=$(touch ${marker})`),
      'libs/evil/DEPENDS': `touch ${marker} && depends libs`,
      'libs/evil/BUILD': `touch ${marker}\n`,
    });
    expect(fs.existsSync(marker)).toBe(false);
    expect(items('libs/evil', 'unknown-command')).toEqual([`command not known: touch ${marker}`, `command not known: touch ${marker}`]);
    expect(items('libs/evil', 'unexpanded')).toContain(`SOURCE "$(touch ${marker})" cannot be expanded ($(touch ${marker})): source not imported`);
  });
});

describe('DEPENDS', () => {
  const base = {
    'libs/zlib/DETAILS': details('zlib', 'VERSION=1'),
    'libs/openssl/DETAILS': details('openssl', 'VERSION=3'),
    'libs/openssl/PROVIDES': 'SSL\n',
    'libs/libressl/DETAILS': details('libressl', 'VERSION=4'),
    'libs/libressl/PROVIDES': 'SSL # a comment\n',
    'libs/gmp/DETAILS': details('gmp', 'VERSION=6'),
    'devel/cmake/DETAILS': details('cmake', 'VERSION=3'),
    'devel/pkgconf/DETAILS': details('pkgconf', 'VERSION=2'),
    'devel/pkgconf/PROVIDES': 'PKG-CONFIG\n',
    'libs/glibc/DETAILS': details('glibc', 'VERSION=2'),
  };

  it('maps depends, runtime_depends, optional_depends and build tools', async () => {
    const { spell, items } = await run({
      ...base,
      'apps/app/DETAILS': details('app', 'VERSION=1'),
      'apps/app/DEPENDS': `depends  zlib  &&
depends -sub CXX gmp "--with-gmp" &&
depends cmake && depends PKG-CONFIG &&
runtime_depends \\
    openssl &&
optional_depends SSL \\
                 "--with-ssl" \\
                 "--without-ssl" \\
                 "for TLS" &&
suggest_depends glibc "" "" "just because"
`,
    });
    expect(spell('apps/app')).toBe(`Spell           app ;
Version         app : 1 ;
Description     app : "the app spell" ;
Section         app : apps ;
LooseDepends    app : zlib gmp ;
BuildDepends    app : cmake PKG-CONFIG ;
RuntimeDepends  app : openssl ;
OptionalDepends app : SSL : "--with-ssl" : "--without-ssl" : "for TLS" ;
OptionalDepends app : glibc : "" : "" : "just because" ;
`);
    expect(items('apps/app', 'flags')).toEqual(['depends gmp "--with-gmp": jux passes flags only for optional dependencies; add them to the build']);
    expect(items('apps/app', 'sub-depends')).toEqual(['depends gmp asks for gmp built with CXX: jux has no sub-dependencies']);
    expect(items('apps/app', 'suggest')).toEqual(['suggest_depends glibc: imported as an optional dependency']);
  });

  it('decides conditions it can, makes the others optional, and reports both', async () => {
    const { spell, items } = await run({
      ...base,
      'apps/app/DETAILS': details('app', 'VERSION=1'),
      'apps/app/CONFIGURE': 'config_query_list APP_TLS "Which TLS?" openssl libressl none\nconfig_query APP_GMP "gmp?" y\n',
      'apps/app/DEPENDS': `case $APP_TLS in
  openssl) depends openssl ;;
  libressl) depends libressl ;;
esac &&
if [[ $APP_GMP == y ]]; then depends gmp; fi &&
if [[ "$APP_DEVEL" == y ]]; then depends cmake; fi &&
if spell_ok glibc; then
  depends glibc "--with-glibc"
fi &&
if is_depends_enabled $SPELL zlib; then depends PKG-CONFIG; else depends cmake; fi &&
optional_depends zlib '' '' 'compression'
`,
    });
    expect(spell('apps/app')).toBe(`Spell           app ;
Version         app : 1 ;
Description     app : "the app spell" ;
Section         app : apps ;
LooseDepends    app : openssl gmp ;
OptionalDepends app : glibc : "--with-glibc" : "" : "needed when: spell_ok glibc" ;
OptionalDepends app : PKG-CONFIG : "" : "" : "needed when: is_depends_enabled $SPELL zlib" ;
OptionalDepends app : cmake : "" : "" : "needed when: not: is_depends_enabled $SPELL zlib" ;
OptionalDepends app : zlib : "" : "" : "compression" ;
`);
    expect(items('apps/app', 'conditional')).toEqual([
      'conditions read $APP_DEVEL while it was unset (a first cast with sorcery\'s defaults): taken as empty',
      'depends libressl: left out, case $APP_TLS ("openssl") took an earlier branch (sorcery\'s default configuration)',
      'depends cmake: left out, [[ "$APP_DEVEL" == y ]] is false (sorcery\'s default configuration)',
      'depends glibc: under a condition the grimoire cannot decide (spell_ok glibc): imported as an optional dependency',
      'depends PKG-CONFIG: under a condition the grimoire cannot decide (is_depends_enabled $SPELL zlib): imported as an optional dependency',
      'depends cmake: under a condition the grimoire cannot decide (not: is_depends_enabled $SPELL zlib): imported as an optional dependency',
    ]);
  });

  it('reads local functions, vdepends and one-of declarations', async () => {
    const { spell, items } = await run({
      ...base,
      'apps/app/DETAILS': details('app', 'VERSION=1'),
      'apps/app/DEPENDS': `with_system() {
  depends "$1" --with-system-"$1"
}
with_system zlib &&
vdepends <<EOF &&
  gmp[CXX] >= 6.0  flags: --with-gmp
  *glibc
EOF
. "$GRIMOIRE/depends_one_of.function" &&
optional_depends_one_of APP_SSL openssl '--with-openssl' libressl '--with-libressl' '--without-ssl' 'SSL library'
`,
    });
    expect(spell('apps/app')).toBe(`Spell           app ;
Version         app : 1 ;
Description     app : "the app spell" ;
Section         app : apps ;
LooseDepends    app : zlib gmp ;
RuntimeDepends  app : glibc ;
OptionalDepends app : openssl : "--with-openssl" : "--without-ssl" : "SSL library" ;
OptionalDepends app : libressl : "--with-libressl" : "--without-ssl" : "SSL library" ;
`);
    expect(items('apps/app', 'version-constraint')).toEqual(['vdepends gmp >= 6.0: jux has no version constraints']);
    expect(items('apps/app', 'one-of')).toEqual(['optional_depends_one_of: at most one of openssl, libressl; each is an optional dependency, turn on one']);
    expect(items('apps/app', 'flags')).toEqual([
      'depends zlib "--with-system-zlib": jux passes flags only for optional dependencies; add them to the build',
      'vdepends gmp "--with-gmp": jux passes flags only for optional dependencies; add them to the build',
    ]);
  });
});

describe('TRIGGERS and providers', () => {
  it('makes cast_self triggers tight where jux can, and says why where it cannot', async () => {
    const { spell, items, out, report } = await run({
      'libs/zlib/DETAILS': details('zlib', 'VERSION=1'),
      'libs/glibc/DETAILS': details('glibc', 'VERSION=2'),
      'libs/openssl/DETAILS': details('openssl', 'VERSION=3'),
      'libs/openssl/PROVIDES': 'SSL\n',
      'libs/libressl/DETAILS': details('libressl', 'VERSION=4'),
      'libs/libressl/PROVIDES': 'SSL\n',
      'libs/gnutls/DETAILS': details('gnutls', 'VERSION=3'),
      'apps/a/DETAILS': details('a', 'VERSION=1'),
      'apps/a/DEPENDS': 'depends zlib && depends SSL && optional_depends gnutls "" "" "TLS"\n',
      'apps/a/TRIGGERS': 'on_cast zlib cast_self\non_cast openssl cast_self\non_cast gnutls cast_self\non_cast glibc cast_self\non_cast zlib check_self\n',
      'apps/b/DETAILS': details('b', 'VERSION=1'),
      'apps/b/DEPENDS': 'depends openssl\n',
    });
    expect(spell('apps/a')).toBe(`Spell           a ;
Version         a : 1 ;
Description     a : "the a spell" ;
Section         a : apps ;
TightDepends    a : zlib SSL glibc ;
OptionalDepends a : gnutls : "" : "" : "TLS" ;
`);
    expect(items('apps/a', 'trigger')).toEqual([
      'on_cast openssl cast_self: openssl provides SSL, so the dependency on SSL is tight (whichever provider is chosen)',
      'on_cast gnutls cast_self: gnutls is only an optional dependency; jux optional dependencies are loose when on (rebuilt when its ABI key or options change), so it stays optional',
      'on_cast glibc cast_self: glibc is not a dependency of a; the trigger makes it a tight one',
      'on_cast zlib check_self: jux has no such trigger (a rebuild comes from tight dependencies and ABI keys; jux check audits files): not carried',
    ]);
    // SSL: openssl is named by b and by a's trigger, libressl by nobody
    expect(report.providers).toEqual({ SSL: 'openssl' });
    expect(fs.readFileSync(path.join(out, 'jux.yaml'), 'utf8')).toBe(
      '# Written by jux import smgl: the imported tree is the spell root.\nroots: [.]\n' +
        '# Capabilities several spells provide (see IMPORT-REPORT.txt for why each was chosen).\nproviders:\n  SSL: openssl\n',
    );
    const { graph } = await loadPackageGraph([out], defaultRulesDir(), {}, null);
    expect(graph.diagnostics).toEqual([]);
    const cfg = parse(fs.readFileSync(path.join(out, 'jux.yaml'), 'utf8')) as { providers: Record<string, string> };
    const r = resolveDependencies(graph, new Map(), { providers: cfg.providers, options: {} });
    expect(r.errors).toEqual([]);
    expect(r.deps.get('a')!.map((d) => `${d.kind}:${d.requested}->${d.name}`)).toEqual(['tight:zlib->zlib', 'tight:SSL->openssl', 'tight:glibc->glibc']);
  });

  it('writes no jux.yaml when no capability has several providers', async () => {
    const { out, report } = await run({ 'libs/zlib/DETAILS': details('zlib', 'VERSION=1') });
    expect(report.providers).toEqual({});
    expect(fs.existsSync(path.join(out, 'jux.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'IMPORT-REPORT.txt'))).toBe(true);
  });
});

describe('the bash reader', () => {
  const evalVars = (text: string): Map<string, string> => {
    const interp = new Interp({ defaults: new Map([['GNU_URL', 'https://g']]), hooks: new Map(), readSourced: () => null, onNote: () => {} });
    interp.runText(text, 'TEST');
    return new Map(interp.names().map((n) => [n, interp.get(n)!.s]));
  };

  it('computes parameter expansions, arrays and quoting like bash', () => {
    const v = evalVars(`V=1.22.6
A=\${V/#1/x} B=\${V/%6/y} C=\${#V} D=\${V,,}X E="\${NONE:-}" F=\${NONE-unset}
N=V; G=\${!N}
L=( a "b c" ); H="\${L[1]}" I=\${#L[@]}
J='single $V' K="double \\$V \\"q\\"" M=$'tab\\there'
O=\${V#*.} P=\${V##*.} Q=\${V%.*} R=\${V%%.*}
S=\${V:2} T=\${V: -1} U=\${V:0:4}
W+=more; W+=" and more"
Y=\${GNU_URL}/x
`);
    expect(Object.fromEntries(v)).toMatchObject({
      A: 'x.22.6', B: '1.22.y', C: '6', D: '1.22.6X', E: '', F: 'unset', G: '1.22.6', H: 'b c', I: '2',
      J: 'single $V', K: 'double $V "q"', M: 'tab\there',
      O: '22.6', P: '6', Q: '1.22', R: '1',
      S: '22.6', T: '6', U: '1.22',
      W: 'more and more', Y: 'https://g/x',
    });
  });

  it('reports a file it cannot parse, and does not convert a spell whose DETAILS is unreadable', async () => {
    const { report, items, out } = await run({
      'libs/ok/DETAILS': details('ok', 'VERSION=1'),
      'libs/ok/DEPENDS': 'depends libs &&\nif [[ x ; then\n',
      'libs/broken/DETAILS': 'SPELL=broken\nVERSION="1\n',
    });
    expect(report.spells).toBe(2);
    expect(report.converted).toBe(1);
    expect(items('libs/broken', 'error')).toEqual(['DETAILS cannot be read as data: unterminated double quote (line 2): the spell is not converted']);
    expect(items('libs/ok', 'unsupported')).toEqual(['DEPENDS cannot be read as data: unterminated [[ (line 3)']);
    expect(fs.existsSync(path.join(out, 'libs', 'broken'))).toBe(false);
  });
});
