// Refresh (NULL overwrite), the janitor (janitor during a stall) and status (green trap).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { janitorJob } from '../../src/pipeline/janitor.js';
import { Scheduler } from '../../src/scheduler.js';
import { buildStatus } from '../../src/status.js';
import { memoryStore, smallColumns, T0, virtualClock } from '../helpers.js';
import { createHarness } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('refresh (NULL overwrite)', () => {
  it('an existing deal refreshed keeps its List at, 1-year average and seller name', async () => {
    const h = await createHarness({ refillRate: 20, pipeline: { refreshAfterHours: 1, refreshShare: 0.5 } });
    try {
      await h.runUntil(h.clock.now() + 6 * HOUR);
      const { store } = h.life;
      const row = store.db.prepare('SELECT "ASIN", "List_at", "1yr_Avg", "Seller", "Seller_ID", analyzed_at FROM deals WHERE "List_at" IS NOT NULL AND "Seller" IS NOT NULL LIMIT 1').get() as Record<string, unknown>;
      expect(row).toBeDefined();
      const asin = String(row.ASIN);
      const refreshedBefore = store.db.prepare('SELECT refreshed_at FROM deals WHERE "ASIN" = ?').pluck().get(asin);
      await h.runUntil(h.clock.now() + 12 * HOUR);
      const after = store.db.prepare('SELECT "List_at", "1yr_Avg", "Seller", "Seller_ID", refreshed_at, analyzed_at FROM deals WHERE "ASIN" = ?').get(asin) as Record<string, unknown>;
      expect(after.refreshed_at).not.toBe(refreshedBefore);
      expect(after.analyzed_at).toBe(row.analyzed_at);
      expect(after.List_at).toBe(row.List_at);
      expect(after['1yr_Avg']).toBe(row['1yr_Avg']);
      if (after.Seller_ID === row.Seller_ID) expect(after.Seller).toBe(row.Seller);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a refreshed deal still worth showing stays current for the janitor; one no longer worth it ages out', async () => {
    const h = await createHarness({ refillRate: 20, pipeline: { refreshAfterHours: 1, refreshShare: 1 } });
    try {
      await h.runUntil(h.clock.now() + 6 * HOUR);
      const { store } = h.life;
      // No more scans: only the refresh can tell whether a deal is still current.
      store.system.setJson('ingest.scan', { lastStartedAt: h.clock.now() + 365 * DAY }, h.clock.now());
      const scanEnded = h.clock.now();
      await h.runUntil(h.clock.now() + 6 * HOUR);
      const rows = store.db.prepare('SELECT "Profit", "List_at", "1yr_Avg", last_seen_at, refreshed_at FROM deals WHERE refreshed_at > ?').all(scanEnded) as Record<string, number | null>[];
      const visible = rows.filter((r) => (r.Profit ?? 0) > 0 && (r.List_at ?? 0) > 0 && r['1yr_Avg'] !== null);
      const hidden = rows.filter((r) => !visible.includes(r));
      expect(visible.length).toBeGreaterThan(0);
      expect(hidden.length).toBeGreaterThan(0);
      expect(visible.filter((r) => r.last_seen_at !== r.refreshed_at)).toEqual([]);
      expect(hidden.filter((r) => (r.last_seen_at ?? 0) >= (r.refreshed_at ?? 0))).toEqual([]);
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe('janitor (janitor during a stall)', () => {
  function setup() {
    const store = memoryStore(smallColumns());
    const clock = virtualClock(T0 + 10 * DAY);
    const config = loadConfig({ env: {} });
    const scheduler = new Scheduler({ store, clock, log: silentLogger(), owner: 't' });
    scheduler.add(janitorJob({ store, clock, config, log: silentLogger() }));
    for (let i = 0; i < 10; i++) store.deals.upsert({ ASIN: `OLD${i}` }, T0, 'full');
    store.deals.upsert({ ASIN: 'RECENT' }, clock.now() - HOUR, 'full');
    return { store, clock, scheduler };
  }

  it('with ingestion stalled for 4 days deletes nothing, and says why', async () => {
    const { store, clock, scheduler } = setup();
    const run = store.runs.start('ingest', clock.now() - 4 * DAY);
    store.runs.recordChunk(run, { saved: 1 }, 10, clock.now() - 4 * DAY);
    const result = await scheduler.trigger('janitor');
    expect(store.deals.count()).toBe(11);
    expect(result?.error).toMatch(/ingestion is unhealthy/);
  });

  it('with ingestion healthy deletes only rows not seen for the grace period', async () => {
    const { store, clock, scheduler } = setup();
    const run = store.runs.start('ingest', clock.now() - HOUR);
    store.runs.recordChunk(run, { saved: 1 }, 10, clock.now() - HOUR);
    const result = await scheduler.trigger('janitor');
    expect(store.deals.count()).toBe(1);
    expect(store.deals.find('RECENT')).not.toBeNull();
    expect(result?.funnel.deleted).toBe(10);
  });
});

describe('status (green trap)', () => {
  it('says stalled when the bucket is full and nothing commits, whatever the process says', async () => {
    const h = await createHarness({ refillRate: 20 });
    try {
      await h.runUntil(h.clock.now() + 2 * HOUR);
      const { store } = h.life;
      store.system.setJson('daemon', { pid: 1, version: 't', startedAt: h.clock.now() - 3 * HOUR, keepa: 'simulator' }, h.clock.now());
      const ok = buildStatus({ store, config: h.config, nowMs: h.clock.now(), daemonRunning: true });
      expect(ok.verdict).toBe('ok');
      expect(ok.deals.total).toBeGreaterThan(0);

      // Keepa keeps failing: the process is alive and runs are scheduled, but nothing commits.
      h.sim.faults.add({ kind: 'serverError' });
      await h.runUntil(h.clock.now() + 3 * HOUR);
      const stalled = buildStatus({ store, config: h.config, nowMs: h.clock.now(), daemonRunning: true });
      expect(stalled.verdict).toBe('stalled');
      expect(stalled.reasons.join(' ')).toMatch(/nothing committed for .* although \d+ tokens were available: last error/);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('says degraded, not stalled, while progress waits for tokens', () => {
    const store = memoryStore(smallColumns());
    const now = T0 + DAY;
    store.system.setJson('daemon', { pid: 1, version: 't', startedAt: now - 2 * DAY, keepa: 'live' }, now);
    const run = store.runs.start('ingest', now - 3 * HOUR);
    store.runs.recordChunk(run, { saved: 1 }, 10, now - 3 * HOUR);
    store.runs.finish(run, 'ok', now - 3 * HOUR);
    // Runs go on every tick; each finds no tokens and ends at once.
    store.runs.finish(store.runs.start('ingest', now - 60_000), 'partial', now - 59_000, { funnel: { out_of_tokens: 1 } });
    store.system.setJson('keepa.bucket', { balance: -40, asOfMs: now, refillRate: 5, capacity: 300, nextRefillMs: now + 30_000, figuresAtMs: now, rechargeSinceMs: now - HOUR, tokenFlowReduction: 0, spentByJob: {} }, now);
    const r = buildStatus({ store, config: loadConfig({ env: {} }), nowMs: now, daemonRunning: true });
    expect(r.verdict, r.reasons.join('; ')).toBe('degraded');
    expect(r.reasons.join(' ')).toMatch(/waiting for tokens/);
  });
});
