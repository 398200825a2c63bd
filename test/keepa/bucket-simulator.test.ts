// The token bucket and client against the simulator's token accounting, for the token failures
// of the old system: wait-for-the-impossible, livelock at low refill, token drain, deficit shock,
// swallowed 429.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { RateLimitedError, TokenBudgetError } from '../../src/errors.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { KeepaClient } from '../../src/keepa/client.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { lineSink, T0 } from '../helpers.js';

const KEY = 'bucketkey000000000000000000000000000000000000000000000000000000';
const MINUTE = 60_000;

async function setup(sim: Partial<SimulatorOptions>, maxDeficit = 0, log = silentLogger()) {
  const clock = new VirtualClock(T0);
  const simulator: Simulator = await createSimulator({ seed: 3, clock, apiKey: KEY, catalogSize: 300, ...sim });
  const bucket = new TokenBucket({ maxDeficit });
  const keepa = new KeepaClient({ baseUrl: simulator.url, apiKey: KEY, bucket, clock, log, random: () => 0.5 });
  return { clock, simulator, bucket, keepa, asins: simulator.catalog.asins() };
}

describe('token bucket against the simulator', () => {
  it('a batch that costs more than the bucket can hold is refused, never waited on (wait-for-the-impossible)', async () => {
    const { simulator, keepa, asins, clock } = await setup({ refillRate: 5, maxTokens: 40, initialTokens: 40 });
    try {
      await keepa.token();
      const start = clock.now();
      await expect(keepa.products(asins.slice(0, 100), { offers: 20 }, { maxWaitMs: 24 * 60 * MINUTE })).rejects.toBeInstanceOf(TokenBudgetError);
      expect(clock.now()).toBe(start);
      expect(simulator.ledger.entries('/product')).toHaveLength(0);
    } finally {
      await simulator.close();
    }
  });

  it('at 5 tokens/min with a 40-token burst a 25-token batch is granted and the next waits about 5 minutes, with no /token calls while waiting (livelock, token drain)', async () => {
    const { simulator, keepa, asins, clock } = await setup({ refillRate: 5, maxTokens: 300, initialTokens: 40 });
    try {
      const start = clock.now();
      await keepa.products(asins.slice(0, 25), { history: false }, { maxWaitMs: 0 });
      expect(clock.now()).toBe(start);
      await keepa.products(asins.slice(25, 50), { history: false }, { maxWaitMs: 10 * MINUTE });
      // 15 tokens were left: two refills (the first is less than a minute away) cover the next 25.
      const waited = clock.now() - start;
      expect(waited).toBeGreaterThan(1 * MINUTE);
      expect(waited).toBeLessThanOrEqual(2 * MINUTE + 5_000);
      await keepa.products(asins.slice(50, 75), { history: false }, { maxWaitMs: 10 * MINUTE });
      const secondWait = clock.now() - start - waited;
      expect(secondWait).toBeGreaterThanOrEqual(4 * MINUTE);
      expect(secondWait).toBeLessThanOrEqual(6 * MINUTE);
      expect(simulator.ledger.entries('/token').length).toBeLessThanOrEqual(1);
      expect(simulator.ledger.summary().rateLimited).toBe(0);
    } finally {
      await simulator.close();
    }
  });

  it('a burst of 50 peeks with offers starting at +150 never drives the balance below the deficit floor (deficit shock)', async () => {
    const floor = 30;
    const { simulator, keepa, asins } = await setup({ refillRate: 20, maxTokens: 1200, initialTokens: 150 }, floor);
    try {
      for (let i = 0; i < 50; i += 5) {
        await keepa.products(asins.slice(i, i + 5), { offers: 20, history: false }, { maxWaitMs: 60 * MINUTE });
      }
      // Books differ in their offers, so a batch may be dearer than every one before it: the floor
      // holds within one call's estimation error (here one more page of offers, 6 tokens).
      expect(simulator.ledger.summary().minTokensLeft).toBeGreaterThanOrEqual(-floor - 6);
      expect(simulator.ledger.summary().rateLimited).toBe(0);
    } finally {
      await simulator.close();
    }
  });

  it('a 429 with tokensLeft -5 on the deal list leads to a wait and a retry, reported as a rate limit, never as "no new deals" (swallowed 429)', async () => {
    const { simulator, keepa, clock } = await setup({ refillRate: 5 });
    try {
      await keepa.token();
      simulator.faults.add({ kind: 'rateLimit', path: '/deal', count: 1, tokensLeft: -5 });
      await expect(keepa.deals({ priceTypes: [2] }, 0, { maxWaitMs: 0 })).rejects.toBeInstanceOf(RateLimitedError);
      simulator.faults.add({ kind: 'rateLimit', path: '/deal', count: 1, tokensLeft: -5 });
      const start = clock.now();
      const page = await keepa.deals({ priceTypes: [2] }, 0, { maxWaitMs: 10 * MINUTE });
      expect(page.dr.length).toBeGreaterThan(0);
      expect(clock.now() - start).toBeGreaterThan(0);
      expect(simulator.ledger.entries('/deal').map((e) => e.status)).toEqual([429, 429, 200]);
    } finally {
      await simulator.close();
    }
  });

  it('a refill rate learned from a product response is used even when /token fails at start', async () => {
    const { simulator, keepa, bucket, asins, clock } = await setup({ refillRate: 7 });
    try {
      simulator.faults.add({ kind: 'serverError', path: '/token' });
      await keepa.products(asins.slice(0, 2), { history: false });
      expect(bucket.snapshot(clock.now()).refillRate).toBe(7);
      expect(bucket.capacity()).toBe(420);
    } finally {
      await simulator.close();
    }
  });

  it('fractional balances (54.5, -13.0) are mirrored and waited on correctly', async () => {
    const { simulator, keepa, bucket, asins, clock } = await setup({ refillRate: 5 });
    try {
      simulator.tokens.setBalance(54.5);
      await keepa.products(asins.slice(0, 1), { history: false });
      expect(bucket.snapshot(clock.now()).balance).toBe(53.5);
      simulator.tokens.setBalance(-13);
      const start = clock.now();
      await keepa.products(asins.slice(1, 2), { history: false }, { maxWaitMs: 10 * MINUTE });
      // The 429 teaches -13; at 5 a minute the balance is positive after three refills.
      expect(simulator.ledger.entries('/product').map((e) => e.status)).toEqual([200, 429, 200]);
      expect(clock.now() - start).toBeGreaterThan(2 * MINUTE);
      expect(clock.now() - start).toBeLessThanOrEqual(3 * MINUTE + 5_000);
    } finally {
      await simulator.close();
    }
  });

  it('the key never appears in a log line, even with debug logging and failing calls', async () => {
    const { lines, stream } = lineSink();
    const log = createLogger({ level: 'debug', format: 'json', stream });
    const { simulator, keepa, asins } = await setup({ refillRate: 20 }, 0, log);
    try {
      simulator.faults.add({ kind: 'serverError', path: '/product', count: 2 });
      await keepa.products(asins.slice(0, 3), { offers: 20 });
      simulator.faults.add({ kind: 'htmlBody', path: '/deal', count: 1 });
      await expect(keepa.deals({ priceTypes: [2] }, 0)).rejects.toThrow();
      expect(lines.length).toBeGreaterThan(3);
      expect(lines.join('\n')).not.toContain(KEY);
    } finally {
      await simulator.close();
    }
  });
});
