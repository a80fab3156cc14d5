/** jux.yaml: settings, defaults, overrides, and errors that point at the key. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { JuxError } from '../../src/errors.js';
import { isProtected } from '../../src/config/configProtect.js';
import { tempDir } from '../helpers/run.js';

async function load(yaml: string, overrides = {}): Promise<Awaited<ReturnType<typeof loadConfig>>> {
  const dir = tempDir('jux-config-');
  fs.writeFileSync(path.join(dir, 'jux.yaml'), yaml);
  return loadConfig(overrides, dir);
}

async function failure(yaml: string): Promise<string> {
  try {
    await load(yaml);
  } catch (e) {
    expect(e).toBeInstanceOf(JuxError);
    expect((e as JuxError).status).toBe(2);
    return (e as JuxError).describe().replace(/^.*jux\.yaml/, 'jux.yaml');
  }
  throw new Error('no error');
}

describe('configuration', () => {
  it('reads settings relative to the file, with defaults', async () => {
    const c = await load('roots: [a, b]\njobs: 3\nproviders: { SSL: openssl }\noptions: { lyx: [python] }\nfetch: { timeout: 2.5, retries: 0 }\n');
    expect(c.roots.map((r) => path.basename(r))).toEqual(['a', 'b']);
    expect(path.relative(c.base, c.root)).toBe(path.join('.jux', 'root'));
    expect(c.jobs).toBe(3);
    expect(c.providers).toEqual({ SSL: 'openssl' });
    expect(c.options).toEqual({ lyx: ['python'] });
    expect([c.fetchTimeout, c.fetchRetries]).toEqual([2.5, 0]);
    const d = await load('roots: [a]\n', { jobs: 7 });
    expect([d.jobs, d.fetchTimeout, d.fetchRetries]).toEqual([7, 30, 3]);
  });

  it('points at the key at fault', async () => {
    expect(await failure('roots: [spells]\nbogus: 1\n')).toBe(
      'jux.yaml:2:1: unknown setting bogus (settings: roots, root, state, cache, logs, build, jobs, providers, options, mirrors, fetch, configProtect, configProtectMask)',
    );
    expect(await failure('roots: [spells]\nfetch:\n  tmeout: 3\n')).toBe('jux.yaml:3:3: unknown setting fetch.tmeout (settings: timeout, retries)');
    expect(await failure('fetch:\n  timeout: 0\n')).toBe('jux.yaml:2:3: fetch.timeout must be a number of seconds above 0, not 0');
    expect(await failure('fetch:\n  retries: 1.5\n')).toBe('jux.yaml:2:3: fetch.retries must be a whole number, 0 or more, not 1.5');
    expect(await failure('jobs: many\n')).toBe('jux.yaml:1:1: jobs must be a number');
    expect(await failure('roots: { a: 1 }\n')).toBe('jux.yaml:1:1: roots must be a list of strings');
    expect(await failure('roots: [a\n')).toMatch(/^jux\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('remembers parsed texts in the user cache, by content', async () => {
    const cache = tempDir('jux-xdg-');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      const store = path.join(cache, 'jux', 'config');
      const text = 'roots: [a]\njobs: 3\n';
      const first = await load(text);
      const kept = fs.readdirSync(store);
      expect(kept).toHaveLength(1);
      expect(JSON.parse(fs.readFileSync(path.join(store, kept[0]!), 'utf8'))).toEqual({ value: { roots: ['a'], jobs: 3 } });
      expect((await load(text)).jobs).toBe(first.jobs);
      // What is kept is what is used: a changed entry shows through...
      fs.writeFileSync(path.join(store, kept[0]!), JSON.stringify({ value: { roots: ['a'], jobs: 5 } }));
      expect((await load(text)).jobs).toBe(5);
      // ...an unreadable one is parsed again and replaced.
      fs.writeFileSync(path.join(store, kept[0]!), '{"val');
      expect((await load(text)).jobs).toBe(3);
      expect(JSON.parse(fs.readFileSync(path.join(store, kept[0]!), 'utf8'))).toEqual({ value: { roots: ['a'], jobs: 3 } });
      // A value JSON cannot hold is not kept (and still reported as YAML gave it).
      expect(await failure('jobs: .inf\n')).toBe('jobs must be a positive whole number, not Infinity');
      expect(fs.readdirSync(store)).toHaveLength(1);
      // Positions of keys at fault come from the text, kept or not.
      for (let i = 0; i < 2; i++) expect(await failure('roots: [spells]\nfetch:\n  tmeout: 3\n')).toBe('jux.yaml:3:3: unknown setting fetch.tmeout (settings: timeout, retries)');
      expect(fs.readdirSync(store)).toHaveLength(2);
      process.env.JUX_NO_CONFIG_CACHE = '1';
      await load('roots: [b]\n');
      expect(fs.readdirSync(store)).toHaveLength(2);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
      delete process.env.JUX_NO_CONFIG_CACHE;
    }
  });

  it('protects /etc by default; configProtect and configProtectMask change that, JUX_CONFIG_PROTECT(_MASK) override them', async () => {
    const d = await load('roots: [a]\n');
    expect(d.configProtect).toEqual({ protect: ['/etc'], mask: [] });
    const c = await load('configProtect: [/etc/, usr/share/foo, /opt//x]\nconfigProtectMask: /etc/skel\n');
    expect(c.configProtect).toEqual({ protect: ['/etc', '/usr/share/foo', '/opt/x'], mask: ['/etc/skel'] });
    expect(await failure('configProtect: [/etc/../usr]\n')).toBe(
      'jux.yaml:1:1: configProtect must name paths in the root without "." or ".." components, not "/etc/../usr"',
    );
    expect(await failure('configProtectMask: { a: 1 }\n')).toBe('jux.yaml:1:1: configProtectMask must be a list of strings');
    process.env.JUX_CONFIG_PROTECT = '/srv:/etc';
    process.env.JUX_CONFIG_PROTECT_MASK = '';
    try {
      const e = await load('configProtect: [/usr]\nconfigProtectMask: [/etc/skel]\n');
      expect(e.configProtect).toEqual({ protect: ['/srv', '/etc'], mask: [] });
    } finally {
      delete process.env.JUX_CONFIG_PROTECT;
      delete process.env.JUX_CONFIG_PROTECT_MASK;
    }
  });

  it('decides protection by the longest match, a mask winning a tie', () => {
    const p = { protect: ['/etc', '/etc/skel/keep', '/usr/share/foo'], mask: ['/etc/skel', '/usr/share/foo'] };
    expect(isProtected(p, '/etc/foo.conf')).toBe(true);
    expect(isProtected(p, '/etc')).toBe(true);
    expect(isProtected(p, '/etcetera/x')).toBe(false);
    expect(isProtected(p, '/etc/skel/.bashrc')).toBe(false);
    expect(isProtected(p, '/etc/skel/keep/x')).toBe(true);
    expect(isProtected(p, '/usr/share/foo/x')).toBe(false);
    expect(isProtected(p, '/usr/bin/hello')).toBe(false);
    expect(isProtected({ protect: [], mask: [] }, '/etc/foo.conf')).toBe(false);
    expect(isProtected({ protect: ['/'], mask: ['/usr'] }, '/var/x')).toBe(true);
    expect(isProtected({ protect: ['/'], mask: ['/usr'] }, '/usr/x')).toBe(false);
  });
});
