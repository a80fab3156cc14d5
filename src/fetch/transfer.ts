/**
 * Moving the bytes of one address into a `.part` file: an HTTP(S) download
 * (resumable with a Range request, with an idle timeout) or a copy of a
 * local file. Failures are classified: transient ones are worth retrying at
 * the same address, the others move on to the next address; a failure to
 * write the cache is nobody's address's fault and stops everything.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';

/** What went wrong with an address. */
export class TransferFailure extends Error {
  constructor(
    message: string,
    /** Worth retrying at the same address (timeouts, resets, 5xx, 429). */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** The cache could not be written (disk full, permissions). */
export class LocalWriteError extends Error {}

export interface DownloadOptions {
  timeoutMs: number;
  /** Bytes already in the .part file to resume after (0: from the start). */
  resumeFrom: number;
  /** Called as data arrives (at most every 100 ms, and once at the end). */
  onProgress: (received: number, total: number | null) => void;
}

export interface DownloadOutcome {
  /** The server honoured the Range request: the .part was appended to. */
  resumed: boolean;
  bytes: number;
}

const MAX_REDIRECTS = 10;
const PROGRESS_EVERY_MS = 100;
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
/** Errors of the cache's disk rather than of the address. */
const LOCAL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/** Download `url` into `part`, resuming after `resumeFrom` bytes when the server allows it. */
export async function httpDownload(url: string, part: string, o: DownloadOptions): Promise<DownloadOutcome> {
  let offset = o.resumeFrom;
  for (;;) {
    const { res, timedOut } = await openResponse(url, offset, o.timeoutMs);
    const status = res.statusCode ?? 0;
    let append = false;
    let total: number | null = null;
    if (status === 206 && offset > 0) {
      const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(res.headers['content-range'] ?? '');
      if (!range || Number(range[1]) !== offset) {
        // Not the part we asked for: start again from zero.
        res.destroy();
        offset = 0;
        continue;
      }
      append = true;
      total = range[3] === '*' ? Number(range[2]) + 1 : Number(range[3]);
    } else if (status === 416 && offset > 0) {
      // The partial file is no prefix of what is there now.
      res.destroy();
      offset = 0;
      continue;
    } else if (status === 200) {
      const len = res.headers['content-length'];
      total = len !== undefined && /^\d+$/.test(len) ? Number(len) : null;
    } else {
      res.destroy();
      throw new TransferFailure(`HTTP ${status}`, status >= 500 || status === 429 || status === 408);
    }
    return await receiveBody(res, timedOut, part, append ? offset : 0, total, o);
  }
}

interface Opened {
  res: http.IncomingMessage;
  /** True once the idle timeout has fired for this request. */
  timedOut: () => boolean;
}

/** Send the GET (with Range when resuming) and follow redirects up to the final response. */
function openResponse(url: string, offset: number, timeoutMs: number, redirects = 0): Promise<Opened> {
  return new Promise<Opened>((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'jux', 'accept-encoding': 'identity' };
    if (offset > 0) headers['range'] = `bytes=${offset}-`;
    let timedOut = false;
    const req = mod.get(u, { headers, agent: false });
    // The socket's idle timeout: no data for timeoutMs, before or during the body.
    req.setTimeout(timeoutMs, () => {
      timedOut = true;
      req.destroy(new TransferFailure(`no data for ${formatMs(timeoutMs)}`, true));
    });
    req.on('error', (e) => reject(netFailure(e, timedOut, timeoutMs)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
        res.resume();
        req.destroy();
        if (redirects >= MAX_REDIRECTS) return reject(new TransferFailure(`more than ${MAX_REDIRECTS} redirects`, false));
        let next: URL;
        try {
          next = new URL(location, u);
        } catch {
          return reject(new TransferFailure(`a redirect to an invalid address (${location})`, false));
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return reject(new TransferFailure(`a redirect to an unsupported address (${next.href})`, false));
        }
        openResponse(next.href, offset, timeoutMs, redirects + 1).then(resolve, reject);
        return;
      }
      resolve({ res, timedOut: () => timedOut });
    });
  });
}

async function receiveBody(
  res: http.IncomingMessage,
  timedOut: () => boolean,
  part: string,
  start: number,
  total: number | null,
  o: DownloadOptions,
): Promise<DownloadOutcome> {
  let received = start;
  let last = 0;
  const report = (force: boolean): void => {
    const now = Date.now();
    if (force || now - last >= PROGRESS_EVERY_MS) {
      last = now;
      o.onProgress(received, total);
    }
  };
  // Written by hand rather than with pipeline(): when the connection is
  // cut, what has arrived is still flushed to the .part (to resume from).
  let netError: Error | null = null;
  const out = fs.createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
  await new Promise<void>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      report(false);
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.on('error', (e) => {
      netError ??= e;
    });
    res.on('close', () => {
      if (!res.complete) netError ??= new Error('aborted');
      out.end();
    });
    out.on('error', (e) => {
      res.destroy();
      reject(new LocalWriteError(`cannot write ${part}: ${e.message}`));
    });
    out.on('finish', () => {
      if (netError === null) return resolve();
      const f = netFailure(netError, timedOut(), o.timeoutMs);
      reject(new TransferFailure(`${f.message} after ${received}${total !== null ? ` of ${total}` : ''} bytes`, f.transient));
    });
  });
  report(true);
  if (total !== null && received < total) {
    throw new TransferFailure(`the connection closed after ${received} of ${total} bytes`, true);
  }
  return { resumed: start > 0, bytes: received };
}

function netFailure(e: Error, timedOut: boolean, timeoutMs: number): TransferFailure {
  if (timedOut) return new TransferFailure(`no data for ${formatMs(timeoutMs)}`, true);
  if (e instanceof TransferFailure) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const what: Record<string, string> = {
    ECONNRESET: 'the connection was reset',
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'the host name could not be looked up',
    ETIMEDOUT: 'the connection timed out',
    ERR_STREAM_PREMATURE_CLOSE: 'the connection closed early',
  };
  const message = code !== undefined && what[code] ? what[code] : e.message === 'aborted' ? 'the connection was cut' : e.message;
  const transient = (code !== undefined && TRANSIENT_CODES.has(code)) || e.message === 'aborted';
  return new TransferFailure(message, transient);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/** Copy a local file into `part`. */
export async function copyLocal(src: string, part: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(src);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TransferFailure(code === 'ENOENT' ? `no such file ${src}` : `cannot read ${src}: ${(e as Error).message}`, false);
  }
  if (!st.isFile()) throw new TransferFailure(`${src} is not a file`, false);
  try {
    await fs.promises.copyFile(src, part);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && LOCAL_CODES.has(code)) {
      throw new LocalWriteError(`cannot write ${part}: ${(e as Error).message}`);
    }
    throw new TransferFailure(`cannot copy ${src}: ${(e as Error).message}`, false);
  }
}
