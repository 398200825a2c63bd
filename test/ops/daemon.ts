// Real daemon processes for the recovery drills: `node bin/daemon.js` (the built code in dist/, as
// systemd runs it) against the in-process simulator, with its JSON log collected line by line.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';

export const PROJECT_DIR = resolve(import.meta.dirname, '../..');
const DAEMON = resolve(PROJECT_DIR, 'bin/daemon.js');
const BUILT = resolve(PROJECT_DIR, 'dist/src/daemon.js');

/** The drills run the compiled daemon; `npm test` builds first, a bare `vitest` may not have. */
export function assertBuilt(): void {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` before the process-level tests (npm test does).`);
}

export interface LogEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  /** Log entries so far; a line that is not JSON (a crash's stack, node's own warnings) becomes level 'raw'. */
  entries: LogEntry[];
  text(): string;
  /** Resolves with the `nth` entry whose message matches, or rejects after `timeoutMs` showing the log. */
  waitFor(pattern: RegExp, timeoutMs?: number, nth?: number): Promise<LogEntry>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the exit; kills for good after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Daemons still running: a test that timed out must not leave one behind. */
const running = new Set<ChildProcess>();

/** For afterAll: SIGKILL every daemon a test of this file started and did not stop. */
export function killStragglers(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function startDaemon(env: Record<string, string>, args: string[] = []): DaemonProcess {
  const base = { ...process.env };
  delete base.KEEPA_API_KEY;
  for (const name of ['KEEPA_BASE_URL', 'DEALS_DB', 'DEALS_HEADERS', 'INGEST_CRON', 'JANITOR_CRON', 'HTTP_PORT', 'HTTP_HOST', 'HTTP_AUTH_TOKEN']) delete base[name];
  const child = spawn(process.execPath, [DAEMON, ...args], {
    cwd: PROJECT_DIR,
    env: { ...base, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const entries: LogEntry[] = [];
  const waiters: Array<{ pattern: RegExp; left: number; resolve: (e: LogEntry) => void }> = [];
  const take = (line: string): void => {
    if (line.trim() === '') return;
    let entry: LogEntry;
    try {
      const parsed: unknown = JSON.parse(line);
      entry = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? (parsed as LogEntry) : { level: 'raw', message: line };
    } catch {
      entry = { level: 'raw', message: line };
    }
    entries.push(entry);
    for (const w of [...waiters]) {
      if (w.pattern.test(entry.message) && --w.left === 0) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(entry);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(take);
    });
    stream?.on('end', () => take(rest));
  }
  // 'close', not 'exit': 'exit' can come before the last lines the daemon wrote have been read
  // (its stop sentence was missing from a drill's log on a loaded machine); 'close' comes after.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  const text = (): string => entries.map((e) => `${e.level}: ${e.message}`).join('\n');
  const waitFor = (pattern: RegExp, timeoutMs = 20_000, nth = 1): Promise<LogEntry> => {
    const seen = entries.filter((e) => pattern.test(e.message));
    const found = seen[nth - 1];
    if (found) return Promise.resolve(found);
    return new Promise<LogEntry>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; the log:\n${text()}`)), timeoutMs);
      const waiter = {
        pattern,
        left: nth - seen.length,
        resolve: (e: LogEntry) => {
          clearTimeout(timer);
          res(e);
        },
      };
      waiters.push(waiter);
      void exited.then(() =>
        setTimeout(() => {
          if (waiters.includes(waiter)) rej(new Error(`the daemon exited before logging ${pattern}; the log:\n${text()}`));
        }, 100),
      );
    });
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) => {
    const t0 = Date.now();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const result = await exited;
    clearTimeout(timer);
    return { ...result, ms: Date.now() - t0 };
  };
  return { child, pid: child.pid ?? -1, entries, text, waitFor, exited, stop };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const address = server.address();
  await new Promise<void>((res) => server.close(() => res()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface DbFacts {
  integrity: string;
  deals: number;
  asins: Set<string>;
}

/** What a restarted daemon will find, read without changing anything. */
export function readDb(path: string): DbFacts {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    // Killed before its first migration committed, the file has no tables yet.
    const hasDeals = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'deals'").get() !== undefined;
    const asins = hasDeals ? db.prepare('SELECT "ASIN" FROM deals').pluck().all().map(String) : [];
    return { integrity, deals: asins.length, asins: new Set(asins) };
  } finally {
    db.close();
  }
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

/** A process's memory in MB from /proc: `VmRSS` resident now, `VmHWM` its peak so far. */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

/** The status server's base URL, from the line the daemon logs when it listens. */
export async function statusUrl(daemon: DaemonProcess): Promise<string> {
  const line = await daemon.waitFor(/^status page at /);
  return /^status page at (\S+)\//.exec(line.message)?.[1] ?? '';
}

/** GET with a chosen Host header; resolves with status, headers and body, or rejects after `timeoutMs`. */
export function get(url: string, options: { host?: string; timeoutMs?: number } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string; ms: number }> {
  const u = new URL(url);
  const t0 = Date.now();
  return new Promise((res, rej) => {
    // A fresh connection each time: a kept-alive one may be closed by the server as the request leaves.
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, agent: false, headers: { host: options.host ?? u.host }, timeout: options.timeoutMs ?? 10_000 }, (r) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += String(c)));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body, ms: Date.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', rej);
    req.end();
  });
}
