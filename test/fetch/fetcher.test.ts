import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { candidateAddresses, classifyAddress, expandMirror } from '../../src/fetch/addresses.js';
import { FetchError } from '../../src/fetch/errors.js';
import { fetchAll, fetchSource, sourceKey } from '../../src/fetch/fetcher.js';
import type { FetchEvent, FetchOptions, SourceRequest } from '../../src/fetch/types.js';
import { files, removeTempDirs, serve, sha256, tempDir, type TestServer } from './helpers.js';

const BODY = Buffer.from('int main(void) { return 0; }\n'.repeat(4000)); // ~116 kB
const SHA = sha256(BODY);
const FILE = 'foo-1.0.tar.gz';

const servers: TestServer[] = [];
async function server(...args: Parameters<typeof serve>): Promise<TestServer> {
  const s = await serve(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(removeTempDirs);

function options(over: Partial<FetchOptions> = {}): FetchOptions & { events: FetchEvent[] } {
  const events: FetchEvent[] = [];
  return {
    cacheDir: tempDir(),
    mirrors: [],
    timeoutMs: 2000,
    retries: 2,
    offline: false,
    strict: false,
    retryDelayMs: 5,
    onEvent: (e) => events.push(e),
    events,
    ...over,
  };
}

function request(urls: string[], sha: string | null = SHA, file = FILE, spellDir: string | null = null): SourceRequest {
  return { file, urls, sha256: sha, spellDir };
}

async function fetchError(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FetchError);
    return e as FetchError;
  }
  throw new Error('no error');
}

function cached(o: FetchOptions, sha: string = SHA, file = FILE): string {
  return path.join(o.cacheDir, 'sources', 'sha256', sha, file);
}

describe('fetchSource over HTTP', () => {
  it('moves on from a 404 to the next address at once', async () => {
    const a = await server(files({}));
    const b = await server(files({ [`/dist/${FILE}`]: BODY }));
    const o = options({ retries: 3 });
    const r = await fetchSource(request([`${a.base}/${FILE}`, `${b.base}/dist/${FILE}`]), o);
    expect(r).toEqual({ path: cached(o), sha256: SHA, from: `${b.base}/dist/${FILE}`, cached: false });
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
    expect(a.requests).toHaveLength(1); // a 404 is not retried
    expect(o.events).toContainEqual({ type: 'addressFailed', file: FILE, address: `${a.base}/${FILE}`, reason: 'HTTP 404' });
    expect(o.events.at(-1)).toEqual({ type: 'done', file: FILE, path: r.path, from: `${b.base}/dist/${FILE}`, cached: false });
    expect(fs.existsSync(`${r.path}.part`)).toBe(false);
    expect(o.events.some((e) => e.type === 'progress' && e.received === BODY.length && e.total === BODY.length)).toBe(true);
  });

  it('resumes a download cut half-way with a Range request answered by 206', async () => {
    const half = Math.floor(BODY.length / 2);
    let first = true;
    const serveFile = files({ [`/${FILE}`]: BODY });
    const s = await server((req, res, seen) => {
      if (first) {
        first = false;
        seen.status = 200;
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      serveFile(req, res, seen);
    });
    const o = options();
    const r = await fetchSource(request([`${s.base}/${FILE}`]), o);
    expect(s.requests.map((q) => [q.range, q.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ]);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
    expect(r.sha256).toBe(SHA);
    const retry = o.events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', address: `${s.base}/${FILE}`, attempt: 2 });
    expect(o.events).toContainEqual({ type: 'attempt', file: FILE, address: `${s.base}/${FILE}`, attempt: 2, resumeFrom: half });
  });

  it('starts again from zero when the server ignores the Range request', async () => {
    const half = 5000;
    const s = await server((_req, res, seen) => {
      seen.status = 200;
      res.writeHead(200, { 'content-length': BODY.length });
      if (s.requests.length === 1) res.write(BODY.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 20));
      else res.end(BODY);
    });
    const o = options();
    const r = await fetchSource(request([`${s.base}/${FILE}`]), o);
    expect(s.requests[1]?.range).toBe(`bytes=${half}-`);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
  });

  it('follows redirects', async () => {
    const b = await server(files({ [`/real/${FILE}`]: BODY }));
    const a = await server((_req, res) => res.writeHead(302, { location: `${b.base}/real/${FILE}` }).end());
    const o = options();
    const r = await fetchSource(request([`${a.base}/${FILE}`]), o);
    expect(r.from).toBe(`${a.base}/${FILE}`);
    expect(b.requests.map((q) => q.url)).toEqual([`/real/${FILE}`]);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
  });

  it('resumes a .part left by an earlier run, and refetches from the start when the result does not verify', async () => {
    const s = await server(files({ [`/${FILE}`]: BODY }));
    const address = `${s.base}/${FILE}`;
    const o = options();
    const part = `${cached(o)}.part`;
    fs.mkdirSync(path.dirname(part), { recursive: true });
    fs.writeFileSync(part, 'stale bytes of an older release');
    fs.writeFileSync(`${part}.from`, address);
    const r = await fetchSource(request([address]), o);
    expect(s.requests.map((q) => [q.range, q.status])).toEqual([
      ['bytes=31-', 206],
      [undefined, 200],
    ]);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
    expect(o.events.filter((e) => e.type === 'checksumMismatch')).toHaveLength(1);
    expect(fs.readdirSync(path.join(o.cacheDir, 'sources', 'rejected'))).toHaveLength(1);
  });

  it('does not resume a .part that came from another address', async () => {
    const s = await server(files({ [`/${FILE}`]: BODY }));
    const o = options();
    const part = `${cached(o)}.part`;
    fs.mkdirSync(path.dirname(part), { recursive: true });
    fs.writeFileSync(part, BODY.subarray(0, 100));
    fs.writeFileSync(`${part}.from`, 'https://elsewhere.example/x');
    const r = await fetchSource(request([`${s.base}/${FILE}`]), o);
    expect(s.requests.map((q) => q.range)).toEqual([undefined]);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
  });

  it('never resumes at one address what another address began', async () => {
    const a = await server((_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 1000), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const serveFile = files({ [`/${FILE}`]: BODY });
    const b = await server((req, res, seen) => {
      if (b.requests.length === 1) res.writeHead(503).end(); // fails before touching the .part
      else serveFile(req, res, seen);
    });
    const o = options({ retries: 1 });
    const r = await fetchSource(request([`${a.base}/${FILE}`, `${b.base}/${FILE}`]), o);
    expect(a.requests.map((q) => q.range)).toEqual([undefined, 'bytes=1000-']);
    expect(b.requests.map((q) => q.range)).toEqual([undefined, undefined]);
    expect(r.from).toBe(`${b.base}/${FILE}`);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
  });

  it('retries HTTP 503 with back-off, then gives up on the address', async () => {
    const a = await server((_req, res) => res.writeHead(503).end());
    const b = await server(files({ [`/${FILE}`]: BODY }));
    const o = options({ retries: 2, retryDelayMs: 20 });
    const r = await fetchSource(request([`${a.base}/${FILE}`, `${b.base}/${FILE}`]), o);
    expect(a.requests).toHaveLength(3);
    expect(r.from).toBe(`${b.base}/${FILE}`);
    const delays = o.events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
    expect(delays).toEqual([20, 40]);
    expect(o.events).toContainEqual({ type: 'addressFailed', file: FILE, address: `${a.base}/${FILE}`, reason: 'HTTP 503 (tried 3 times)' });
  });

  it('sets a file with the wrong checksum aside and uses the next address', async () => {
    const bad = Buffer.from('not what was promised');
    const a = await server(files({ [`/${FILE}`]: bad }));
    const b = await server(files({ [`/${FILE}`]: BODY }));
    const o = options();
    const r = await fetchSource(request([`${a.base}/${FILE}`, `${b.base}/${FILE}`]), o);
    expect(r.from).toBe(`${b.base}/${FILE}`);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
    const rejectedDir = path.join(o.cacheDir, 'sources', 'rejected');
    const kept = fs.readdirSync(rejectedDir);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^foo-1\.0\.tar\.gz\.\d{8}T\d{6}\.\d{3}Z$/);
    expect(fs.readFileSync(path.join(rejectedDir, kept[0] ?? '')).equals(bad)).toBe(true);
    expect(o.events).toContainEqual({
      type: 'checksumMismatch',
      file: FILE,
      expected: SHA,
      actual: sha256(bad),
      address: `${a.base}/${FILE}`,
      keptAt: path.join(rejectedDir, kept[0] ?? ''),
    });
  });

  it('lists every attempt when no address gives the expected checksum', async () => {
    const bad = Buffer.from('tampered');
    const a = await server(files({}));
    const b = await server(files({ [`/${FILE}`]: bad }));
    const o = options();
    const upper = SHA.toUpperCase(); // checksums compare case-insensitively
    const err = await fetchError(fetchSource(request([`${a.base}/${FILE}`, `${b.base}/${FILE}`, `ftp://example.org/${FILE}`], upper), o));
    expect(err.kind).toBe('exhausted');
    expect(err.status).toBe(1);
    expect(err.message).toBe(
      `no address gave ${FILE} with the expected checksum: ` +
        `${a.base}/${FILE}: HTTP 404; ` +
        `${b.base}/${FILE}: sha256 is ${sha256(bad)}, expected ${SHA}; ` +
        `ftp://example.org/${FILE}: unsupported scheme ftp:`,
    );
    expect(err.attempts.map((x) => x.address)).toEqual([`${a.base}/${FILE}`, `${b.base}/${FILE}`, `ftp://example.org/${FILE}`]);
    expect(fs.existsSync(cached(o))).toBe(false);
    expect(fs.readdirSync(path.join(o.cacheDir, 'sources', 'rejected'))).toHaveLength(1);
  });

  it('finds a source on a content-addressed {sha256} mirror', async () => {
    const a = await server(files({}));
    const m = await server(files({ [`/cas/${SHA}`]: BODY }));
    const o = options({ mirrors: [`${m.base}/cas/{sha256}`] });
    const r = await fetchSource(request([`${a.base}/${FILE}`]), o);
    expect(r.from).toBe(`${m.base}/cas/${SHA}`);
    expect(r.path).toBe(cached(o));
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
  });

  it('skips a {sha256} mirror for a source without a checksum, and uses a prefix mirror', async () => {
    const m = await server(files({ [`/pub/${FILE}`]: BODY }));
    const o = options({ mirrors: [`${m.base}/cas/{sha256}`, `${m.base}/pub/`] });
    const r = await fetchSource(request([], null), o);
    expect(m.requests.map((q) => q.url)).toEqual([`/pub/${FILE}`]);
    expect(r.path).toBe(path.join(o.cacheDir, 'sources', 'by-name', FILE));
    expect(r.sha256).toBe(SHA);
  });

  it('gives up on a stalled server after the idle timeout and tries the next address', async () => {
    const stall = await server((_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 1000)); // and then nothing
    });
    const good = await server(files({ [`/${FILE}`]: BODY }));
    const o = options({ timeoutMs: 150, retries: 1 });
    const t0 = Date.now();
    const r = await fetchSource(request([`${stall.base}/${FILE}`, `${good.base}/${FILE}`]), o);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.from).toBe(`${good.base}/${FILE}`);
    expect(stall.requests).toHaveLength(2);
    expect(stall.requests[1]?.range).toBe('bytes=1000-');
    const failed = o.events.find((e) => e.type === 'addressFailed');
    expect(failed).toMatchObject({ address: `${stall.base}/${FILE}` });
    expect(failed?.type === 'addressFailed' && failed.reason).toMatch(/^no data for 150 ms after 1000 of \d+ bytes \(tried 2 times\)$/);
  });

  it('times out a server that never answers', async () => {
    const silent = await server(() => {
      /* never answers */
    });
    const o = options({ timeoutMs: 100, retries: 0 });
    const t0 = Date.now();
    const err = await fetchError(fetchSource(request([`${silent.base}/${FILE}`]), o));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err.message).toBe(`no address gave ${FILE} with the expected checksum: ${silent.base}/${FILE}: no data for 100 ms`);
  });
});

describe('the source cache', () => {
  it('does not fetch a cached source again, and serves it offline', async () => {
    const s = await server(files({ [`/${FILE}`]: BODY }));
    const o = options();
    const req = request([`${s.base}/${FILE}`]);
    await fetchSource(req, o);
    expect(s.requests).toHaveLength(1);
    const again = await fetchSource(req, o);
    expect(again).toEqual({ path: cached(o), sha256: SHA, from: 'cache', cached: true });
    const offline = await fetchSource(req, { ...o, offline: true });
    expect(offline.cached).toBe(true);
    expect(s.requests).toHaveLength(1);
  });

  it('offline without the cache says it is missing and where it would come from', async () => {
    const o = options({ offline: true, mirrors: ['https://mirror.example/{file}'] });
    const err = await fetchError(fetchSource(request([`https://a.example/${FILE}`]), o));
    expect(err.kind).toBe('offline');
    expect(err.message).toBe(
      `${FILE} is missing from the source cache (${cached(o)}) and jux is offline; ` +
        `it would be fetched from https://a.example/${FILE}, https://mirror.example/${FILE}`,
    );
  });

  it('sets a cached copy that no longer verifies aside and fetches it again', async () => {
    const s = await server(files({ [`/${FILE}`]: BODY }));
    const o = options();
    fs.mkdirSync(path.dirname(cached(o)), { recursive: true });
    fs.writeFileSync(cached(o), 'corrupted');
    const r = await fetchSource(request([`${s.base}/${FILE}`]), o);
    expect(r.cached).toBe(false);
    expect(fs.readFileSync(r.path).equals(BODY)).toBe(true);
    expect(o.events[0]).toMatchObject({ type: 'checksumMismatch', address: 'cache', actual: sha256('corrupted') });
  });
});

describe('sources without a checksum', () => {
  it('warns, and keeps the file by name', async () => {
    const s = await server(files({ [`/${FILE}`]: BODY }));
    const o = options();
    const r = await fetchSource(request([`${s.base}/${FILE}`], null), o);
    expect(o.events[0]).toEqual({ type: 'noChecksum', file: FILE });
    expect(r.path).toBe(path.join(o.cacheDir, 'sources', 'by-name', FILE));
    expect(r.sha256).toBe(SHA);
  });

  it('is an error in strict mode, before anything is downloaded', async () => {
    const s = await server(files({ [`/${FILE}`]: BODY }));
    const o = options({ strict: true });
    const err = await fetchError(fetchSource(request([`${s.base}/${FILE}`], null), o));
    expect(err.kind).toBe('noChecksum');
    expect(err.message).toContain(`${FILE} has no Sha256 checksum`);
    expect(s.requests).toHaveLength(0);
    expect(fs.existsSync(path.join(o.cacheDir, 'sources'))).toBe(false);
  });
});

describe('local addresses', () => {
  it('copies file:// and spell-relative files, and skips unsupported schemes', async () => {
    const spellDir = tempDir('jfetch-spell-');
    fs.mkdirSync(path.join(spellDir, 'files'));
    fs.writeFileSync(path.join(spellDir, 'files', 'fix.patch'), 'patch body');
    const psha = sha256('patch body');
    const o = options();
    const rel = await fetchSource(request(['git://example.org/x', 'file:files/fix.patch'], psha, 'fix.patch', spellDir), o);
    expect(rel.from).toBe('file:files/fix.patch');
    expect(fs.readFileSync(rel.path, 'utf8')).toBe('patch body');
    expect(o.events).toContainEqual({ type: 'addressFailed', file: 'fix.patch', address: 'git://example.org/x', reason: 'unsupported scheme git:' });

    const o2 = options();
    const url = pathToFileURL(path.join(spellDir, 'files', 'fix.patch')).href;
    const abs = await fetchSource(request([url], psha, 'fix.patch'), o2);
    expect(abs.from).toBe(url);
    const bare = await fetchSource(request(['files/fix.patch'], psha, 'fix.patch', spellDir), options());
    expect(fs.readFileSync(bare.path, 'utf8')).toBe('patch body');
  });

  it('rejects a file name with a folder in it', async () => {
    const err = await fetchError(fetchSource(request(['https://x/y'], SHA, '../evil'), options()));
    expect(err.kind).toBe('invalid');
    expect(err.status).toBe(2);
  });
});

describe('fetchAll', () => {
  it('fetches in parallel up to the job limit and goes on past failures', async () => {
    const bodies = ['a', 'b', 'c', 'd'].map((n) => Buffer.from(`source ${n}\n`.repeat(100)));
    let running = 0;
    let most = 0;
    const serveFiles = files(Object.fromEntries(bodies.map((b, i) => [`/s${i}.tar`, b])));
    const s = await server((req, res, seen) => {
      running++;
      most = Math.max(most, running);
      setTimeout(() => {
        running--;
        serveFiles(req, res, seen);
      }, 60);
    });
    const reqs = bodies.map((b, i) => request([`${s.base}/s${i}.tar`], sha256(b), `s${i}.tar`));
    const missing = request([`${s.base}/gone.tar`], SHA, 'gone.tar');
    const o = options({ retries: 0 });
    const { results, errors } = await fetchAll([...reqs, missing, reqs[0] as SourceRequest], { ...o, jobs: 2 });
    expect(most).toBe(2);
    expect([...results.keys()]).toEqual(reqs.map(sourceKey));
    for (const [i, r] of reqs.entries()) expect(fs.readFileSync(results.get(sourceKey(r))?.path ?? '').equals(bodies[i] as Buffer)).toBe(true);
    expect(errors.map((e) => e.message)).toEqual([`no address gave gone.tar with the expected checksum: ${s.base}/gone.tar: HTTP 404`]);
    expect(s.requests).toHaveLength(5); // the repeated request was fetched once
  });
});

describe('addresses', () => {
  it('expands mirrors', () => {
    expect(expandMirror('https://m/{sha256}', 'a b.tgz', 'ab12')).toBe('https://m/ab12');
    expect(expandMirror('https://m/{sha256}', 'a.tgz', null)).toBeNull();
    expect(expandMirror('https://m/x/', 'a b.tgz', null)).toBe('https://m/x/a%20b.tgz');
    expect(expandMirror('https://m/{sha256}/{file}', 'a.tgz', 'ab')).toBe('https://m/ab/a.tgz');
    expect(candidateAddresses(['https://a/f', 'https://m/f'], ['https://m'], 'f', null)).toEqual(['https://a/f', 'https://m/f']);
  });

  it('classifies addresses', () => {
    expect(classifyAddress('HTTPS://Example.org/a', null)).toEqual({ kind: 'http', url: 'https://example.org/a' });
    expect(classifyAddress('file:///srv/a.tgz', null)).toEqual({ kind: 'file', path: '/srv/a.tgz' });
    expect(classifyAddress('file:rel/a.tgz', '/spells/x')).toEqual({ kind: 'file', path: '/spells/x/rel/a.tgz' });
    expect(classifyAddress('rel/a.tgz', null).kind).toBe('unsupported');
    expect(classifyAddress('ftp://h/a', null)).toEqual({ kind: 'unsupported', reason: 'unsupported scheme ftp:' });
  });
});
