import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JuxError } from '../../src/errors.js';
import { readStateCache, StateCacheWriter } from '../../src/state/stateCache.js';
import { formatInstalled, type InstalledRecord } from '../../src/state/stateFile.js';
import { primeStateDir } from '../../src/state/stateListing.js';
import { StateStore } from '../../src/state/stateStore.js';

function record(name: string, version = '1.0'): InstalledRecord {
  return {
    name,
    version,
    abi: '1',
    builtAt: '2026-11-21T23:48:44.120Z',
    fingerprint: '3f2a9c0d11aa22bb',
    inputs: { statements: 'a1', scripts: 'b2', sources: 'c3', options: 'd4' },
    options: [],
    provides: [],
    root: '/spells',
    archive: null,
    depends: [{ kind: 'tight', name: 'zlib' }],
    builtAgainst: new Map([['zlib', { name: 'zlib', version: '1.3', abi: '1', fingerprint: 'ff00', builtAt: '2026-01-01T00:00:00.000Z', options: [] }]]),
  };
}

let dir: string;
let state: string;
let cacheFile: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-statecache-'));
  state = path.join(dir, 'state');
  cacheFile = path.join(dir, 'cache', 'index', 'state.cache');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fixed modification time (whole seconds survive utimes exactly). */
const T0 = 1_700_000_000;
function pin(file: string): void {
  fs.utimesSync(file, T0, T0);
}

/** Replace a file's content keeping its size and (pinned) modification time, what the cache checks. */
function sneak(file: string, text: string): void {
  expect(Buffer.byteLength(text, 'latin1')).toBe(fs.statSync(file).size);
  fs.writeFileSync(file, text, 'latin1');
  pin(file);
}

describe('the state cache', () => {
  it('is written on the first load and read instead of the files after', async () => {
    const store = new StateStore(state, cacheFile);
    store.writeInstalled(record('aa'));
    store.writeInstalled(record('bb'));
    store.writeFailure({ name: 'cc', version: '2', fingerprint: 'ff', at: 'now', phase: 'build', status: '1', log: '/l' });
    for (const f of fs.readdirSync(state)) pin(path.join(state, f));
    const first = await store.load();
    expect([...first.installed.keys()]).toEqual(['aa', 'bb']);
    expect(first.installed.get('bb')).toEqual(record('bb'));
    expect([...first.failures.keys()]).toEqual(['cc']);
    const cache = readStateCache(cacheFile, state);
    expect([...(cache?.files.keys() ?? [])]).toEqual(['aa.state', 'bb.state', 'cc.failed']);
    // Same size and time: the cached text is used.
    const file = store.statePath('aa');
    sneak(file, formatInstalled(record('aa', '9.9')));
    expect((await store.load()).installed.get('aa')?.version).toBe('1.0');
    // Touched: read again, and the cache follows.
    // (A minute ago: a stamp as recent as now would not be kept, see the next test.)
    fs.utimesSync(file, new Date(), new Date(Date.now() - 60_000));
    expect((await store.load()).installed.get('aa')?.version).toBe('9.9');
    expect((await store.load()).installed.get('aa')?.version).toBe('9.9');
    // Removed: gone from the cache too.
    store.removeInstalled('bb');
    expect([...(await store.load()).installed.keys()]).toEqual(['aa']);
    expect([...(readStateCache(cacheFile, state)?.files.keys() ?? [])]).toEqual(['aa.state', 'cc.failed']);
    // Another directory's cache is no cache.
    expect(readStateCache(cacheFile, state + '-other')).toBeNull();
  });

  it('does not keep a file stamped too recently to tell its versions apart (a coarse clock)', async () => {
    const store = new StateStore(state, cacheFile);
    store.writeInstalled(record('aa'));
    store.writeInstalled(record('bb'));
    // bb stamped a minute ahead (a file server's clock): recent however slowly this runs.
    const ahead = Math.floor(Date.now() / 1000) + 60;
    pin(store.statePath('aa'));
    fs.utimesSync(store.statePath('bb'), ahead, ahead);
    expect((await store.load()).installed.get('bb')!.version).toBe('1.0');
    expect(readStateCache(cacheFile, state)!.files.has('bb')).toBe(false);
    // Rewritten at the same size and stamp: read again, not taken from the cache.
    fs.writeFileSync(store.statePath('bb'), formatInstalled(record('bb', '2.0')));
    fs.utimesSync(store.statePath('bb'), ahead, ahead);
    const again = await store.load();
    expect(again.installed.get('bb')!.version).toBe('2.0');
    expect(again.installed.get('aa')).toEqual(record('aa'));
    expect([...readStateCache(cacheFile, state)!.files.keys()]).toEqual(['aa.state']);
  });

  it('a torn, truncated or foreign cache is ignored', async () => {
    const store = new StateStore(state, cacheFile);
    store.writeInstalled(record('aa'));
    pin(store.statePath('aa'));
    await store.load();
    const good = fs.readFileSync(cacheFile);
    for (const bad of [good.subarray(0, good.length - 3), Buffer.concat([good, Buffer.from('x')]), Buffer.alloc(good.length), Buffer.from('')]) {
      fs.writeFileSync(cacheFile, bad);
      expect(readStateCache(cacheFile, state)).toBeNull();
      expect((await store.load()).installed.get('aa')).toEqual(record('aa'));
      expect(fs.readFileSync(cacheFile).equals(good)).toBe(true); // written again
    }
  });

  it('cached text that does not read falls back to the file, and a corrupt file is still reported', async () => {
    const store = new StateStore(state, cacheFile);
    store.writeInstalled(record('aa'));
    pin(store.statePath('aa'));
    await store.load();
    const file = store.statePath('aa');
    const text = fs.readFileSync(file, 'latin1');
    // The cache says garbage (same length): the file is read.
    const c = fs.readFileSync(cacheFile);
    const at = c.indexOf(Buffer.from('Installed'));
    c.write('= = = = =', at, 'latin1');
    fs.writeFileSync(cacheFile, c);
    expect((await store.load()).installed.get('aa')).toEqual(record('aa'));
    // The file itself is corrupt (same size and time as the cached copy): reported with its position.
    sneak(file, text.replace('Installed', 'Installe='));
    fs.writeFileSync(cacheFile, c);
    const err = await store.load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JuxError);
    expect((err as JuxError).describe()).toMatch(/aa\.state:2:1: unknown state record Installe=/);
  });

  it('a listing primed by the caller is used once, for its directory only', async () => {
    const store = new StateStore(state, cacheFile);
    store.writeInstalled(record('aa'));
    pin(store.statePath('aa'));
    await store.load();
    const stamp = { size: fs.statSync(store.statePath('aa')).size, mtimeMs: T0 * 1000 };
    // The file changes (another time); the primed stamp still says the cached one.
    fs.writeFileSync(store.statePath('aa'), formatInstalled(record('aa', '2.0')));
    primeStateDir(state + '-other', ['aa.state'], new Map([['aa.state', stamp]]));
    expect((await store.load()).installed.get('aa')?.version).toBe('2.0');
    pin(store.statePath('aa'));
    sneak(store.statePath('aa'), formatInstalled(record('aa', '1.0')));
    await store.load(); // the cache now holds 1.0 at T0
    fs.writeFileSync(store.statePath('aa'), formatInstalled(record('aa', '3.0')));
    primeStateDir(state, ['aa.state', 'bb.state'], new Map([['aa.state', stamp]]));
    const primed = await store.load();
    expect(primed.installed.get('aa')?.version).toBe('1.0'); // from the primed stamp and the cache
    expect(primed.installed.has('bb')).toBe(false); // listed but not there: skipped, as a file that vanished
    expect((await store.load()).installed.get('aa')?.version).toBe('3.0'); // once only
  });

  it('the writer leaves nothing behind when it gives up', () => {
    const w = new StateCacheWriter(cacheFile, state);
    w.add('x.state', 3, 1, Buffer.from('abc'), 0, 3);
    w.abort();
    w.finish();
    expect(fs.readdirSync(path.dirname(cacheFile))).toEqual([]);
  });
});
