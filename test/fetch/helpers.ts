import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const made: string[] = [];

/** A fresh temporary folder, removed by removeTempDirs(). */
export function tempDir(prefix = 'jfetch-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export interface SeenRequest {
  readonly url: string;
  readonly range: string | undefined;
  /** The status the handler answered with (set by the handler through `answer`). */
  status?: number;
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest) => void;

/** A real HTTP server on 127.0.0.1, on a random port. */
export async function serve(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const seen: SeenRequest = { url: req.url ?? '', range: req.headers.range };
    requests.push(seen);
    handler(req, res, seen);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler serving fixed files by path (404 for anything else), honouring Range. */
export function files(map: Record<string, Buffer>): Handler {
  return (req, res, seen) => {
    const body = map[req.url ?? ''];
    if (body === undefined) {
      seen.status = 404;
      res.writeHead(404).end('not found');
      return;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      seen.status = 206;
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    seen.status = 200;
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  };
}
