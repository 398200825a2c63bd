// The status server, on 127.0.0.1 by default: `/health` for monitors (200 ok or degraded, 503
// stalled) and `/status` with the JSON of `bin/status --json`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from './errors.js';
import type { Logger } from './log.js';
import type { StatusReport } from './status.js';

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

export async function startStatusServer(options: { host: string; port: number; report: () => StatusReport; log: Logger }): Promise<StatusServer> {
  const log = options.log.child({ component: 'http' });
  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'only GET\n');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === '/health') {
        const r = options.report();
        return send(r.verdict === 'stalled' ? 503 : 200, 'application/json', `${JSON.stringify({ verdict: r.verdict, reasons: r.reasons })}\n`);
      }
      if (path === '/status') return send(200, 'application/json', `${JSON.stringify(options.report(), null, 2)}\n`);
      return send(404, 'text/plain', 'not found: try /health or /status\n');
    } catch (e: unknown) {
      log.error(`status request failed: ${describeError(e)}`, { path });
      return send(500, 'text/plain', 'status unavailable; see the daemon log\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
