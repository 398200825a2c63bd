// Where the tokens go, on the virtual clock: the value order, deferred seller lookups, the deficit
// floor, the discovery plan on a large plan, the backlog report, and peeks beside a peeked backlog.
import { describe, expect, it } from 'vitest';
import { backlogOf } from '../../src/backlog.js';
import { OFFER_PAGE_TOKENS } from '../../src/keepa/cost.js';
import type { BucketSnapshot } from '../../src/keepa/savedBucket.js';
import { isVisible } from '../../src/pipeline/analytics/index.js';
import type { PipelineDeps } from '../../src/pipeline/context.js';
import { peekFirst } from '../../src/pipeline/peek.js';
import { refreshAllowed } from '../../src/pipeline/refresh.js';
import { candidateValue, workableSince } from '../../src/pipeline/value.js';
import { DEFAULT_BUSINESS } from '../../src/settings.js';
import type { Run } from '../../src/state/runs.js';
import { memoryStore, T0 } from '../helpers.js';
import { createHarness, type Harness } from './harness.js';

const HOUR = 3_600_000;

/** A funnel key summed over every ingest run of the harness. */
function ingestTotal(h: Harness, key: string): number {
  return h.life.store.runs
    .recentRuns(100_000)
    .filter((r) => r.job === 'ingest')
    .reduce((a, r) => a + (r.funnel[key] ?? 0), 0);
}

/** The seller ids the /seller calls asked for, in order. */
function sellersAsked(h: Harness): string[] {
  return h.sim.ledger.entries('/seller').flatMap((e) => (e.params.seller ?? '').split(','));
}

describe('the value order', () => {
  const value = (appearedAtMs: number, buyCents: number, tokens: number) => candidateValue({ buyCents, sellCents: 6_000, salesPerYear: 24, appearedAtMs, tokens }, DEFAULT_BUSINESS, T0);

  it('a backlog does not starve new deals: a fresh deal outranks 500 older ones of the same promise', () => {
    const store = memoryStore();
    for (let i = 0; i < 500; i++) {
      store.queue.offer({ asin: `OLD${i}`, lastUpdateKm: 1, priority: value(T0 - 10 * HOUR - i * 60_000, 2_500, 8).key, dealJson: null }, T0);
    }
    store.queue.offer({ asin: 'FRESH', lastUpdateKm: 1, priority: value(T0 - 5 * 60_000, 2_500, 8).key, dealJson: null }, T0);
    expect(store.queue.due('queued', 1, T0).map((i) => i.asin)).toEqual(['FRESH']);
  });

  it('an older deal still wins when it promises enough more per token, and the key orders as the value does at any time', () => {
    const older = value(T0 - HOUR, 2_000, 8);
    const newer = value(T0, 3_000, 8);
    expect(older.value).toBeGreaterThan(newer.value);
    expect(older.key).toBeGreaterThan(newer.key);
    // Cheaper to finish is worth more per token.
    expect(value(T0, 2_500, 4).value).toBeCloseTo(2 * value(T0, 2_500, 8).value, 10);
    expect(value(T0 - 2 * HOUR, 2_500, 8).survival).toBeCloseTo(Math.exp(-1), 10);
  });

  it('a candidate passed over for an hour gets only spare tokens: fresher work first while the bucket is low, the stale after', () => {
    const store = memoryStore();
    store.queue.offer({ asin: 'STALE', lastUpdateKm: 1, priority: value(T0 - 2 * HOUR, 1_500, 8).key, dealJson: null }, T0 - 2 * HOUR);
    store.queue.offer({ asin: 'FRESH', lastUpdateKm: 1, priority: value(T0 - 10 * 60_000, 3_000, 8).key, dealJson: null }, T0 - 10 * 60_000);
    const bucket = (balance: number) => ({ snapshot: () => ({ balance, capacity: 1_200 }) as BucketSnapshot });
    // Its value is still the higher: the rule, not the order, keeps it waiting.
    expect(store.queue.due('queued', 2, T0).map((i) => i.asin)).toEqual(['STALE', 'FRESH']);
    expect(store.queue.due('queued', 2, T0, workableSince(bucket(100), T0)).map((i) => i.asin)).toEqual(['FRESH']);
    expect(store.queue.due('queued', 2, T0, workableSince(bucket(600), T0)).map((i) => i.asin)).toEqual(['STALE', 'FRESH']);
  });

  it('a waiting candidate whose price fell again is new work, not a stale backlog; one Keepa only re-read stays stale', () => {
    const store = memoryStore();
    const bucket = { snapshot: () => ({ balance: 100, capacity: 1_200 }) as BucketSnapshot };
    for (const asin of ['FELL', 'REREAD']) store.queue.offer({ asin, lastUpdateKm: 1, priority: value(T0 - 2 * HOUR, 2_500, 8).key, dealJson: null, appearedAtMs: T0 - 2 * HOUR }, T0 - 2 * HOUR);
    expect(store.queue.offer({ asin: 'FELL', lastUpdateKm: 2, priority: value(T0 - 5 * 60_000, 2_000, 8).key, dealJson: null, appearedAtMs: T0 - 5 * 60_000 }, T0)).toBe('updated');
    expect(store.queue.offer({ asin: 'REREAD', lastUpdateKm: 2, priority: value(T0 - 2 * HOUR, 2_500, 8).key, dealJson: null, appearedAtMs: T0 - 2 * HOUR }, T0)).toBe('updated');
    expect(store.queue.due('queued', 2, T0, workableSince(bucket, T0)).map((i) => i.asin)).toEqual(['FELL']);
    expect(store.queue.get('FELL')?.queuedAt).toBe(T0 - 5 * 60_000);
  });
});

describe('refresh beside new deals', () => {
  const deps = (refreshShare: number, spentByJob: Record<string, number>) => ({ config: { pipeline: { refreshShare } }, keepa: { bucket: { snapshot: () => ({ spentByJob }) } } }) as unknown as PipelineDeps;

  it('with refreshShare 1, refresh still leaves new deals half the tokens while they wait, and has all of them otherwise', () => {
    expect(refreshAllowed(deps(1, { refresh: 40, enrich: 60 }), T0, true)).toBe(true);
    expect(refreshAllowed(deps(1, { refresh: 60, enrich: 40 }), T0, true)).toBe(false);
    expect(refreshAllowed(deps(1, { refresh: 60, enrich: 40 }), T0, false)).toBe(true);
    expect(refreshAllowed(deps(0.2, { refresh: 25, enrich: 75 }), T0, true)).toBe(false);
  });
});

describe('the backlog report', () => {
  const run = (startedAt: number, funnel: Record<string, number>): Run => ({ id: startedAt, job: 'ingest', startedAt, endedAt: startedAt, outcome: 'ok', funnel, tokensSpent: 0, chunks: 1, lastCommitAt: startedAt, error: null });

  it('a growing queue is reported in a sentence: how many wait, arrive and are analysed an hour, and what expired', () => {
    const now = T0 + 24 * HOUR;
    const runs = Array.from({ length: 24 }, (_, h) => run(T0 + h * HOUR, { queued: 100, peeked: 15, prefiltered: 5, expired: 10, tokens_discover: 10, tokens_peek: 15, tokens_enrich: 75 }));
    const backlog = backlogOf(runs, 400, now, 72);
    expect(backlog).toMatchObject({ growing: true, arrivingPerHour: 100, analysedPerHour: 20, expiredLastDay: 240 });
    expect(backlog.discoveryShare).toBeCloseTo(0.1, 10);
    expect(backlog.sentence).toBe('The queue grows: 400 candidates wait, 100 arrive an hour and the plan analyses 20 an hour; the least valuable expire after 72 h. 240 expired in the last 24 h (a candidate waits at most 72 h).');
    expect(
      backlogOf(
        runs.map((r) => ({ ...r, funnel: { queued: 10, peeked: 20 } })),
        5,
        now,
        72,
      ).growing,
    ).toBe(false);
  });
});

describe('tokens on the virtual clock', () => {
  it('a seller lookup that cannot be made is deferred and filled later; the balance never falls below the floor by more than one estimate', async () => {
    // Keepa refuses every seller lookup for the first 4 hours.
    const h = await createHarness({ refillRate: 5, sim: { faults: [{ kind: 'rateLimit', path: '/seller', fromMs: T0, untilMs: T0 + 4 * HOUR }] } });
    try {
      await h.runUntil(T0 + 10 * HOUR);
      expect(ingestTotal(h, 'seller_deferred')).toBeGreaterThan(0);
      expect(ingestTotal(h, 'seller_filled')).toBeGreaterThan(0);
      const rows = h.life.store.db.prepare('SELECT * FROM deals').all() as Record<string, number | string | null>[];
      const visible = rows.filter((r) => isVisible(r, h.config.peek.minSalesPerYear) && r.Seller_ID !== null);
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.filter((r) => r.Seller === null)).toEqual([]);
      const lowest = Math.min(...h.sim.ledger.entries().map((e) => e.tokensLeft));
      expect(lowest).toBeGreaterThanOrEqual(-h.config.pipeline.maxDeficit - OFFER_PAGE_TOKENS);
    } finally {
      await h.close();
    }
  }, 120_000);

  it('a seller is paid for only when its deal is saved: none for deals the analysis rejects', async () => {
    const h = await createHarness({ refillRate: 20, sim: { dealsPerHour: 60 } });
    try {
      await h.runUntil(T0 + 3 * HOUR);
      expect(ingestTotal(h, 'enriched') - ingestTotal(h, 'saved')).toBeGreaterThan(0);
      const asked = new Set(sellersAsked(h));
      const savedSellers = new Set((h.life.store.db.prepare('SELECT "Seller_ID" FROM deals').pluck().all() as (string | null)[]).filter((id) => id !== null));
      expect(asked.size).toBeGreaterThan(0);
      expect([...asked].filter((id) => !savedSellers.has(id))).toEqual([]);
    } finally {
      await h.close();
    }
  }, 120_000);

  it('a seller is paid for once in sellerCacheDays, however many deals it wins', async () => {
    const h = await createHarness({ refillRate: 20, sim: { dealsPerHour: 120 } });
    try {
      await h.runUntil(T0 + 4 * HOUR);
      const asked = sellersAsked(h);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.length).toBe(new Set(asked).size);
      expect(ingestTotal(h, 'seller_cached')).toBeGreaterThan(0);
      const rows = h.life.store.db.prepare('SELECT "Seller_ID", "Seller" FROM deals WHERE "Seller_ID" IS NOT NULL').all() as { Seller_ID: string; Seller: string | null }[];
      expect(rows.filter((r) => r.Seller === null)).toEqual([]);
    } finally {
      await h.close();
    }
  }, 120_000);

  it('a large plan looks at the deal list every few minutes, not every half hour', async () => {
    const h = await createHarness({ refillRate: 300, everyMinutes: 2 });
    try {
      await h.runUntil(T0 + HOUR);
      const looks = h.sim.ledger.entries('/deal').filter((e) => e.status === 200 && JSON.parse(e.params.selection ?? '{}').page === 0);
      expect(looks.length).toBeGreaterThanOrEqual(15);
    } finally {
      await h.close();
    }
  }, 120_000);
});

describe('peek beside a peeked backlog', () => {
  const deps = (store: ReturnType<typeof memoryStore>) => ({ store, keepa: { bucket: { snapshot: () => ({ balance: 1_000, capacity: 1_200 }) } } }) as unknown as PipelineDeps;
  const older = candidateValue({ buyCents: 2_500, sellCents: 6_000, salesPerYear: 24, appearedAtMs: T0 - 6 * HOUR, tokens: 8 }, DEFAULT_BUSINESS, T0);
  const fresher = candidateValue({ buyCents: 2_500, sellCents: 6_000, salesPerYear: 24, appearedAtMs: T0 - 5 * 60_000, tokens: 9 }, DEFAULT_BUSINESS, T0);

  it('a new deal waiting for its peek goes before a backlog waiting for its heavy fetch, and an older one after it', () => {
    const store = memoryStore();
    for (let i = 0; i < 50; i++) {
      store.queue.offer({ asin: `OLD${i}`, lastUpdateKm: 1, priority: older.key, dealJson: null }, T0);
      store.queue.advance(`OLD${i}`, 'peeked', T0);
    }
    store.queue.offer({ asin: 'NEW', lastUpdateKm: 1, priority: fresher.key, dealJson: null }, T0);
    expect(peekFirst(deps(store), T0)).toBe(true);
    store.queue.advance('NEW', 'peeked', T0);
    store.queue.offer({ asin: 'STALER', lastUpdateKm: 1, priority: older.key - 1, dealJson: null }, T0);
    expect(peekFirst(deps(store), T0)).toBe(false);
  });

  it('new deals are worked within minutes while 200 older candidates wait for their heavy fetch', async () => {
    const h = await createHarness({ refillRate: 20, sim: { initialTokens: 0, dealsPerHour: 60 } });
    try {
      const { store } = h.life;
      const backlog = h.sim.catalog.asins().slice(0, 200);
      for (const asin of backlog) {
        store.queue.offer({ asin, lastUpdateKm: 1, priority: older.key, dealJson: null }, T0);
        store.queue.advance(asin, 'peeked', T0);
      }
      await h.runUntil(T0 + 30 * 60_000);
      const calls = h.sim.ledger.entries('/product').filter((e) => e.status === 200);
      const firstNew = calls.find((e) => e.asins.some((a) => !backlog.includes(a)));
      // The heavy fetches of the backlog take 9 tokens each: 20/min cannot finish them in 30 minutes.
      expect(store.queue.depthByStage().peeked).toBeGreaterThan(100);
      expect(firstNew?.atMs).toBeLessThan(T0 + 10 * 60_000);
    } finally {
      await h.close();
    }
  }, 60_000);
});
