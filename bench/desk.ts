// The deals desk under load: `/deals` with 20,000 saved deals (target: p95 under 200 ms) and
// `/deals.csv` of 50,000 rows (target: the daemon under 100 MB RSS). Prints figures.
//
//   npm run build && node dist/bench/desk.js [--deals 20000] [--export-rows 50000] [--requests 300]
//
// Both are served by the daemon itself: bin/daemon.js started as deploy/keepa-deals.service
// starts it (the same node flags), with a Keepa key and a Keepa address where nothing listens, so
// that it serves the desk and fetches nothing. The pages go to it as sequential requests (one
// person paging through); on a busy machine wall time runs ahead of CPU time, so both are printed.
// For the export, its RSS is read from /proc after the pages above have been browsed, then its
// peak during the export alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_DIR } from '../src/config.js';
import { loadColumns } from '../src/state/columns.js';
import { openStore } from '../src/state/store.js';
import { DAY, NOW, saveDeals } from './deskData.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a whole number; got ${process.argv[i + 1]}`);
  return v;
}

const DEALS = flag('deals', 20_000);
const EXPORT_ROWS = flag('export-rows', 50_000);
const REQUESTS = flag('requests', 300);

/** What a person does on the desk: the default view, every sort, filters, text search, deep pages. */
const VIEWS = [
  '/deals',
  '/deals?sort=roi',
  '/deals?sort=margin&order=asc',
  '/deals?sort=sales',
  '/deals?sort=rank',
  '/deals?sort=found',
  '/deals?sort=verified',
  '/deals?min_profit=20&min_roi=60',
  '/deals?max_rank=300000&min_sales=5',
  '/deals?season=Holiday&condition=Used%20-%20Good',
  '/deals?q=chemistry',
  '/deals?q=B0DESK01',
  '/deals?all=1&sort=profit&order=asc',
  '/deals?page=150',
  '/deals?sort=roi&page=300',
];

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** The node flags deploy/keepa-deals.service starts the daemon with. */
function unitNodeFlags(): string[] {
  const unit = readFileSync(join(PROJECT_DIR, 'deploy', 'keepa-deals.service'), 'utf8');
  const exec = /^ExecStart=\S+ (.*) \S+\/bin\/daemon\.js$/m.exec(unit)?.[1];
  return exec === undefined ? [] : exec.split(/\s+/);
}

/** A port nothing listens on now, from the kernel. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** User + system CPU of a process in ms, from /proc (clock ticks of 10 ms). */
function readCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Daemon {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startDaemon(path: string, flags: readonly string[]): Promise<Daemon> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...flags, join(PROJECT_DIR, 'bin', 'daemon.js')], {
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      KEEPA_API_KEY: 'benchdesk0000000000000000',
      KEEPA_BASE_URL: `http://127.0.0.1:${await freePort()}`,
      DEALS_DB: path,
      HTTP_PORT: String(port),
      INGEST_CRON: '0 0 1 1 *',
    },
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = performance.now() + 60_000;
  while (
    !(await fetch(`${url}/health`).then(
      () => true,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || performance.now() > deadline) {
      await stop();
      throw new Error(`the daemon did not answer at ${url} (exit code ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, pid: child.pid ?? 0, stop };
}

async function measurePages(daemon: Daemon): Promise<void> {
  const times = new Map<string, number[]>(VIEWS.map((v) => [v, []]));
  for (const view of VIEWS) await (await fetch(`${daemon.url}${view}`)).text();
  const cpu0 = readCpuMs(daemon.pid);
  for (let i = 0; i < REQUESTS; i++) {
    const view = VIEWS[i % VIEWS.length] ?? '/deals';
    const start = performance.now();
    const res = await fetch(`${daemon.url}${view}`);
    await res.text();
    if (res.status !== 200) throw new Error(`${view} answered ${res.status}`);
    times.get(view)?.push(performance.now() - start);
  }
  const cpuPerRequest = (readCpuMs(daemon.pid) - cpu0) / REQUESTS;
  const all = [...times.values()].flat().sort((a, b) => a - b);
  console.log(`\n/deals with ${DEALS} saved deals, ${REQUESTS} sequential requests over ${VIEWS.length} views:`);
  for (const [view, list] of times) {
    const s = [...list].sort((a, b) => a - b);
    console.log(`  ${view.padEnd(42)} p50 ${quantile(s, 0.5).toFixed(1).padStart(6)} ms   p95 ${quantile(s, 0.95).toFixed(1).padStart(6)} ms`);
  }
  const p95 = quantile(all, 0.95);
  console.log(`  daemon CPU per request: ${cpuPerRequest.toFixed(1)} ms on average`);
  console.log(`  all views: p50 ${quantile(all, 0.5).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${(all.at(-1) ?? 0).toFixed(1)} ms (target p95 < 200 ms: ${p95 < 200 ? 'met' : 'MISSED'})`);
}

async function measureExport(daemon: Daemon): Promise<void> {
  for (const view of VIEWS) await (await fetch(`${daemon.url}${view}`)).text();
  const before = statusBytes(daemon.pid, 'VmRSS');
  const lifePeak = statusBytes(daemon.pid, 'VmHWM');
  // Writing 5 to clear_refs resets VmHWM, so the peak read after the export is the export's own.
  writeFileSync(`/proc/${daemon.pid}/clear_refs`, '5');
  const cpu0 = readCpuMs(daemon.pid);
  const t = performance.now();
  const res = await fetch(`${daemon.url}/deals.csv?all=1`);
  let bytes = 0;
  let lines = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    bytes += chunk.value.byteLength;
    for (const b of chunk.value) if (b === 10) lines++;
  }
  const seconds = (performance.now() - t) / 1000;
  const peak = statusBytes(daemon.pid, 'VmHWM');
  const cpu = readCpuMs(daemon.pid) - cpu0;
  console.log(`\n/deals.csv?all=1: ${lines - 1} rows, ${mb(bytes)} in ${seconds.toFixed(1)} s (daemon CPU ${(cpu / 1000).toFixed(1)} s)`);
  console.log(`  daemon RSS ${mb(before)} before the export (after ${VIEWS.length} pages; ${mb(lifePeak)} at most since its start)`);
  console.log(`  peak ${mb(peak)} during the export, ${mb(peak - before)} more (target < 100 MB: ${peak < 100 * 1_048_576 ? 'met' : 'MISSED'})`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-desk-'));
  const path = join(dir, 'deals.db');
  const columns = loadColumns(join(PROJECT_DIR, 'headers.json'));
  const flags = unitNodeFlags();
  console.log(`the daemon runs as deploy/keepa-deals.service runs it: node ${[...flags, 'bin/daemon.js'].join(' ')}`);
  try {
    const store = openStore({ path, columns, nowMs: NOW - 400 * DAY });
    let t = performance.now();
    saveDeals(store, DEALS);
    console.log(`saved ${DEALS} deals with evidence in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    store.db.close();
    let daemon = await startDaemon(path, flags);
    try {
      await measurePages(daemon);
    } finally {
      await daemon.stop();
    }

    if (EXPORT_ROWS > DEALS) {
      const more = openStore({ path, columns, nowMs: NOW });
      t = performance.now();
      saveDeals(more, EXPORT_ROWS - DEALS, { from: DEALS, evidence: false });
      more.db.close();
      console.log(`\nsaved ${EXPORT_ROWS - DEALS} more deals (without evidence) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    daemon = await startDaemon(path, flags);
    try {
      await measureExport(daemon);
    } finally {
      await daemon.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
