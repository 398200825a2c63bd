// `npm run bench:year [-- ASINS_PER_DAY [DAYS]]`: how big the database grows in a year of operation, on a virtual clock.
// It writes what a year of the daemon writes, through the real stores and the real janitor job:
// an ingest run every 5 minutes (chunks, funnel, tokens, Keepa requests counted for /metrics),
// the janitor every 4 hours, N new distinct ASINs a day through the queue (a quarter saved as
// full deal rows that stay in the list for 2 days), and prints the file size as the year goes,
// with the history retention of pipeline.historyDays and without it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Config, loadConfig, PROJECT_DIR } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import type { DealRow } from '../src/pipeline/analytics/types.js';
import { janitorJob } from '../src/pipeline/janitor.js';
import { loadColumns } from '../src/state/columns.js';
import { openStore, type Store } from '../src/state/store.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const T0 = Date.UTC(2026, 0, 1);

function dealRow(store: Store, asin: string, n: number): DealRow {
  const row: DealRow = {};
  for (const c of store.columns) row[c.name] = c.type === 'TEXT' ? `${c.name.slice(0, 12)} ${n} lorem ipsum` : c.type === 'INTEGER' ? n % 100_000 : (n % 9973) / 7;
  row.ASIN = asin;
  return row;
}

function fileSize(path: string): number {
  let total = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {
      // No -wal after a checkpoint.
    }
  }
  return total;
}

async function year(config: Config, asinsPerDay: number, retention: boolean, days: number): Promise<Array<{ day: number; mb: number; runs: number; queue: number; deals: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'kd-year-'));
  const path = join(dir, 'deals.db');
  const store = openStore({ path, columns: loadColumns(resolve(PROJECT_DIR, 'headers.json')), nowMs: T0 });
  let now = T0;
  const clock = { now: () => now, sleep: async () => undefined };
  const pipeline = { ...config.pipeline, historyDays: retention ? config.pipeline.historyDays : 100_000 };
  const janitor = janitorJob({ store, clock: clock as never, config: { pipeline }, log: silentLogger() });
  const out: Array<{ day: number; mb: number; runs: number; queue: number; deals: number }> = [];
  let serial = 0;
  for (let day = 1; day <= days; day++) {
    store.db.transaction(() => {
      for (let tick = 0; tick < 288; tick++) {
        now = T0 + (day - 1) * DAY + tick * 5 * MINUTE;
        const id = store.runs.start('ingest', now);
        const fresh = Math.floor(((tick + 1) * asinsPerDay) / 288) - Math.floor((tick * asinsPerDay) / 288);
        for (let i = 0; i < fresh; i++) {
          const asin = `B${String(serial++).padStart(9, '0')}`;
          store.queue.offer({ asin, lastUpdateKm: Math.floor(now / MINUTE), priority: 1, dealJson: JSON.stringify({ asin, title: 'x'.repeat(120), current: Array(30).fill(1234), avg: Array(30).fill(2345) }) }, now);
          const saved = serial % 4 === 0;
          store.queue.finish(asin, saved ? 'done' : 'rejected', saved ? null : 'few_rank_drops', now, saved);
          if (saved) store.deals.upsert(dealRow(store, asin, serial), now, 'full');
        }
        store.runs.recordChunk(id, { scanned: fresh * 3, queued: fresh, peeked: fresh, enriched: Math.ceil(fresh / 2), saved: Math.ceil(fresh / 4), rejected_few_rank_drops: fresh, tokens_peek: fresh, tokens_enrich: fresh * 12 }, fresh * 13 + 5, now + 20_000, true);
        for (let r = 0; r < 3; r++) store.runs.counters.add('keepa_requests_total', { endpoint: ['deal', 'product', 'seller'][r] ?? 'deal', code: '200' }, 1);
        store.runs.finish(id, 'ok', now + 30_000);
      }
    })();
    for (let h = 0; h < 24; h += 4) {
      now = T0 + (day - 1) * DAY + h * 3_600_000 + 17 * MINUTE;
      const id = store.runs.start('janitor', now);
      const result = await janitor.run({ runId: id, signal: new AbortController().signal, heartbeat: () => undefined });
      store.runs.finish(id, result.outcome, now + 1000);
    }
    if ([1, 30, 90, 180, 270, 365].includes(day) || day === days) {
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      const count = (sql: string): number => Number(store.db.prepare(sql).pluck().get());
      const row = { day, mb: fileSize(path) / 1e6, runs: count('SELECT COUNT(*) FROM runs'), queue: count('SELECT COUNT(*) FROM queue'), deals: count('SELECT COUNT(*) FROM deals') };
      out.push(row);
      process.stderr.write(`${retention ? 'with' : 'without'} retention, day ${day}: ${row.mb.toFixed(1)} MB\n`);
    }
  }
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

async function main(): Promise<void> {
  const asinsPerDay = Number(process.argv[2] ?? 400);
  const days = Number(process.argv[3] ?? 365);
  const config = loadConfig({ env: { KEEPA_API_KEY: 'a'.repeat(64) } });
  console.log(`A year on the virtual clock: ingest every 5 min, janitor every 4 h, ${asinsPerDay} new ASINs a day, a quarter saved; historyDays ${config.pipeline.historyDays}.`);
  for (const retention of [true, false]) {
    const t0 = performance.now();
    const rows = await year(config, asinsPerDay, retention, days);
    console.log(`\n${retention ? `with retention (historyDays ${config.pipeline.historyDays})` : 'without retention'}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    console.log('day  size MB   runs   queue  deals');
    for (const r of rows) console.log(`${String(r.day).padStart(3)}  ${r.mb.toFixed(1).padStart(7)}  ${String(r.runs).padStart(6)}  ${String(r.queue).padStart(6)}  ${String(r.deals).padStart(5)}`);
  }
}

await main();
