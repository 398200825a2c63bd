// The deals desk under load: `/deals` with 20,000 saved deals (target: p95 under 200 ms) and
// `/deals.csv` of 50,000 rows (target: the process under 100 MB RSS throughout). Prints figures.
//
//   npm run build && node dist/bench/desk.js [--deals 20000] [--export-rows 50000] [--requests 300]
//
// The pages are served in this process, as in the daemon, to sequential requests (one person
// paging through); on a busy machine wall time runs ahead of CPU time, so both are printed. The
// export is served by a child process like the daemon's, whose peak RSS is read from /proc.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig, PROJECT_DIR } from '../src/config.js';
import { startStatusServer } from '../src/http.js';
import { silentLogger } from '../src/log.js';
import { DEFAULT_BUSINESS } from '../src/settings.js';
import { loadColumns } from '../src/state/columns.js';
import { openExistingDatabase } from '../src/state/db.js';
import { openStore } from '../src/state/store.js';
import { buildStatus } from '../src/status.js';
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

/** A process like the daemon's: the store open and the status server with the desk over it. */
async function serveExport(path: string): Promise<void> {
  const columns = loadColumns(join(PROJECT_DIR, 'headers.json'));
  const store = openStore({ path, columns, nowMs: NOW });
  const config = loadConfig({ env: { DEALS_DB: path } });
  const server = await startStatusServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    report: () => buildStatus({ store, config, nowMs: NOW, daemonRunning: true }),
    desk: { store, business: DEFAULT_BUSINESS, settings: [], now: () => NOW, openReader: () => openExistingDatabase(path, { readonly: true }) },
  });
  process.send?.(server.url);
}

/** Peak RSS of a process so far (VmHWM), from /proc. */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

function currentRss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** The export from a server process of its own, so that its RSS is the server's alone. */
async function measureExport(path: string): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-export', path], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve(String(m))));
  const pid = child.pid ?? 0;
  const before = currentRss(pid);
  const cpu0 = readCpuMs(pid);
  const t = performance.now();
  const res = await fetch(`${url}/deals.csv?all=1`);
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
  const peak = peakRss(pid);
  const cpu = readCpuMs(pid) - cpu0;
  child.kill('SIGTERM');
  console.log(`\n/deals.csv?all=1 from a server process of its own: ${lines - 1} rows, ${mb(bytes)} in ${seconds.toFixed(1)} s (server CPU ${(cpu / 1000).toFixed(1)} s)`);
  console.log(`  server RSS ${mb(before)} before the export, peak ${mb(peak)} over its whole life (target < 100 MB: ${peak < 100 * 1_048_576 ? 'met' : 'MISSED'})`);
}

/** User + system CPU of a process in ms, from /proc (clock ticks of 10 ms). */
function readCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-desk-'));
  const path = join(dir, 'deals.db');
  const columns = loadColumns(join(PROJECT_DIR, 'headers.json'));
  try {
    const store = openStore({ path, columns, nowMs: NOW - 400 * DAY });
    let t = performance.now();
    saveDeals(store, DEALS);
    console.log(`saved ${DEALS} deals with evidence in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const config = loadConfig({ env: { DEALS_DB: path } });
    const server = await startStatusServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      report: () => buildStatus({ store, config, nowMs: NOW, daemonRunning: true }),
      desk: { store, business: DEFAULT_BUSINESS, settings: [], now: () => NOW, openReader: () => openExistingDatabase(path, { readonly: true }) },
    });

    const times = new Map<string, number[]>(VIEWS.map((v) => [v, []]));
    const cpu: number[] = [];
    for (const view of VIEWS) await (await fetch(`${server.url}${view}`)).text();
    for (let i = 0; i < REQUESTS; i++) {
      const view = VIEWS[i % VIEWS.length] ?? '/deals';
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const res = await fetch(`${server.url}${view}`);
      await res.text();
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1000);
      if (res.status !== 200) throw new Error(`${view} answered ${res.status}`);
      times.get(view)?.push(performance.now() - start);
    }
    const all = [...times.values()].flat().sort((a, b) => a - b);
    console.log(`\n/deals with ${DEALS} saved deals, ${REQUESTS} sequential requests over ${VIEWS.length} views:`);
    for (const [view, list] of times) {
      const s = [...list].sort((a, b) => a - b);
      console.log(`  ${view.padEnd(42)} p50 ${quantile(s, 0.5).toFixed(1).padStart(6)} ms   p95 ${quantile(s, 0.95).toFixed(1).padStart(6)} ms`);
    }
    const p95 = quantile(all, 0.95);
    cpu.sort((a, b) => a - b);
    console.log(`  CPU per request (server and client, this process): p50 ${quantile(cpu, 0.5).toFixed(1)} ms, p95 ${quantile(cpu, 0.95).toFixed(1)} ms`);
    console.log(`  all views: p50 ${quantile(all, 0.5).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${(all.at(-1) ?? 0).toFixed(1)} ms (target p95 < 200 ms: ${p95 < 200 ? 'met' : 'MISSED'})`);

    await server.close();
    if (EXPORT_ROWS > DEALS) {
      t = performance.now();
      saveDeals(store, EXPORT_ROWS - DEALS, { from: DEALS, evidence: false });
      console.log(`\nsaved ${EXPORT_ROWS - DEALS} more deals (without evidence) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    store.db.close();
    await measureExport(path);

  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const serveAt = process.argv.indexOf('--serve-export');
if (serveAt >= 0) await serveExport(process.argv[serveAt + 1] ?? '');
else await main();
