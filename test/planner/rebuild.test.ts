/**
 * The rebuild rule (DESIGN.md §5), scenario by scenario, on small spell
 * trees written here and planned with the real loader and planner.
 */
import { describe, expect, it } from 'vitest';
import { describeReason } from '../../src/render/planText.js';
import { summary, Tree } from '../helpers/tree.js';

function base(): Tree {
  return new Tree().write({
    zlib: 'Spell zlib ; Version zlib : 1.2.11 ;',
    openssl: 'Spell openssl ; Version openssl : 3.0.2 ; Abi openssl : 3 ; LooseDepends openssl : zlib ; Provides openssl : SSL ;',
    openssh: 'Spell openssh ; Version openssh : 9.1 ; TightDepends openssh : openssl ;',
    sftp: 'Spell sftp ; Version sftp : 1.0 ; TightDepends sftp : openssh ;',
    curl: 'Spell curl ; Version curl : 8.0 ; LooseDepends curl : openssl ;',
    pkgconf: 'Spell pkgconf ; Version pkgconf : 1.9 ;',
    app: 'Spell app ; Version app : 2.0 ; BuildDepends app : pkgconf ; LooseDepends app : zlib ;',
  });
}

describe('the rebuild planner', () => {
  it('builds a fresh tree in dependency order, then has nothing to do', async () => {
    const t = base();
    const first = await t.buildAll();
    const order = first.entries.map((e) => e.name);
    expect(order.indexOf('zlib')).toBeLessThan(order.indexOf('openssl'));
    expect(order.indexOf('openssl')).toBeLessThan(order.indexOf('openssh'));
    expect(order.indexOf('openssh')).toBeLessThan(order.indexOf('sftp'));
    expect(order.indexOf('pkgconf')).toBeLessThan(order.indexOf('app'));
    expect(first.entries.every((e) => e.action === 'new')).toBe(true);
    expect(summary(await t.plan())).toEqual([]);
  });

  it('a minor version bump of a loose dependency rebuilds only that dependency', async () => {
    const t = base();
    await t.buildAll();
    t.write({ zlib: 'Spell zlib ; Version zlib : 1.2.13 ;' });
    const p = await t.plan();
    expect(summary(p)).toEqual(['zlib:version']);
    expect(describeReason(p.entries[0]!.reasons[0]!)).toBe('version 1.2.11 → 1.2.13');
  });

  it('an ABI change rebuilds the loose dependants', async () => {
    const t = base();
    await t.buildAll();
    t.write({ zlib: 'Spell zlib ; Version zlib : 2.0 ;' });
    const p = await t.plan();
    // openssl is rebuilt (loose), so its tight dependants are too; curl, a
    // loose dependant of openssl, stays: openssl keeps its ABI key (Abi 3).
    expect(summary(p)).toEqual([
      'zlib:version',
      'app:loose-abi',
      'openssl:loose-abi',
      'openssh:tight-rebuilt',
      'sftp:tight-rebuilt',
    ]);
    expect(describeReason(p.entries[1]!.reasons[0]!)).toBe('loose dependency zlib rebuilt with ABI 2 (built against 1)');
    expect(p.entries.some((e) => e.name === 'curl')).toBe(false);
  });

  it('a rebuilt tight dependency rebuilds its dependants, transitively', async () => {
    const t = base();
    await t.buildAll();
    t.write({ openssl: 'Spell openssl ; Version openssl : 3.0.3 ; Abi openssl : 3 ; LooseDepends openssl : zlib ; Provides openssl : SSL ;' });
    const p = await t.plan();
    expect(summary(p)).toEqual(['openssl:version', 'openssh:tight-rebuilt', 'sftp:tight-rebuilt']);
    expect(describeReason(p.entries[1]!.reasons[0]!)).toBe('tight dependency openssl rebuilt (3.0.2 → 3.0.3)');
  });

  it('an updated build dependency rebuilds nothing else', async () => {
    const t = base();
    await t.buildAll();
    t.write({ pkgconf: 'Spell pkgconf ; Version pkgconf : 2.0 ;' });
    expect(summary(await t.plan())).toEqual(['pkgconf:version']);
  });

  it('asking for one package queues its tight dependants after it', async () => {
    const t = base();
    await t.buildAll();
    const p = await t.plan({ mode: 'targets', targets: ['openssl'], rebuild: ['openssl'] });
    expect(summary(p)).toEqual(['openssl:forced', 'openssh:tight-rebuilt', 'sftp:tight-rebuilt']);
    expect(p.entries.map((e) => e.origin)).toEqual(['requested', 'dependant', 'dependant']);
    // naming an up-to-date package does nothing
    expect(summary(await t.plan({ mode: 'targets', targets: ['openssl'] }))).toEqual([]);
  });

  it('catches a tight dependency rebuilt by an earlier run', async () => {
    const t = base();
    await t.buildAll();
    // Rebuild only openssl and (pretend) install it without its dependants.
    const p = await t.plan({ mode: 'targets', targets: ['openssl'], rebuild: ['openssl'] });
    await t.apply({ ...p, entries: p.entries.filter((e) => e.name === 'openssl') });
    const next = await t.plan();
    expect(summary(next)).toEqual(['openssh:tight-changed', 'sftp:tight-rebuilt']);
  });

  it('turning an optional dependency on changes options and rebuilds', async () => {
    const t = new Tree().write({
      readline: 'Spell readline ; Version readline : 8.2 ;',
      gawk: 'Spell gawk ; Version gawk : 5.3 ; OptionalDepends gawk : readline : "--with-readline" : "--without-readline" : "line editing" ;',
      awkuser: 'Spell awkuser ; Version awkuser : 1 ; LooseDepends awkuser : gawk ;',
    });
    await t.buildAll();
    t.config = { providers: {}, options: { gawk: ['readline'] } };
    const p = await t.plan();
    expect(summary(p)).toEqual(['gawk:inputs', 'awkuser:loose-options']);
    expect(describeReason(p.entries[0]!.reasons[0]!)).toBe('changed options');
    expect(p.entries[0]!.deps.map((d) => `${d.kind}:${d.name}`)).toEqual(['optional:readline']);
    expect(p.entries[0]!.flags).toEqual(['--with-readline']);
  });

  it('switching the provider of a capability rebuilds what depends on the capability', async () => {
    const t = new Tree().write({
      openssl: 'Spell openssl ; Version openssl : 3.0 ; Provides openssl : SSL ;',
      libressl: 'Spell libressl ; Version libressl : 3.9 ; Provides libressl : SSL ;',
      wget: 'Spell wget ; Version wget : 1.21 ; TightDepends wget : SSL ;',
    });
    t.config = { providers: { SSL: 'openssl' }, options: {} };
    const first = await t.buildAll();
    expect(first.entries.map((e) => e.name)).toEqual(['openssl', 'wget']); // libressl not selected
    t.config = { providers: { SSL: 'libressl' }, options: {} };
    const p = await t.plan();
    expect(summary(p)).toEqual(['libressl:new', 'wget:provider,tight-rebuilt']);
    expect(p.entries[1]!.reasons.map(describeReason)).toEqual([
      'SSL now provided by libressl (was openssl)',
      'tight dependency libressl rebuilt (new 3.9)',
    ]);
  });

  it('in a whole-tree build, takes the provider jux.yaml chooses even when nothing depends on the capability', async () => {
    const t = new Tree().write({
      libiodbc: 'Spell libiodbc ; Version libiodbc : 3 ; Provides libiodbc : ODBC-MGR ;',
      unixodbc: 'Spell unixodbc ; Version unixodbc : 2 ; Provides unixodbc : ODBC-MGR ;',
    });
    expect((await t.plan()).entries.map((e) => e.name)).toEqual(['libiodbc']); // first by name
    t.config = { providers: { 'ODBC-MGR': 'unixodbc' }, options: {} };
    expect((await t.plan()).entries.map((e) => e.name)).toEqual(['unixodbc']);
  });

  it('resolves a provider to the installed one, else the only candidate, else asks', async () => {
    const t = new Tree().write({
      gawk: 'Spell gawk ; Version gawk : 5 ; Provides gawk : AWK ;',
      mawk: 'Spell mawk ; Version mawk : 1 ; Provides mawk : AWK ;',
      script: 'Spell script ; Version script : 1 ; LooseDepends script : AWK ;',
    });
    const p = await t.plan({ mode: 'targets', targets: ['script'] });
    expect(p.errors.map((e) => e.message)).toEqual([
      'script depends on AWK, which both of gawk, mawk provide; choose one in jux.yaml (providers: { AWK: gawk })',
    ]);
    // Once one provider is installed, it is used.
    const q = await t.plan({ mode: 'targets', targets: ['mawk'] });
    await t.apply(q);
    expect(summary(await t.plan({ mode: 'targets', targets: ['script'] }))).toEqual(['script:new']);
  });

  it('reports a dependency that names nothing, with the spell position', async () => {
    const t = new Tree().write({ a: 'Spell a ;\nVersion a : 1 ;\nLooseDepends a : nowhere ;' });
    const p = await t.plan({ mode: 'targets', targets: ['a'] });
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.message).toBe('a depends on nowhere, which no spell or provider names');
    expect(p.errors[0]!.at).toMatchObject({ line: 3, col: 1 });
    expect(p.errors[0]!.at!.file.endsWith('test/a.jux')).toBe(true);
  });

  it('orders a cycle by build dependencies, then name, and warns; a build-only cycle is an error', async () => {
    const t = new Tree().write({
      a: 'Spell a ; Version a : 1 ; LooseDepends a : b ;',
      b: 'Spell b ; Version b : 1 ; LooseDepends b : c ;',
      c: 'Spell c ; Version c : 1 ; BuildDepends c : a ;',
    });
    const p = await t.plan();
    expect(p.cycles).toEqual([['a', 'c', 'b']]);
    expect(p.warnings.map((w) => w.message)).toEqual([
      'dependency cycle among a, c, b; built in that order (build dependencies first, then by name)',
    ]);
    expect(p.entries.map((e) => e.name)).toEqual(['a', 'c', 'b']);
    const u = new Tree().write({
      x: 'Spell x ; Version x : 1 ; BuildDepends x : y ;',
      y: 'Spell y ; Version y : 1 ; BuildDepends y : x ;',
    });
    const q = await u.plan();
    expect(q.errors.map((e) => e.message)).toEqual(['build dependencies form a cycle: x -> y -> x']);
  });

  it('reports the same spell defined twice in one root', async () => {
    const t = new Tree().write({ 'libs/a.jux': 'Spell a ;', 'apps/a.jux': 'Spell a ;' });
    const g = await t.graph();
    const errs = g.diagnostics.filter((d) => d.severity === 'error');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toMatch(/^spell a is defined twice in \S+ \(first at apps\/a\.jux:1\)$/);
  });

  it('lets a later root replace a spell as a whole', async () => {
    const t = new Tree().write({
      'main/libs/a.jux': 'Spell a ; Version a : 1 ; LooseDepends a : b ;',
      'main/libs/b.jux': 'Spell b ; Version b : 1 ;',
      'overlay/a.jux': 'Spell a ; Version a : 2 ;',
    });
    const g = await t.graph([`${t.dir}/main`, `${t.dir}/overlay`]);
    const a = g.spells.get('a')!;
    expect(a.version).toBe('2');
    expect(a.deps).toEqual([]);
    expect(a.root).toBe(`${t.dir}/overlay`);
    expect(a.replaces.map((r) => r.root)).toEqual([`${t.dir}/main`]);
  });

  it('changing a script or a checksum rebuilds; a description does not', async () => {
    const t = new Tree().write({
      'libs/foo/foo.jux': 'Spell foo ; Version foo : 1 ; Description foo : "old" ; Source foo : foo.tar.gz ;\nSha256 foo.tar.gz : aaaa ;',
      'libs/foo/BUILD': 'make\n',
    });
    await t.buildAll();
    t.write({ 'libs/foo/foo.jux': 'Spell foo ; Version foo : 1 ; Description foo : "new" ; Source foo : foo.tar.gz ;\nSha256 foo.tar.gz : aaaa ;' });
    expect(summary(await t.plan())).toEqual([]);
    t.write({ 'libs/foo/BUILD': 'make all\n' });
    expect(summary(await t.plan())).toEqual(['foo:inputs']);
    t.write({ 'libs/foo/BUILD': 'make\n', 'libs/foo/foo.jux': 'Spell foo ; Version foo : 1 ; Source foo : foo.tar.gz ;\nSha256 foo.tar.gz : bbbb ;' });
    const p = await t.plan();
    expect(describeReason(p.entries[0]!.reasons[0]!)).toBe('changed source checksums');
  });

  it('forces everything in scope with -a, and a dependency not installed is built too', async () => {
    const t = base();
    await t.buildAll();
    const all = await t.plan({ forceAll: true });
    expect(all.entries).toHaveLength(7);
    t.installed.delete('zlib');
    const p = await t.plan({ mode: 'targets', targets: ['curl'], rebuild: ['curl'] });
    expect(summary(p)).toEqual(['zlib:new', 'curl:forced']);
  });

  it('a dependency installed but in no spell root is used and never rebuilt', async () => {
    const t = base();
    await t.buildAll();
    t.write({ 'test/zlib.jux': '# zlib left the tree\n' });
    const p = await t.plan();
    expect(summary(p)).toEqual([]);
    expect(p.warnings.some((w) => /using the installed zlib, which is no longer in any spell root/.test(w.message))).toBe(true);
    expect(p.orphans).toEqual(['zlib']);
  });
});
