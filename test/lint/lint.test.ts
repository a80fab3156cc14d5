/**
 * `jux check --spells`: the real binary lints small spell trees written in
 * temporary directories. Each finding is asserted as the exact line a
 * maintainer reads (FILE:LINE:COL: severity: message), at the word it is
 * about, with the exit status (1 with errors, 0 with warnings only).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, SHARED } from '../helpers/paths.js';
import { runJux, tempDir, type RunResult, writeFiles } from '../helpers/run.js';

/** Temporary directories made here, removed at the end. */
const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function scratch(prefix: string): string {
  const d = fs.realpathSync(tempDir(prefix));
  made.push(d);
  return d;
}

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A spell tree: jux.yaml (roots: [spells] unless given) and the files given (paths under the tree). */
class LintTree {
  readonly dir = scratch('jux-lint-');
  constructor(files: Record<string, string>, yaml = 'roots: [spells]\n') {
    writeFiles(this.dir, { 'jux.yaml': yaml, ...files });
  }
  /** A file of the tree as findings name it: relative to the tree, where check runs. */
  file(rel: string): string {
    return rel;
  }
  check(...args: string[]): Promise<RunResult> {
    return runJux(['check', '--spells', ...args], { cwd: this.dir });
  }
}

/** The diagnostic lines of a run's output (without the quoted source lines and carets). */
function findings(r: RunResult): string[] {
  return r.stdout.split('\n').filter((l) => /: (error|warning): /.test(l));
}

/** The last line: "N spells: E errors, W warnings". */
function summary(r: RunResult): string {
  return r.stdout.trimEnd().split('\n').pop() ?? '';
}

/** A complete spell with an in-tree source (no Url or checksum needed). */
function spell(name: string, extra = ''): string {
  return `Spell ${name} ;\nVersion ${name} : 1.0 ;\nSource ${name} : src ;\n${extra}`;
}

/** Files of a spell folder spells/SECTION/NAME/ with NAME.jux and an in-tree source folder. */
function spellFiles(section: string, name: string, text: string): Record<string, string> {
  return {
    [`spells/${section}/${name}/${name}.jux`]: text,
    [`spells/${section}/${name}/src/README`]: `${name}\n`,
  };
}

describe('jux check --spells', () => {
  it('is quiet about a clean tree and exits 0', async () => {
    const t = new LintTree({
      ...spellFiles('libs', 'libz', spell('libz', 'Provides libz : ZLIB ;\n')),
      ...spellFiles('apps', 'app', spell('app', 'LooseDepends app : ZLIB ;\nRuntimeDepends app : libz ;\n')),
      'spells/apps/fetched/fetched.jux': [
        'Spell   fetched ;',
        'Version fetched : 2.1 ;',
        'Source  fetched : fetched-2.1.tar.gz ;',
        'Url     fetched-2.1.tar.gz : https://example.org/fetched-2.1.tar.gz ;',
        `Sha256  fetched-2.1.tar.gz : ${SHA} ;`,
        'BuildDepends fetched : app ;',
        '',
      ].join('\n'),
    });
    const r = await t.check();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('3 spells: 0 errors, 0 warnings\n');
  });

  it('reports a syntax error at the offending token, with the source line and a caret', async () => {
    const t = new LintTree(spellFiles('apps', 'broken', spell('broken', 'License broken : MIT ;\nif { ;\n')));
    const r = await t.check();
    expect(r.code).toBe(1);
    const f = t.file('spells/apps/broken/broken.jux');
    expect(r.stdout).toBe(
      [
        `${f}:5:4: error: syntax error: unexpected keyword \`{\``,
        '  if { ;',
        '     ^',
        '1 spell: 1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('reports every error of the tree in one run, after syntax errors too', async () => {
    const t = new LintTree({
      // A statement without its ';' at the end of the file.
      ...spellFiles('apps', 'alpha', spell('alpha', 'License alpha : MIT')),
      // An unmatched quote; the statements before it still count.
      ...spellFiles('apps', 'beta', 'Spell beta ;\nVersion beta : 1.0 ;\nSource beta : src ;\nDescription beta : "never closed ;\n'),
      // Errors after a syntax error in the same file are found as well.
      ...spellFiles('apps', 'gamma', spell('gamma', 'Version gamma = 2 ;\nVersoin gamma : 2.0 ;\nLooseDepends gamma : alpha beta nosuch ;\n')),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    const alpha = t.file('spells/apps/alpha/alpha.jux');
    const beta = t.file('spells/apps/beta/beta.jux');
    const gamma = t.file('spells/apps/gamma/gamma.jux');
    expect(findings(r)).toEqual([
      `${alpha}:4:20: error: syntax error: unexpected end of file, expected \`;\``,
      `${beta}:4:20: error: unmatched " in string`,
      `${gamma}:4:15: error: syntax error: unexpected keyword \`=\`, expected \`;\``,
      `${gamma}:5:1: error: unknown rule Versoin (did you mean Version?)`,
      // alpha and beta exist despite their syntax errors: only nosuch is unknown.
      `${gamma}:6:33: error: gamma depends on nosuch, which no spell or provider names`,
    ]);
    expect(summary(r)).toBe('3 spells: 5 errors, 0 warnings');
  });

  it('reports an unknown rule at its name, suggesting the statement meant when one is close', async () => {
    const t = new LintTree(
      spellFiles('apps', 'tool', spell('tool', 'looseDepends tool : tool ;\n  Frobnicate tool : now ;\nLisence tool : MIT ;\n')),
    );
    const r = await t.check();
    expect(r.code).toBe(1);
    const f = t.file('spells/apps/tool/tool.jux');
    expect(findings(r)).toEqual([
      `${f}:4:1: error: unknown rule looseDepends (did you mean LooseDepends?)`,
      `${f}:5:3: error: unknown rule Frobnicate`,
      `${f}:6:1: error: unknown rule Lisence (did you mean License?)`,
    ]);
  });

  it('reports a rule called with the wrong number of arguments (a forgotten colon), and nothing else about it', async () => {
    const t = new LintTree({
      'spells/libs/gtk+/gtk+.jux': 'Spell   gtk+ ;\nVersion gtk+ 1.2.10 ;\nSource  gtk+ : src ;\n',
      'spells/libs/gtk+/src/README': 'gtk\n',
      ...spellFiles('apps', 'many', spell('many', 'Description many : "x" : "y" ;\nOptionalDepends many ;\n')),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    const gtk = t.file('spells/libs/gtk+/gtk+.jux');
    const many = t.file('spells/apps/many/many.jux');
    expect(findings(r)).toEqual([
      `${many}:4:1: error: Description takes 2 arguments separated by " : ", got 3`,
      `${many}:5:1: error: OptionalDepends takes 2 to 5 arguments separated by " : ", got 1 (a missing colon?)`,
      `${gtk}:2:1: error: Version takes 2 arguments separated by " : ", got 1 (a missing colon?)`,
    ]);
  });

  it('warns about an attribute given for a spell no file declares, at its name', async () => {
    const t = new LintTree(spellFiles('libs', 'gtk', spell('gtk', 'Description gkt : "The GIMP toolkit" ;\n')));
    const r = await t.check();
    expect(r.code, r.stdout).toBe(0);
    expect(findings(r)).toEqual([`${t.file('spells/libs/gtk/gtk.jux')}:4:13: warning: description given for gkt, which no spell declares`]);
  });

  it('reports a dependency naming no spell or provider at the dependency', async () => {
    const t = new LintTree({
      ...spellFiles('libs', 'libfoo', spell('libfoo', 'Provides libfoo : FOO ;\n')),
      ...spellFiles(
        'apps',
        'app',
        spell(
          'app',
          [
            'LooseDepends app : libfoo libbar ;',
            'TightDepends app : FOO',
            '                   libbaz ;',
            'OptionalDepends app : libqux : "--with-qux" : "--without-qux" : "qux support" ;',
            // Not written literally: the finding stays at the statement.
            'NOPE = libnope ;',
            'BuildDepends app : $(NOPE) ;',
            '',
          ].join('\n'),
        ),
      ),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    const f = t.file('spells/apps/app/app.jux');
    expect(findings(r)).toEqual([
      `${f}:4:27: error: app depends on libbar, which no spell or provider names`,
      `${f}:6:20: error: app depends on libbaz, which no spell or provider names`,
      // Off, so the spell builds: a warning.
      `${f}:7:23: warning: app optionally depends on libqux, which no spell or provider names`,
      `${f}:9:1: error: app depends on libnope, which no spell or provider names`,
    ]);
    expect(summary(r)).toBe('2 spells: 3 errors, 1 warning');
  });

  it('an optional dependency turned on in jux.yaml that names nothing is an error', async () => {
    const t = new LintTree(
      spellFiles('apps', 'app', spell('app', 'OptionalDepends app : libqux : "--with-qux" : "" : "qux" ;\n')),
      'roots: [spells]\noptions:\n  app: [libqux]\n',
    );
    const r = await t.check();
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([
      `${t.file('spells/apps/app/app.jux')}:4:23: error: app depends on libqux, which no spell or provider names`,
    ]);
  });

  it('reports a spell defined twice in one root at the second name, but not one root overriding another', async () => {
    const t = new LintTree(
      {
        ...spellFiles('libs', 'dup', spell('dup')),
        'spells/other/dup-again.jux': '# the same package again\nSpell   dup ;\nVersion dup : 2.0 ;\n',
        ...spellFiles('libs', 'over', spell('over')),
        'local/libs/over/over.jux': spell('over').replace('1.0', '1.1'),
        'local/libs/over/src/README': 'over\n',
      },
      'roots: [spells, local]\n',
    );
    const r = await t.check();
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([
      // (The message names the root in full and the first file within it.)
      `${t.file('spells/other/dup-again.jux')}:2:9: error: spell dup is defined twice in ${path.join(t.dir, 'spells')} (first at libs/dup/dup.jux:1)`,
    ]);
    // jux plan refuses the tree pointing at the same word, named the same way.
    const p = await runJux(['plan'], { cwd: t.dir });
    expect(p.code).toBe(2);
    expect(p.stderr.split('\n').filter((l) => /: error: /.test(l))).toEqual([
      `spells/other/dup-again.jux:2:9: error: spell dup is defined twice in ${path.join(t.dir, 'spells')} (first at libs/dup/dup.jux:1)`,
    ]);
  });

  it('lists the errors jux plan refuses a tree for in the order of the files and lines', async () => {
    const t = new LintTree({
      'spells/apps/b.jux': 'Spell b ;\nVersion b : 1.0 \nDescription b : "x" ;\nif { }\n',
      'spells/apps/a.jux': 'Spell a ;\nVersion a : 1.0 : 2 ;\n',
    });
    const p = await runJux(['plan'], { cwd: t.dir });
    expect(p.code).toBe(2);
    expect(p.stderr.split('\n').filter((l) => /: error: /.test(l))).toEqual([
      `spells/apps/a.jux:2:1: error: Version takes 2 arguments separated by " : ", got 3`,
      `spells/apps/b.jux:2:1: error: Version takes 2 arguments separated by " : ", got 3`,
      `spells/apps/b.jux:4:4: error: syntax error: unexpected keyword \`{\``,
    ]);
  });

  it('points jux plan at the same missing dependency as jux check', async () => {
    const t = new LintTree({
      ...spellFiles('libs', 'lib', spell('lib')),
      ...spellFiles('apps', 'app', spell('app', 'LooseDepends app : lib   nosuch ;\n')),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    const at = `${t.file('spells/apps/app/app.jux')}:4:26`;
    expect(findings(r)).toEqual([`${at}: error: app depends on nosuch, which no spell or provider names`]);
    // (Named as jux check names it: relative to the folder jux runs in.)
    const line = `${at}: error: app depends on nosuch, which no spell or provider names`;
    // The whole tree: app cannot be built, the rest can.
    const p = await runJux(['plan'], { cwd: t.dir });
    expect(p.code).toBe(0);
    expect(p.stderr.split('\n').filter((l) => /: error: /.test(l))).toEqual([line]);
    // Asked for app: it cannot be planned.
    const q = await runJux(['plan', 'app'], { cwd: t.dir });
    expect(q.code).toBe(2);
    expect(q.stderr.split('\n').filter((l) => /: error: /.test(l))).toEqual([line]);
  });

  it('warns about a spell without Version, and a Url or Sha256 for a file no Source names', async () => {
    const t = new LintTree({
      ...spellFiles('libs', 'nover', 'Spell nover ;\nSource nover : src ;\n'),
      'spells/libs/urls.jux': `Url  zlib-1.3.tar.gz : https://zlib.net/zlib-1.3.tar.gz ;\nSha256 zlib-1.3.tar.gz : ${SHA} ;\n`,
    });
    const r = await t.check();
    expect(r.code).toBe(0);
    expect(findings(r)).toEqual([
      `${t.file('spells/libs/nover/nover.jux')}:1:7: warning: spell nover has no Version`,
      `${t.file('spells/libs/urls.jux')}:1:1: warning: Url given for zlib-1.3.tar.gz, which no spell's Source names`,
    ]);
  });

  it('reports a source without Url (an error) and without Sha256 (a warning) at the source', async () => {
    const t = new LintTree({
      'spells/net/wget/wget.jux': [
        'Spell   wget ;',
        'Version wget : 1.21 ;',
        'Source  wget : wget-1.21.tar.gz wget-1.21.tar.gz.sig ;',
        'Url     wget-1.21.tar.gz.sig : https://ftp.gnu.org/gnu/wget/wget-1.21.tar.gz.sig ;',
        `Sha256  wget-1.21.tar.gz.sig : ${SHA.toUpperCase()} ;`,
        '',
      ].join('\n'),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    const f = t.file('spells/net/wget/wget.jux');
    expect(r.stdout).toBe(
      [
        `${f}:3:16: error: source wget-1.21.tar.gz of wget has no Url to download it from (and is not in the spell's folder)`,
        '  Source  wget : wget-1.21.tar.gz wget-1.21.tar.gz.sig ;',
        '                 ^',
        `${f}:3:16: warning: source wget-1.21.tar.gz of wget has no Sha256 checksum, so a download cannot be verified`,
        '  Source  wget : wget-1.21.tar.gz wget-1.21.tar.gz.sig ;',
        '                 ^',
        '1 spell: 1 error, 1 warning',
        '',
      ].join('\n'),
    );
  });

  it('a missing Sha256 alone is a warning (exit 0), an error with --strict', async () => {
    const t = new LintTree({
      'spells/net/curl/curl.jux': [
        'Spell   curl ;',
        'Version curl : 8.0 ;',
        'Source  curl : curl-8.0.tar.xz ;',
        'Url     curl-8.0.tar.xz : https://curl.se/download/curl-8.0.tar.xz ;',
        '',
      ].join('\n'),
    });
    const f = t.file('spells/net/curl/curl.jux');
    const r = await t.check();
    expect(r.code, r.stdout).toBe(0);
    expect(findings(r)).toEqual([`${f}:3:16: warning: source curl-8.0.tar.xz of curl has no Sha256 checksum, so a download cannot be verified`]);
    const strict = await t.check('--strict');
    expect(strict.code).toBe(1);
    expect(findings(strict)).toEqual([`${f}:3:16: error: source curl-8.0.tar.xz of curl has no Sha256 checksum, so a download cannot be verified`]);
  });

  it('with mirrors in jux.yaml a source without Url is only a warning', async () => {
    const t = new LintTree(
      { 'spells/net/nc/nc.jux': `Spell nc ;\nVersion nc : 1 ;\nSource nc : nc-1.tar.gz ;\nSha256 nc-1.tar.gz : ${SHA} ;\n` },
      'roots: [spells]\nmirrors: ["https://mirror.example/{file}"]\n',
    );
    const r = await t.check();
    expect(r.code, r.stdout).toBe(0);
    expect(findings(r)).toEqual([
      `${t.file('spells/net/nc/nc.jux')}:3:13: warning: source nc-1.tar.gz of nc has no Url: only the mirrors of jux.yaml can provide it`,
    ]);
  });

  it('reports a malformed checksum at the checksum', async () => {
    const t = new LintTree({
      'spells/net/zsh/zsh.jux': [
        'Spell   zsh ;',
        'Version zsh : 5.9 ;',
        'Source  zsh : zsh-5.9.tar.xz zsh-doc.tar.xz ;',
        'Url     zsh-5.9.tar.xz zsh-doc.tar.xz : https://www.zsh.org/pub/ ;',
        `Sha256  zsh-5.9.tar.xz : ${SHA.slice(0, 63)} ;`,
        `Sha256  zsh-doc.tar.xz :`,
        `        ${SHA.slice(0, 60)}zzzz ;`,
        '',
      ].join('\n'),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    const f = t.file('spells/net/zsh/zsh.jux');
    expect(findings(r)).toEqual([
      `${f}:5:26: error: Sha256 of zsh-5.9.tar.xz is not 64 hexadecimal digits: ${SHA.slice(0, 63)}`,
      `${f}:7:9: error: Sha256 of zsh-doc.tar.xz is not 64 hexadecimal digits: ${SHA.slice(0, 60)}zzzz`,
    ]);
  });

  it('reports a Sha256 giving two checksums (exit 1)', async () => {
    const t = new LintTree({
      'spells/net/nc/nc.jux': [
        'Spell  nc ;',
        'Version nc : 1 ;',
        'Source nc : nc-1.tar.gz ;',
        'Url    nc-1.tar.gz : https://example.org/nc-1.tar.gz ;',
        `Sha256 nc-1.tar.gz : ${SHA} ${SHA.replace('e3', 'f4')} ;`,
        '',
      ].join('\n'),
    });
    const r = await t.check();
    expect(r.code, r.stdout).toBe(1);
    expect(findings(r)).toEqual([`${t.file('spells/net/nc/nc.jux')}:5:22: error: Sha256 of nc-1.tar.gz gives 2 checksums; give exactly one`]);
    expect(summary(r)).toBe('1 spell: 1 error, 0 warnings');
  });

  it('warns about an address jux cannot download from, at the address (exit 0)', async () => {
    const t = new LintTree({
      'spells/net/nc/nc.jux': [
        'Spell  nc ;',
        'Version nc : 1 ;',
        'Source nc : nc-1.tar.gz nc-doc.tar.gz ;',
        'Url    nc-1.tar.gz : https://example.org/nc-1.tar.gz ftp://ftp.example.org/nc-1.tar.gz ;',
        'Url    nc-doc.tar.gz :',
        '       svn_http://svn.example.org/nc:nc-doc ;',
        `Sha256 nc-1.tar.gz : ${SHA} ;`,
        `Sha256 nc-doc.tar.gz : ${SHA} ;`,
        '',
      ].join('\n'),
    });
    const r = await t.check();
    expect(r.code, r.stdout).toBe(0);
    const f = t.file('spells/net/nc/nc.jux');
    expect(findings(r)).toEqual([
      `${f}:4:54: warning: address ftp://ftp.example.org/nc-1.tar.gz of nc-1.tar.gz cannot be downloaded: unsupported scheme ftp: (jux fetches http:, https: and file:)`,
      `${f}:6:8: warning: address svn_http://svn.example.org/nc:nc-doc of nc-doc.tar.gz cannot be downloaded: unsupported scheme svn_http: (jux fetches http:, https: and file:)`,
    ]);
  });

  it('warns about a capability nothing depends on, at the capability (exit 0)', async () => {
    const t = new LintTree({
      ...spellFiles('crypto', 'openssl', spell('openssl', 'Provides openssl : SSL TLS ;\n')),
      ...spellFiles('crypto', 'libressl', spell('libressl', 'Provides libressl : SSL ;\n')),
      ...spellFiles('net', 'openssh', spell('openssh', 'TightDepends openssh : TLS ;\n')),
    });
    const r = await t.check();
    expect(r.code, r.stdout).toBe(0);
    expect(findings(r)).toEqual([
      `${t.file('spells/crypto/libressl/libressl.jux')}:4:21: warning: nothing depends on SSL, which libressl, openssl provide`,
    ]);
  });

  it('reports a provider two spells offer, when none is chosen, at the dependency', async () => {
    const t = new LintTree({
      ...spellFiles('crypto', 'openssl', spell('openssl', 'Provides openssl : SSL ;\n')),
      ...spellFiles('crypto', 'libressl', spell('libressl', 'Provides libressl : SSL ;\n')),
      ...spellFiles('net', 'openssh', spell('openssh', 'TightDepends openssh : zlib SSL ;\n')),
      ...spellFiles('libs', 'zlib', spell('zlib')),
    });
    const r = await t.check();
    expect(r.code).toBe(1);
    expect(findings(r)).toEqual([
      `${t.file('spells/net/openssh/openssh.jux')}:4:29: error: openssh depends on SSL, which both of libressl, openssl provide; ` +
        'choose one in jux.yaml (providers: { SSL: libressl })',
    ]);
  });

  it('prints the findings as JSON with --json, and plain jux check includes them', async () => {
    const t = new LintTree({
      ...spellFiles('apps', 'app', spell('app', 'LooseDepends app : nowhere ;\nProvides app : APP ;\n')),
    });
    const r = await t.check('--json');
    expect(r.code).toBe(1);
    const f = t.file('spells/apps/app/app.jux');
    expect(JSON.parse(r.stdout)).toEqual({
      spells: [
        // (JSON names files in full.)
        { severity: 'error', message: 'app depends on nowhere, which no spell or provider names', file: path.join(t.dir, f), line: 4, col: 20 },
        { severity: 'warning', message: 'nothing depends on APP, which app provides', file: path.join(t.dir, f), line: 5, col: 16 },
      ],
      files: [],
      errors: 1,
      warnings: 1,
      problems: 0,
      checked: { spells: 1, installed: 0 },
    });
    const plain = await runJux(['check'], { cwd: t.dir });
    expect(plain.code).toBe(1);
    expect(findings(plain)).toEqual([
      `${f}:4:20: error: app depends on nowhere, which no spell or provider names`,
      `${f}:5:16: warning: nothing depends on APP, which app provides`,
    ]);
    expect(summary(plain)).toBe('1 spell: 1 error, 1 warning; 0 installed packages: 0 problems');
  });

  it('names files relative to the current directory when they are under it, in full otherwise', async () => {
    const t = new LintTree(spellFiles('apps', 'app', spell('app', 'LooseDepends app : nowhere ;\n')));
    const message = 'error: app depends on nowhere, which no spell or provider names';
    const from = async (cwd: string): Promise<string[]> =>
      findings(await runJux(['check', '--spells', '--config', path.join(t.dir, 'jux.yaml')], { cwd }));
    expect(await from(t.dir)).toEqual([`spells/apps/app/app.jux:4:20: ${message}`]);
    expect(await from(path.join(t.dir, 'spells', 'apps'))).toEqual([`app/app.jux:4:20: ${message}`]);
    const elsewhere = scratch('jux-lint-elsewhere-');
    expect(await from(elsewhere)).toEqual([`${path.join(t.dir, 'spells/apps/app/app.jux')}:4:20: ${message}`]);
  });

  it('finds no errors in the bundled grimoire', async () => {
    const dir = scratch('jux-lint-bundled-');
    fs.cpSync(path.join(REPO, 'spells'), path.join(dir, 'spells'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'jux.yaml'), path.join(dir, 'jux.yaml'));
    const r = await runJux(['check', '--spells', '--json'], { cwd: dir });
    const out = JSON.parse(r.stdout) as { spells: unknown[]; errors: number; checked: { spells: number } };
    expect(out.errors, JSON.stringify(out.spells, null, 2)).toBe(0);
    expect(r.code).toBe(0);
    expect(out.checked.spells).toBeGreaterThanOrEqual(12);
  });

  it('lints the 400-spell grimoire sample in one run, with parseable JSON', async () => {
    const sample = path.join(SHARED, 'data', 'grimoire-sample');
    const dir = scratch('jux-lint-sample-');
    fs.writeFileSync(path.join(dir, 'jux.yaml'), `roots: [${JSON.stringify(sample)}]\n`);
    const r = await runJux(['check', '--spells', '--json'], { cwd: dir });
    type Finding = { severity: string; message: string; file: string | null; line: number | null; col: number | null };
    const out = JSON.parse(r.stdout) as { spells: Finding[]; errors: number; warnings: number; checked: { spells: number } };
    expect(out.checked.spells).toBe(400);
    expect(out.errors + out.warnings).toBe(out.spells.length);
    expect(out.spells.filter((d) => d.severity === 'error').length).toBe(out.errors);
    expect(r.code).toBe(out.errors > 0 ? 1 : 0);
    // Every finding names a line of a spell of the sample (none is about
    // jux's own rules), and none is a syntax error or an unknown rule.
    for (const d of out.spells) {
      expect(d.file?.startsWith(sample + '/'), JSON.stringify(d)).toBe(true);
      expect(d.line).toBeGreaterThan(0);
      expect(d.col).toBeGreaterThan(0);
      expect(d.message).not.toMatch(/^(syntax error|unknown rule|unmatched)/);
    }
    // Its sources carry no checksums: one warning per downloaded source.
    expect(out.spells.filter((d) => /has no Sha256 checksum/.test(d.message)).length).toBeGreaterThan(300);
    // Findings are sorted by file and position.
    const keys = out.spells.map((d) => [d.file!, d.line!, d.col!] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
  });
});
