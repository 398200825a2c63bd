// The status server, on 127.0.0.1 by default: `/health` for monitors (200 ok or degraded, 503
// stalled), `/status` with the JSON of `bin/status --json`, `/metrics` for Prometheus, `/`, a
// page for a person, and the deals desk (/deals, /deals/ASIN, /deals.csv, /deals.json, /settings).
// Every answer is read from the database at request time. Only GET and HEAD; off loopback only
// with HTTP_AUTH_TOKEN, which every request must then present.
//
// It answers only requests addressed to a name it serves (localhost, its own address, names the
// operator lists): a web page on another site could otherwise read /status through DNS rebinding.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, describeError } from './errors.js';
import type { Logger } from './log.js';
import type { StatusReport } from './status.js';
import { type DeskOptions, deskAnswer, isDeskPath } from './web/desk.js';
import { QueryError } from './web/deskQuery.js';
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
  /** The deals desk; without it those paths answer 404. */
  desk?: DeskOptions;
  /** When set, every request must carry it (bearer token or basic-auth password). */
  authToken?: string | null;
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The deals and the daemon's state are not for the whole network: off loopback a token is required. */
export function checkHttpExposure(host: string, authToken: string | null | undefined): void {
  if (isLoopback(host) || (authToken ?? '') !== '') return;
  throw new ConfigError(`HTTP_HOST is ${host}, which other machines can reach; set HTTP_AUTH_TOKEN to a long random secret (every request must then send it), or bind HTTP_HOST to 127.0.0.1.`);
}

/** The token a request presents: `Authorization: Bearer T`, or basic auth with T as the password. */
function presentedToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/** Compared as SHA-256 digests, so the time taken reveals neither the token nor its length. */
function tokenMatches(presented: string | null, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented ?? ''), digest(expected)) && presented !== null;
}

/** Scripts and styles run only when they carry this response's nonce: the ones the pages wrote. */
function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
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
  checkHttpExposure(options.host, options.authToken);
  const authToken = options.authToken ?? '';
  const log = options.log.child({ component: 'http' });
  // The figures of this process, the daemon's, for /metrics.
  const monitor = new ProcessMonitor();
  const overview = (r: StatusReport) => (options.store ? readOverview(options.store, r.tokens, Date.parse(r.generatedAt)) : null);
  const allowed = allowedHostNames(options);
  const server: Server = createServer((req, res) => {
    const nonce = randomBytes(16).toString('base64');
    const headers = (type: string, extra: Record<string, string> = {}): Record<string, string> => ({
      ...SECURITY_HEADERS,
      'content-type': type,
      'cache-control': 'no-store',
      'content-security-policy': contentSecurityPolicy(nonce),
      ...extra,
    });
    const send = (status: number, type: string, body: string, extra: Record<string, string> = {}): void => {
      res.writeHead(status, headers(type, extra));
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!hostAllowed(req.headers.host, allowed)) {
      return send(403, 'text/plain', 'this server answers only its own names (localhost, its address, HTTP_ALLOWED_HOSTS)\n');
    }
    if (authToken !== '' && !tokenMatches(presentedToken(req), authToken)) {
      return send(401, 'text/plain', 'authorization required\n', { 'www-authenticate': 'Basic realm="keepa-deals", charset="UTF-8"' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'only GET and HEAD\n', { allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    try {
      if (options.desk && isDeskPath(path)) {
        const answer = deskAnswer(path, url.searchParams, options.desk, nonce);
        if ('body' in answer) return send(answer.status, answer.type, answer.body);
        res.writeHead(answer.status, headers(answer.type, answer.headers));
        if (req.method === 'HEAD') return res.end();
        answer.stream(res).catch((e: unknown) => {
          log.error(`export failed: ${describeError(e)}`, { path });
          res.destroy();
        });
        return;
      }
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
        return send(200, 'text/html; charset=utf-8', renderPage(r, overview(r), Date.parse(r.generatedAt), nonce));
      }
      return send(404, 'text/plain', `not found: try /, /health, /status, /metrics${options.desk ? ', /deals or /settings' : ''}\n`);
    } catch (e: unknown) {
      if (e instanceof QueryError) return send(400, 'text/plain', `${e.message}\n`);
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
