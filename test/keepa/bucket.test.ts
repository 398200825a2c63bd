import { describe, expect, it } from 'vitest';
import { TokenBudgetError } from '../../src/errors.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import type { TokenFields } from '../../src/keepa/types.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function figures(tokensLeft: number, refillRate: number, refillIn: number, tokensConsumed = 0): TokenFields {
  return { timestamp: T0, tokensLeft, refillIn, refillRate, tokenFlowReduction: 0, tokensConsumed, processingTimeInMs: 1 };
}

function bucketWith(tokensLeft: number, refillRate: number, maxDeficit: number, refillIn = MINUTE): TokenBucket {
  const bucket = new TokenBucket({ maxDeficit });
  bucket.observe(figures(tokensLeft, refillRate, refillIn), T0);
  return bucket;
}

describe('TokenBucket', () => {
  it('a batch that costs more than the bucket can hold is refused, never waited on', () => {
    const bucket = bucketWith(10, 5, 60);
    expect(bucket.ceiling()).toBe(360);
    expect(() => bucket.reserve(361, { job: 'peek', nowMs: T0 })).toThrow(TokenBudgetError);
    expect(() => bucket.waitFor(361, T0)).toThrow(/Split the work into batches of at most 360 tokens/);
    // The dearest possible call is merely a (long, computed) wait.
    expect(bucket.waitFor(360, T0)).toBeGreaterThan(0);
    expect(bucket.waitFor(360, T0)).toBeLessThanOrEqual(60 * MINUTE);
  });

  it('at 5 tokens/min with a 40-token burst a 25-token batch is granted and the next one waits about 5 minutes', () => {
    const bucket = bucketWith(40, 5, 0);
    let now = T0;
    expect(bucket.reserve(25, { job: 'peek', nowMs: now }).granted).toBe(true);
    // 15 left: the second batch needs 10 more, two refills.
    const waits: number[] = [];
    for (let batch = 0; batch < 4; batch += 1) {
      const refused = bucket.reserve(25, { job: 'peek', nowMs: now });
      expect(refused.granted).toBe(false);
      if (refused.granted) return;
      waits.push(refused.waitMs);
      now += refused.waitMs;
      expect(bucket.reserve(25, { job: 'peek', nowMs: now }).granted).toBe(true);
    }
    // After the burst every batch waits exactly the 5 minutes that 25 tokens take at 5/min.
    expect(waits).toEqual([2 * MINUTE, 5 * MINUTE, 5 * MINUTE, 5 * MINUTE]);
  });

  it('uses the deficit Keepa allows while the balance is positive, down to the configured floor', () => {
    const bucket = bucketWith(40, 5, 10);
    expect(bucket.reserve(25, { job: 'a', nowMs: T0 }).granted).toBe(true); // 15
    expect(bucket.reserve(25, { job: 'a', nowMs: T0 }).granted).toBe(true); // -10, at the floor
    const next = bucket.reserve(25, { job: 'a', nowMs: T0 });
    // Positive again and 25 above the floor: 5 refills.
    expect(next).toEqual({ granted: false, waitMs: 5 * MINUTE });
  });

  it('works with fractional balances (54.5, -13.0)', () => {
    const bucket = bucketWith(54.5, 5, 0, 20_000);
    expect(bucket.reserve(54, { job: 'a', nowMs: T0 }).granted).toBe(true);
    expect(bucket.snapshot(T0).balance).toBeCloseTo(0.5);
    expect(bucket.reserve(1, { job: 'a', nowMs: T0 })).toEqual({ granted: false, waitMs: 20_000 });
    expect(bucket.reserve(0.5, { job: 'a', nowMs: T0 }).granted).toBe(true);

    const negative = bucketWith(-13.0, 5, 0, 20_000);
    // -13 -> -8 -> -3 -> 2: three refills, the first in 20 s.
    expect(negative.waitFor(1, T0)).toBe(20_000 + 2 * MINUTE);
    expect(negative.waitFor(2.5, T0)).toBe(20_000 + 3 * MINUTE);
    const restored = new TokenBucket({ maxDeficit: 0 });
    restored.restore(JSON.parse(JSON.stringify(negative.snapshot(T0))), T0);
    expect(restored.snapshot(T0).balance).toBe(-13);
  });

  it('projects whole-minute refills between answers, capped at 60 x refillRate', () => {
    const bucket = bucketWith(290, 5, 0, 30_000);
    expect(bucket.snapshot(T0 + 29_999).balance).toBe(290);
    expect(bucket.snapshot(T0 + 30_000).balance).toBe(295);
    expect(bucket.snapshot(T0 + 10 * MINUTE).balance).toBe(300);
    expect(bucket.capacity()).toBe(300);
  });

  it('needs an initial /token only when it has never seen figures', () => {
    const bucket = new TokenBucket({ maxDeficit: 60 });
    expect(bucket.needsInitialToken()).toBe(true);
    // Blind, it grants (the first answer teaches it) and offers the deficit as a safe size.
    expect(bucket.reserve(5, { job: 'a', nowMs: T0 }).granted).toBe(true);
    expect(bucket.grantableNow(T0)).toBe(60);
    bucket.observe(figures(100, 5, MINUTE), T0);
    expect(bucket.needsInitialToken()).toBe(false);
  });

  it('learns from 429 bodies and refusals, and records time in recharge', () => {
    const bucket = bucketWith(100, 5, 0);
    expect(bucket.snapshot(T0).rechargeSinceMs).toBeNull();
    bucket.observe(figures(-5, 5, 30_000), T0 + 1000);
    expect(bucket.snapshot(T0 + 1000).rechargeSinceMs).toBe(T0 + 1000);
    expect(bucket.reserve(5, { job: 'a', nowMs: T0 + 2000 }).granted).toBe(false);
    expect(bucket.snapshot(T0 + 2000).rechargeSinceMs).toBe(T0 + 1000);
    const later = T0 + 1000 + 30_000 + 2 * MINUTE;
    expect(bucket.reserve(5, { job: 'a', nowMs: later }).granted).toBe(true);
    expect(bucket.snapshot(later).rechargeSinceMs).toBeNull();

    // A 429 whose figures still show tokens: the next grant waits for a refill, not a tight loop.
    const odd = bucketWith(3, 5, 0, 40_000);
    odd.refused(T0);
    expect(odd.waitFor(1, T0)).toBe(40_000);
  });

  it('books what Keepa consumed per job and keeps in-flight debits across answers', () => {
    const bucket = bucketWith(100, 5, 0);
    const first = bucket.reserve(30, { job: 'peek', nowMs: T0 });
    const second = bucket.reserve(20, { job: 'enrich', nowMs: T0 });
    if (!first.granted || !second.granted) throw new Error('expected grants');
    // Keepa answered the first call (charged 24); the second is still in flight.
    bucket.settle(first.ticket, figures(76, 5, MINUTE, 24), T0 + 100);
    expect(bucket.snapshot(T0 + 100).balance).toBe(56);
    bucket.settle(second.ticket, figures(60, 5, MINUTE, 16), T0 + 200);
    expect(bucket.snapshot(T0 + 200)).toMatchObject({ balance: 60, spentByJob: { peek: 24, enrich: 16 } });
  });

  it('restores a saved state so that a restart does not start blind', () => {
    const bucket = bucketWith(20, 5, 0, 10_000);
    const granted = bucket.reserve(10, { job: 'peek', nowMs: T0 });
    if (!granted.granted) throw new Error('expected a grant');
    bucket.settle(granted.ticket, figures(10, 5, 10_000, 10), T0);
    bucket.reserve(50, { job: 'peek', nowMs: T0 }); // refused: recharge starts
    const saved = JSON.parse(JSON.stringify(bucket.snapshot(T0)));

    const restarted = new TokenBucket({ maxDeficit: 0 });
    restarted.restore(saved, T0 + 10_000 + 3 * MINUTE);
    expect(restarted.needsInitialToken()).toBe(false);
    expect(restarted.snapshot(T0 + 10_000 + 3 * MINUTE)).toMatchObject({
      balance: 30,
      refillRate: 5,
      capacity: 300,
      rechargeSinceMs: T0,
      spentByJob: { peek: 10 },
    });
  });

  it('never believes an impossible figure, and never restores a state older than its evidence', () => {
    const bucket = bucketWith(100, 5, 0);
    expect(bucket.observe(figures(-1e9, 5, MINUTE), T0 + 1000)).toMatch(/tokensLeft -1000000000/);
    expect(bucket.observe(figures(50, 0, MINUTE), T0 + 2000)).toBeNull(); // the same episode: logged once
    expect(bucket.waitFor(10, T0 + 2000)).toBe(0);
    expect(bucket.observe(figures(80, 5, MINUTE), T0 + 3000)).toBeNull();
    expect(bucket.snapshot(T0 + 3000).balance).toBe(80);
    expect(bucket.observe(figures(1e6, 5, MINUTE), T0 + 4000)).toMatch(/more than an hour of refill/);

    const saved = JSON.parse(JSON.stringify(bucket.snapshot(T0 + 4000)));
    expect(new TokenBucket({ maxDeficit: 0 }).restore({ ...saved, balance: -1e9 }, T0 + 5000)).toMatch(/deficit of more than a day/);
    expect(new TokenBucket({ maxDeficit: 0 }).restore({ ...saved, refillRate: 0 }, T0 + 5000)).toMatch(/refillRate 0/);
    expect(new TokenBucket({ maxDeficit: 0 }).restore(saved, T0 + 2 * 60 * MINUTE)).toMatch(/more than an hour old/);
    expect(new TokenBucket({ maxDeficit: 0 }).restore(saved, T0 - 60 * MINUTE)).toMatch(/in the future/);
    const restored = new TokenBucket({ maxDeficit: 0 });
    expect(restored.restore(saved, T0 + 5000)).toBeNull();
    // Keepa's clock, from the answers' timestamp, for status.
    bucket.observe({ ...figures(80, 5, MINUTE), timestamp: T0 + 20 * MINUTE }, T0 + 5000);
    expect(bucket.snapshot(T0 + 5000).clockSkewMs).toBe(20 * MINUTE - 5000);
    expect(restored.needsInitialToken()).toBe(false);
  });
});
