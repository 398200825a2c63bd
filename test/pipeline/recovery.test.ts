// Crashes, faults and a locked database: nothing committed is lost, nothing paid for and
// committed is fetched again, and failed chunks are retried rather than dropped.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/config.js';
import { columnsFromHeaders } from '../../src/state/columns.js';
import { BUSY_TIMEOUT_MS } from '../../src/state/db.js';
import { projectColumns } from '../helpers.js';
import { createHarness, type Life } from './harness.js';

const HOUR = 3_600_000;
const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'kd-recovery-')), 'deals.db');
const savedAsins = (life: Life): Set<string> => new Set(life.store.db.prepare('SELECT "ASIN" FROM deals WHERE analyzed_at IS NOT NULL').pluck().all().map(String));

/** Resolves once the simulator has answered `calls` more requests or `done` settles; polls between event-loop turns. */
async function afterCalls(sim: { ledger: { entries(): readonly unknown[] } }, calls: number, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const target = sim.ledger.entries().length + calls;
  while (!finished && sim.ledger.entries().length < target) await new Promise((r) => setImmediate(r));
}

describe('kill at random points, then restart (zombie lock, lost progress)', () => {
  it('keeps every committed deal, never heavy-fetches a committed ASIN again, and the queue resumes', async () => {
    const h = await createHarness({ refillRate: 20, dbPath: tempDb() });
    let random = 42;
    const next = (n: number): number => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random % n;
    };
    try {
      await h.runUntil(h.clock.now() + 2 * HOUR);
      for (let kill = 0; kill < 8; kill++) {
        const life = h.life;
        const run = life.scheduler.trigger('ingest');
        await afterCalls(h.sim, 1 + next(6), run);
        // Abandon the process: its run stops at the next await and nothing after it commits.
        void life.scheduler.stop(0);
        await run;
        const committed = savedAsins(life);
        const killedAt = h.sim.ledger.entries().length;
        const restarted = h.restart();
        await h.runUntil(h.clock.now() + HOUR);
        expect([...committed].filter((a) => !savedAsins(restarted).has(a))).toEqual([]);
        const refetched = h.sim.ledger
          .entries('/product')
          .filter((e) => e.seq > killedAt && e.params.history !== '0')
          .flatMap((e) => e.asins)
          .filter((a) => committed.has(a));
        expect(refetched).toEqual([]);
        expect(restarted.store.leases.all()).toEqual([]);
      }
      const before = savedAsins(h.life).size;
      await h.runUntil(h.clock.now() + 6 * HOUR);
      expect(savedAsins(h.life).size).toBeGreaterThan(before);
      // Each restart resumed with the saved token figures instead of asking /token again.
      expect(h.sim.ledger.entries('/token').length).toBeLessThanOrEqual(1);
    } finally {
      await h.close();
    }
  }, 120_000);
});

describe('faults on one chunk (swallowed 429, lost progress)', () => {
  it('a 429 storm and a run of 5xx leave the items queued; they are processed later, not lost', async () => {
    const h = await createHarness({ refillRate: 20, pipeline: { maxTokenWaitSeconds: 0 } });
    try {
      await h.life.scheduler.trigger('ingest');
      h.sim.faults.add({ kind: 'rateLimit', path: '/product', count: 3, tokensLeft: -5 });
      h.sim.faults.add({ kind: 'serverError', path: '/product', count: 4 });
      h.clock.advance(HOUR);
      const { store } = h.life;
      store.system.setJson('ingest.scan', { lastStartedAt: 0 }, h.clock.now());
      await h.life.scheduler.trigger('ingest');
      const waiting = store.queue.depthByStage();
      expect(waiting.parked).toBe(0);
      await h.runUntil(h.clock.now() + 6 * HOUR);
      const after = store.queue.depthByStage();
      expect(after.queued + after.peeked).toBe(0);
      expect(after.parked).toBe(0);
      expect(store.deals.count()).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  }, 60_000);

  it("an item that keeps failing (a proxy's HTML error page) is parked with its reason, not retried forever", async () => {
    const h = await createHarness({ refillRate: 20, pipeline: { maxAttempts: 2 } });
    try {
      h.sim.faults.add({ kind: 'htmlBody', path: '/product' });
      await h.runUntil(h.clock.now() + 12 * HOUR);
      const { store } = h.life;
      // A proxy's page is a 502 or an unreadable 200, depending on the proxy: either way a reason.
      expect(Object.keys(store.queue.parkedByReason())).toEqual([expect.stringMatching(/^(bad_response|http_502)$/)]);
      expect(store.queue.depthByStage().parked).toBeGreaterThan(0);
      const run = store.runs.recentRuns(500).find((r) => r.funnel.failed);
      expect(run?.funnel.failed).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe('database is locked', () => {
  it('another connection holding the write lock for 10 s: the wait is bounded, the run retried by the next tick, no chunk lost', async () => {
    const dbPath = tempDb();
    const h = await createHarness({ refillRate: 20, dbPath });
    try {
      await h.runUntil(h.clock.now() + HOUR);
      const before = h.life.store.deals.count();
      h.clock.advance(HOUR);
      h.life.store.system.setJson('ingest.scan', { lastStartedAt: 0 }, h.clock.now());
      const holder = spawn(process.execPath, [
        '-e',
        `
        const Database = require(${JSON.stringify(resolve(PROJECT_DIR, 'node_modules/better-sqlite3'))});
        const db = new Database(${JSON.stringify(dbPath)});
        db.exec('BEGIN IMMEDIATE');
        process.stdout.write('locked\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10000);
        db.exec('COMMIT');
      `,
      ]);
      const exited = new Promise((r) => holder.once('exit', r));
      await new Promise<void>((r) => holder.stdout.once('data', () => r()));
      const started = Date.now();
      const run = await h.life.scheduler.trigger('ingest');
      // The process waits at most the busy timeout (its status server and SIGTERM wait with it),
      // then this run gives up and the next tick tries again.
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS);
      expect(waited).toBeLessThan(10_000);
      expect(run === null || run.outcome === 'failed').toBe(true);
      await exited;
      const failedBefore = h.life.store.runs.recentRuns(1000).filter((r) => r.outcome === 'failed').length;
      await h.runUntil(h.clock.now() + 2 * HOUR);
      expect(h.life.store.deals.count()).toBeGreaterThan(before);
      expect(h.life.store.runs.recentRuns(1000).filter((r) => r.outcome === 'failed')).toHaveLength(failedBefore);
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe('schema drift', () => {
  it('a header added to headers.json while stopped: the next start saves rows with it', async () => {
    const dbPath = tempDb();
    const full = projectColumns();
    const without = columnsFromHeaders(full.filter((c) => c.name !== 'Deal_Trust').map((c) => c.header));
    const h = await createHarness({ refillRate: 20, dbPath, columns: without });
    try {
      await h.runUntil(h.clock.now() + 2 * HOUR);
      const restarted = h.restart({ columns: full });
      expect(restarted.store.columnsAdded).toEqual(['Deal_Trust']);
      await h.runUntil(h.clock.now() + 12 * HOUR);
      const withTrust = Number(restarted.store.db.prepare('SELECT COUNT(*) FROM deals WHERE "Deal_Trust" IS NOT NULL').pluck().get());
      expect(withTrust).toBeGreaterThan(0);
      expect(restarted.store.runs.recentRuns(1000).filter((r) => r.outcome === 'failed')).toEqual([]);
    } finally {
      await h.close();
    }
  }, 60_000);
});
