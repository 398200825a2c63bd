// The ingest pipeline against the simulator on a virtual clock. Each test is named after the
// failure of the old system it prevents (docs/design.md).
import { describe, expect, it } from 'vitest';
import { DISCOVERY_SHARE } from '../../src/pipeline/discoveryPlan.js';
import { createHarness } from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** /product calls that fetched history: the heavy, analysed fetch. */
const heavyFetches = (entries: readonly { params: Record<string, string>; asins: string[]; status: number }[]): string[] => entries.filter((e) => e.status === 200 && e.params.history !== '0').flatMap((e) => e.asins);

describe('ingest: a week at 5 tokens/min (livelock at low refill, token drain, lost progress)', () => {
  it('saves deals every day, keeps the watermark moving, fetches no ASIN twice and spends little on overhead', async () => {
    const h = await createHarness({ refillRate: 5 });
    try {
      const savedPerDay: number[] = [];
      let lastWatermark = -1;
      let lastMoveAt = h.clock.now();
      let longestStall = 0;
      // A deal the janitor removed (not in Keepa's list for 72 h) and that comes back is analysed anew.
      const cleanedUp = new Set<string>();
      let present = new Set<string>();
      for (let day = 0; day < 7; day++) {
        const dayStart = h.clock.now();
        await h.runUntil(h.clock.now() + DAY, (life) => {
          const w = life.store.watermark.current();
          if (w !== null && w.lastUpdateKm !== lastWatermark) {
            lastWatermark = w.lastUpdateKm;
            lastMoveAt = h.clock.now();
          }
          longestStall = Math.max(longestStall, h.clock.now() - lastMoveAt);
          const now = new Set(life.store.db.prepare('SELECT "ASIN" FROM deals').pluck().all().map(String));
          for (const asin of present) if (!now.has(asin)) cleanedUp.add(asin);
          present = now;
        });
        const runs = h.life.store.runs.recentRuns(100_000).filter((r) => r.job === 'ingest' && r.startedAt >= dayStart);
        savedPerDay.push(runs.reduce((a, r) => a + (r.funnel.saved ?? 0), 0));
      }
      const ledger = h.sim.ledger;
      const heavy = heavyFetches(ledger.entries('/product'));
      const spent = h.life.keepa.bucket.snapshot(h.clock.now()).spentByJob;
      const total = Object.values(spent).reduce((a, b) => a + b, 0);
      const overhead =
        (spent.token ?? 0) +
        ledger
          .entries('/product')
          .filter((e) => e.status !== 200)
          .reduce((a, e) => a + e.tokensConsumed, 0);

      expect(
        savedPerDay.every((n) => n > 0),
        `saved per day: ${savedPerDay.join(', ')}`,
      ).toBe(true);
      expect(longestStall).toBeLessThanOrEqual(HOUR);
      const repeats = heavy.filter((asin, i) => heavy.indexOf(asin) !== i && !cleanedUp.has(asin));
      expect(repeats).toEqual([]);
      expect(heavy.length).toBeGreaterThan(100);
      expect(ledger.entries('/token').length).toBeLessThanOrEqual(1);
      expect(overhead / total).toBeLessThan(0.05);
      // Looking at the deal list stays within discovery's planned share of the week's refill.
      expect((spent.discover ?? 0) / (7 * 24 * 60 * 5)).toBeLessThanOrEqual(DISCOVERY_SHARE);
      expect(ledger.summary().rateLimited).toBe(0);
    } finally {
      await h.close();
    }
  }, 120_000);
});
