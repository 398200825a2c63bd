// A Keepa that misbehaves on demand, for drills on the real daemon: the simulator behind a proxy
// that can rewrite the next answers (impossible token figures, deals dated in the future), answer
// with a gzip bomb, or reset the connection. The daemon talks to it with KEEPA_BASE_URL and a key.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

export const HOSTILE_KEY = 'hostile0000000000000000000000000000000000000000000000000000000000';

export interface Seen {
  path: string;
  url: string;
  /** When the request arrived. */
  atMs: number;
  status: number | 'reset' | 'bomb';
  body: Record<string, unknown> | null;
}

/** What the proxy does to the next matching answer; returns the new body, or a special action. */
export type Tamper = { path: string; kind: 'rewrite'; edit: (body: Record<string, unknown>) => void } | { path: string; kind: 'bomb' } | { path: string; kind: 'reset' };

export interface HostileKeepa {
  url: string;
  sim: Simulator;
  seen: Seen[];
  /** Applies `tamper` to the next `count` answers on its path. */
  arm(tamper: Tamper, count?: number): void;
  close(): Promise<void>;
}

/**
 * `bytes` of zeros gzip-compressed, streamed through zlib so that the large side never exists in
 * memory or on disk (1 GB of zeros is about 1 MB compressed).
 */
export async function gzipBomb(bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<void>((res, rej) => {
    gzip.on('end', res);
    gzip.on('error', rej);
  });
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += block.length) {
    if (!gzip.write(block)) await new Promise((res) => gzip.once('drain', res));
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

export async function startHostileKeepa(options: { refillRate: number; bomb?: Buffer }): Promise<HostileKeepa> {
  const sim = await createSimulator({ seed: 3, apiKey: HOSTILE_KEY, refillRate: options.refillRate, catalogSize: 400, dealsPerHour: 2000 });
  const simUrl = new URL(sim.url);
  const armed: Array<{ tamper: Tamper; left: number }> = [];
  const seen: Seen[] = [];
  const take = (path: string): Tamper | null => {
    const slot = armed.find((a) => a.tamper.path === path && a.left > 0);
    if (!slot) return null;
    slot.left -= 1;
    return slot.tamper;
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const arrivedMs = Date.now();
    const tamper = take(path);
    const record = (status: Seen['status'], body: Seen['body']): void => {
      seen.push({ path, url: req.url ?? '', atMs: arrivedMs, status, body });
    };
    if (tamper?.kind === 'reset') {
      record('reset', null);
      req.socket.destroy();
      return;
    }
    if (tamper?.kind === 'bomb') {
      record('bomb', null);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(options.bomb);
      return;
    }
    const upstream = request({ host: simUrl.hostname, port: simUrl.port, method: req.method, path: req.url }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        let text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> | null = null;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = null;
        }
        if (tamper?.kind === 'rewrite' && body !== null) {
          tamper.edit(body);
          text = JSON.stringify(body);
        }
        record(answer.statusCode ?? 0, body);
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sim,
    seen,
    arm: (tamper, count = 1) => armed.push({ tamper, left: count }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
      await sim.close();
    },
  };
}
