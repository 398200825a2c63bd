// What a deal's page explains is kept when the deal is saved: every saved deal has its evidence
// (sales agreeing with the stored 1yr. Avg., a history, the live offers including the winning one),
// queue items carry the tokens spent on them, and the janitor's delete takes the evidence along.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPriced, parseEvidence, salesInYear } from '../../src/pipeline/evidence.js';
import { T0 } from '../helpers.js';
import { createHarness, type Harness } from './harness.js';

const HOUR = 3_600_000;
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ refillRate: 60 });
  await h.runUntil(T0 + 2 * HOUR);
}, 120_000);
afterAll(async () => h.close());

describe('deal evidence', () => {
  it('is saved with every deal and agrees with its columns', () => {
    const { store } = h.life;
    const asins = store.db.prepare('SELECT "ASIN" FROM deals').pluck().all().map(String);
    expect(asins.length).toBeGreaterThan(5);
    for (const asin of asins) {
      const stored = store.evidence.find(asin);
      expect(stored, asin).not.toBeNull();
      const ev = parseEvidence(stored?.json ?? '');
      expect(ev, asin).not.toBeNull();
      if (ev === null || stored === null) continue;
      const row = store.deals.find(asin) ?? {};
      expect(stored.salesYear).toBe(salesInYear(ev.sales, ev.analyzedAtMs));
      const year = ev.sales.filter(isPriced).filter((s) => s.atMs > ev.analyzedAtMs - 365 * 24 * HOUR);
      if (typeof row['1yr_Avg'] === 'number') {
        const mean = year.reduce((a, s) => a + s.priceCents, 0) / year.length / 100;
        expect(Math.abs(mean - row['1yr_Avg'])).toBeLessThanOrEqual(0.01);
      }
      expect(ev.offers.some((o) => o.sellerId === row.Seller_ID)).toBe(true);
      expect(ev.usedPrice.length).toBeGreaterThan(1);
      expect(ev.usedPrice.length).toBeLessThanOrEqual(122);
    }
  });

  it('counts tokens on the items that spent them', () => {
    const spent = Number(h.life.store.db.prepare('SELECT SUM(tokens_spent) FROM queue').pluck().get());
    const runs = Number(h.life.store.db.prepare('SELECT SUM(tokens_spent) FROM runs').pluck().get());
    expect(spent).toBeGreaterThan(0);
    // Discovery's pages are spent on no item; everything else is.
    expect(spent).toBeLessThanOrEqual(runs + 1e-6);
    expect(spent).toBeGreaterThan(runs * 0.5);
  });

  it('goes when the janitor deletes its deal', () => {
    const { store } = h.life;
    store.deals.deleteSeenBefore(Number.MAX_SAFE_INTEGER);
    expect(store.db.prepare('SELECT COUNT(*) FROM deal_evidence').pluck().get()).toBe(0);
  });
});
