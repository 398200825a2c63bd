// The status server, on 127.0.0.1 by default: `/health` for monitors (200 ok or degraded, 503
// stalled), `/status` with the JSON of `bin/status --json`, `/metrics` for Prometheus, and `/`,
// a page for a person. Every answer is read from the database at request time.
//
// It answers only requests addressed to a name it serves (localhost, its own address, names the
// operator lists): a web page on another site could otherwise read /status through DNS rebinding.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, describeError } from './errors.js';
import type { Logger } from './log.js';
import type { StatusReport } from './status.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './web/metrics.js';
import { type OverviewStore, readOverview } from './web/overview.js';
import { renderPage } from './web/page.js';
import { ProcessMonitor } from './web/processMetrics.js';

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  host: string;
  port: number;
  report: () => StatusReport;
  log: Logger;
  /** The run history, queue and deals for the page's chart and tables and the run counters of /metrics; without it they show the report only. */
  store?: OverviewStore;
  /** Host names to answer besides localhost and `host` (HTTP_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
}

/** Sent with every answer: no MIME sniffing, never inside another site's frame, no referrer. */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' } as const;

/** Whether a request's Host header names this server; `allowed` holds lower-case host names without port. */
export function hostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (hostHeader === undefined) return false;
  let name: string;
  try {
    name = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowed.has(name.replace(/^\[(.*)\]$/, '$1'));
}

function allowedHostNames(options: StatusServerOptions): Set<string> {
  const names = ['localhost', '127.0.0.1', '::1', options.host, ...(options.allowedHosts ?? [])];
  return new Set(names.map((n) => n.toLowerCase().replace(/^\[(.*)\]$/, '$1')));
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const log = options.log.child({ component: 'http' });
  // The figures of this process, the daemon's, for /metrics.
  const monitor = new ProcessMonitor();
  const overview = (r: StatusReport) => (options.store ? readOverview(options.store, r.tokens, Date.parse(r.generatedAt)) : null);
  const allowed = allowedHostNames(options);
  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!hostAllowed(req.headers.host, allowed)) {
      return send(403, 'text/plain', 'this server answers only its own names (localhost, its address, HTTP_ALLOWED_HOSTS)\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'only GET\n');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === '/health') {
        const r = options.report();
        return send(r.verdict === 'stalled' ? 503 : 200, 'application/json', `${JSON.stringify({ verdict: r.verdict, reasons: r.reasons })}\n`);
      }
      if (path === '/status') return send(200, 'application/json', `${JSON.stringify(options.report(), null, 2)}\n`);
      if (path === '/metrics') {
        const r = options.report();
        return send(200, METRICS_CONTENT_TYPE, renderMetrics(r, { counters: options.store?.runs.counters.all(), process: monitor.read() }));
      }
      if (path === '/') {
        const r = options.report();
        return send(200, 'text/html; charset=utf-8', renderPage(r, overview(r), Date.parse(r.generatedAt)));
      }
      return send(404, 'text/plain', 'not found: try /, /health, /status or /metrics\n');
    } catch (e: unknown) {
      log.error(`status request failed: ${describeError(e)}`, { path });
      return send(500, 'text/plain', 'status unavailable; see the daemon log\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EADDRNOTAVAIL') {
        return reject(new ConfigError(`The status server cannot listen on HTTP_HOST ${options.host} (${e.code}: not an address of this machine); set HTTP_HOST to one, such as 127.0.0.1.`, { cause: e }));
      }
      if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') return reject(e);
      reject(new ConfigError(`The status server cannot listen on ${options.host}:${options.port} (${e.code}); set HTTP_PORT to a free port, or 0 to turn it off.`, { cause: e }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        monitor.stop();
        server.close(() => resolve());
        // A browser keeps its connection open; it must not hold up the daemon's stop.
        server.closeAllConnections();
      }),
  };
}
