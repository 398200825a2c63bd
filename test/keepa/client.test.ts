import { gzipSync } from 'node:zlib';
import { errors, type Interceptable, MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { BadResponseError, KeepaHttpError, NetworkError, RateLimitedError, TokenBudgetError } from '../../src/errors.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { KeepaClient, type KeepaClientOptions } from '../../src/keepa/client.js';
import { type CallShape, CostModel, type ProductShape } from '../../src/keepa/cost.js';
import { createLogger } from '../../src/log.js';
import { lineSink } from '../helpers.js';

const ORIGIN = 'https://api.keepa.test';
const KEY = 'k3epaSecretKey0123456789abcdefXYZ';
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

/** Keepa's token rules in a few lines: refills on the minute, runs while positive, else 429. */
class FakeKeepa {
  minBalance: number;
  private refilledMinutes = 0;

  constructor(
    private readonly clock: VirtualClock,
    public balance: number,
    private readonly rate: number,
  ) {
    this.minBalance = balance;
  }

  charge(cost: number, body: object): { statusCode: number; data: string } {
    this.refill();
    if (cost > 0 && this.balance <= 0) return { statusCode: 429, data: JSON.stringify(this.fields(0)) };
    this.balance -= cost;
    this.minBalance = Math.min(this.minBalance, this.balance);
    return { statusCode: 200, data: JSON.stringify({ ...this.fields(cost), ...body }) };
  }

  fields(tokensConsumed: number): object {
    this.refill();
    const intoMinute = (this.clock.now() - T0) % MINUTE;
    return { timestamp: this.clock.now(), tokensLeft: this.balance, refillIn: MINUTE - intoMinute, refillRate: this.rate, tokenFlowReduction: 0, tokensConsumed, processingTimeInMs: 3 };
  }

  private refill(): void {
    const minutes = Math.floor((this.clock.now() - T0) / MINUTE);
    for (; this.refilledMinutes < minutes; this.refilledMinutes += 1) {
      if (this.balance < 60 * this.rate) this.balance = Math.min(60 * this.rate, this.balance + this.rate);
    }
  }
}

interface Harness {
  client: KeepaClient;
  clock: VirtualClock;
  pool: Interceptable;
  lines: string[];
  /** Paths of the requests Keepa received, in order. */
  paths: () => string[];
  sent: (path: string) => Record<string, string>[];
}

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function harness(options: Partial<KeepaClientOptions> & { maxDeficit?: number } = {}): Harness {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  agents.push(agent);
  const clock = new VirtualClock(T0);
  const { lines, stream } = lineSink();
  // No `secrets`: the client itself must keep the key out of what it logs.
  const log = createLogger({ level: 'debug', format: 'json', stream });
  const pool = agent.get(ORIGIN);
  const client = new KeepaClient({
    baseUrl: `${ORIGIN}/`,
    apiKey: KEY,
    bucket: new TokenBucket({ maxDeficit: options.maxDeficit ?? 60 }),
    clock,
    log,
    dispatcher: agent,
    random: () => 0,
    ...options,
  });
  const calls = () => agent.getCallHistory()?.calls() ?? [];
  return {
    client,
    clock,
    pool,
    lines,
    paths: () => calls().map((c) => c.path),
    sent: (path) =>
      calls()
        .filter((c) => c.path === path)
        .map((c) => c.searchParams),
  };
}

const at =
  (prefix: string) =>
  (p: string): boolean =>
    p.startsWith(prefix);
const tokenBody = (tokensLeft: number, refillRate = 5, refillIn = MINUTE, tokensConsumed = 0): object => ({ timestamp: T0, tokensLeft, refillIn, refillRate, tokenFlowReduction: 0, tokensConsumed, processingTimeInMs: 1 });
const deal = (asin: string): object => ({ asin, title: asin, creationDate: 8_000_000, lastUpdate: 8_100_000, current: [-1, -1, 1999] });
const product = (asin: string): object => ({ asin, title: asin, csv: [null, null, [8_000_000, 1999]], stats: { current: [-1, null, 1999], avg90: [null, null, 2100] } });

function serveToken(pool: Interceptable, tokensLeft = 300): void {
  pool
    .intercept({ path: at('/token') })
    .reply(200, JSON.stringify(tokenBody(tokensLeft)))
    .persist();
}

function countOf(paths: () => string[], path: string): number {
  return paths().filter((p) => p === path).length;
}

describe('KeepaClient', () => {
  it('at 5 tokens/min with a 40-token burst a 25-token batch is granted and the next one waits about 5 minutes, computed, with no /token calls while waiting', async () => {
    const { client, clock, pool, paths } = harness({ maxDeficit: 10 });
    const keepa = new FakeKeepa(clock, 40, 5);
    pool
      .intercept({ path: at('/token') })
      .reply(() => ({ statusCode: 200, data: JSON.stringify(keepa.fields(0)) }))
      .persist();
    const servedAt: number[] = [];
    pool
      .intercept({ path: at('/product') })
      .reply(() => {
        servedAt.push(clock.now());
        return keepa.charge(25, { products: [] });
      })
      .persist();
    const batch = Array.from({ length: 25 }, (_, i) => `B00000${String(i).padStart(4, '0')}`);
    for (let i = 0; i < 4; i += 1) await client.products(batch, { history: false }, { job: 'peek', maxWaitMs: 10 * MINUTE });
    // 40 -> 15 -> -10 (within the deficit of 10); then each batch waits for its 25 tokens.
    const gaps = servedAt.slice(1).map((t, i) => t - (servedAt[i] ?? 0));
    expect(gaps[0]).toBe(0);
    for (const gap of gaps.slice(1)) {
      expect(gap).toBeGreaterThanOrEqual(5 * MINUTE);
      expect(gap).toBeLessThan(5 * MINUTE + 2000);
    }
    expect(countOf(paths, '/token')).toBe(1);
    expect(countOf(paths, '/product')).toBe(4);
    expect(keepa.minBalance).toBeGreaterThanOrEqual(-10);
  });

  it('a batch that costs more than the bucket can hold is refused (TokenBudgetError), never waited on', async () => {
    const { client, pool, paths, clock } = harness();
    serveToken(pool, 300);
    const asins = Array.from({ length: 100 }, (_, i) => `A${i}`);
    await expect(client.products(asins, { offers: 100 }, { maxWaitMs: 24 * 60 * MINUTE })).rejects.toThrow(TokenBudgetError);
    expect(countOf(paths, '/product')).toBe(0);
    expect(clock.now()).toBe(T0);
    await expect(client.products([...asins, 'A100'])).rejects.toThrow(/at most 100 ASINs/);
  });

  it('a burst of 50 peeks with offers starting at +150 never drives the balance below the configured deficit floor', async () => {
    const peek = async (costs: CostModel): Promise<{ keepa: FakeKeepa; costs: CostModel }> => {
      const { client, clock, pool } = harness({ maxDeficit: 60, costs });
      const keepa = new FakeKeepa(clock, 150, 5);
      pool
        .intercept({ path: at('/token') })
        .reply(() => ({ statusCode: 200, data: JSON.stringify(keepa.fields(0)) }))
        .persist();
      pool
        .intercept({ path: at('/product') })
        .reply((req) => {
          const asins = new URL(req.path, ORIGIN).searchParams.get('asin')?.split(',') ?? [];
          // Real price: one page of offers per product, 6 tokens each.
          return keepa.charge(6 * asins.length, { products: asins.map(product) });
        })
        .persist();
      const shape: ProductShape = { path: 'product', count: 0, offers: 20 };
      const remaining = Array.from({ length: 50 }, (_, i) => `P${String(i).padStart(9, '0')}`);
      while (remaining.length > 0) {
        const size = Math.max(1, costs.maxBatchSize(shape, 120));
        await client.products(remaining.splice(0, size), { offers: 20, stats: 90, history: false }, { job: 'peek', maxWaitMs: 60 * MINUTE });
      }
      return { keepa, costs };
    };

    const { keepa, costs } = await peek(new CostModel());
    expect(keepa.minBalance).toBeGreaterThanOrEqual(-60);
    // The estimate moved from 12 (two pages of 20 offers) towards the 6 Keepa charged, from above.
    const perProduct = costs.estimate({ path: 'product', count: 1, offers: 20 });
    expect(perProduct).toBeGreaterThanOrEqual(6);
    expect(perProduct).toBeLessThan(9);

    // The old estimate of 2 tokens per ASIN sails through the floor with the same bucket.
    class OldEstimate extends CostModel {
      override estimate(shape: CallShape): number {
        return shape.path === 'product' ? 2 * shape.count : super.estimate(shape);
      }
    }
    const old = await peek(new OldEstimate());
    expect(old.keepa.minBalance).toBeLessThan(-60);
  });

  it('a 429 with tokensLeft: -5 on the deal list is reported as a rate limit, never as "no new deals"', async () => {
    const { client, pool, paths } = harness();
    serveToken(pool, 100);
    pool
      .intercept({ path: at('/deal') })
      .reply(429, JSON.stringify(tokenBody(-5, 5, 30_000)))
      .persist();
    const error = await client.deals({ priceTypes: [2] }, 0, { job: 'discover' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    // -5 -> 0 -> 5: positive after the refill in 30 s and one more a minute later.
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(90_000);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThan(92_000);
    expect(countOf(paths, '/deal')).toBe(1);
  });

  it('a 429 with tokensLeft: -5 on the deal list leads to a computed wait and a retry when the caller allows it', async () => {
    const { client, clock, pool, paths } = harness();
    serveToken(pool, 100);
    pool.intercept({ path: at('/deal') }).reply(429, JSON.stringify(tokenBody(-5, 5, 30_000)));
    pool.intercept({ path: at('/deal') }).reply(200, JSON.stringify({ ...tokenBody(0, 5, 59_000, 5), deals: { dr: [deal('0123456789')] } }));
    const page = await client.deals({ priceTypes: [2] }, 0, { job: 'discover', maxWaitMs: 5 * MINUTE });
    expect(page.dr.map((d) => d.asin)).toEqual(['0123456789']);
    expect(clock.now() - T0).toBeGreaterThanOrEqual(90_000);
    expect(clock.now() - T0).toBeLessThan(92_000);
    expect(countOf(paths, '/deal')).toBe(2);
    expect(countOf(paths, '/token')).toBe(1);
  });

  it('a refill rate learned from a product response is used even when /token fails at start', async () => {
    const { client, pool, paths, lines } = harness({ maxRetries: 0, maxDeficit: 0 });
    pool
      .intercept({ path: at('/token') })
      .replyWithError(new Error('socket hang up'))
      .persist();
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(3, 7, 10_000, 1), products: [product('X1')] }));
    expect((await client.products(['X1'])).map((p) => p.asin)).toEqual(['X1']);
    expect(client.bucket.snapshot(T0)).toMatchObject({ refillRate: 7, capacity: 420, balance: 3 });
    // 3 tokens, 10 needed, 7 a minute: one refill away, in 10 s.
    const error = await client.products(Array.from({ length: 10 }, (_, i) => `Y${i}`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(10_250);
    expect(countOf(paths, '/token')).toBe(1);
    expect(lines.some((l) => l.includes('token status unavailable at start'))).toBe(true);
  });

  it('a 429 without token figures backs off and ends as RateLimitedError, never a tight loop', async () => {
    const { client, pool, paths } = harness({ maxRetries: 2, random: () => 0.5 });
    pool
      .intercept({ path: at('/token') })
      .replyWithError(new Error('socket hang up'))
      .persist();
    pool
      .intercept({ path: at('/product') })
      .reply(429, 'Too Many Requests')
      .persist();
    await expect(client.products(['A1'], {}, { maxWaitMs: MINUTE })).rejects.toThrow(RateLimitedError);
    expect(countOf(paths, '/product')).toBe(3);
    expect(countOf(paths, '/token')).toBe(3); // the one start-up /token call and its two retries
  });

  it('works with fractional balances (54.5, -13.0)', async () => {
    const { client, pool } = harness({ maxDeficit: 0 });
    pool.intercept({ path: at('/token') }).reply(200, JSON.stringify(tokenBody(54.5, 5, 20_000)));
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(-13.0, 5, 20_000, 67.5), products: [product('F1')] }));
    await client.products(['F1'], {}, { job: 'enrich' });
    expect(client.bucket.snapshot(T0)).toMatchObject({ balance: -13, spentByJob: { enrich: 67.5 } });
    // -13 -> -8 -> -3 -> 2: a 1-token call can run after three refills, the first in 20 s.
    const error = await client.sellers(['S1']).catch((e: unknown) => e);
    expect((error as RateLimitedError).retryAfterMs).toBe(20_000 + 2 * MINUTE + 250);
  });

  it('the key never appears in logs or error messages', async () => {
    const { client, pool, lines } = harness({ maxRetries: 1 });
    serveToken(pool, 100);
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(99, 5, MINUTE, 1), products: [product('K1')] }));
    pool
      .intercept({ path: at('/product') })
      .replyWithError(new Error(`connect ECONNREFUSED ${ORIGIN}/product?key=${KEY}&asin=K2 (${KEY})`))
      .times(2);
    pool.intercept({ path: at('/product') }).reply(200, `<html>Bad gateway for key ${KEY}</html>`);
    pool.intercept({ path: at('/seller') }).reply(400, JSON.stringify({ ...tokenBody(99), error: { message: `invalid key ${KEY}` } }));
    const errorsSeen: unknown[] = [];
    await client.products(['K1']);
    for (const attempt of [() => client.products(['K2']), () => client.products(['K3']), () => client.sellers(['S1'])]) {
      errorsSeen.push(await attempt().catch((e: unknown) => e));
    }
    expect(errorsSeen[0]).toBeInstanceOf(NetworkError);
    expect(errorsSeen[1]).toBeInstanceOf(BadResponseError);
    expect(errorsSeen[2]).toBeInstanceOf(KeepaHttpError);
    for (const e of errorsSeen) {
      expect(e).toBeInstanceOf(Error);
      expect(`${(e as Error).message}\n${(e as Error).stack ?? ''}`).not.toContain(KEY);
    }
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join('\n')).not.toContain(KEY);
    const call = JSON.parse(lines.find((l) => l.includes('"keepa call"')) ?? '{}');
    expect(call).toMatchObject({ level: 'debug', component: 'keepa', path: '/token', status: 200, ms: 0 });
  });

  it('turns truncated JSON, HTML pages and missing lists into BadResponseError, and keeps nulls inside stats arrays', async () => {
    const { client, pool, paths } = harness();
    serveToken(pool, 300);
    pool.intercept({ path: at('/product') }).reply(200, '{"tokensLeft": 10, "products": [{"asin": "T1"');
    pool.intercept({ path: at('/product') }).reply(200, '<!DOCTYPE html><title>502 Bad Gateway</title>');
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify(tokenBody(10)));
    pool.intercept({ path: at('/deal') }).reply(200, JSON.stringify({ ...tokenBody(10), deals: {} }));
    pool.intercept({ path: at('/deal') }).reply(200, JSON.stringify({ ...tokenBody(10), deals: { dr: [deal('D1'), { asin: 'D2' }] } }));
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(10, 5, MINUTE, 2), products: [product('N1'), { title: 'no asin' }] }));
    await expect(client.products(['T1'])).rejects.toThrow(BadResponseError);
    await expect(client.products(['T1'])).rejects.toThrow(/not JSON: "<!DOCTYPE html><title>502 Bad Gateway/);
    await expect(client.products(['T1'])).rejects.toThrow(/without a products list/);
    await expect(client.deals({}, 0)).rejects.toThrow(/without deals\.dr/);
    await expect(client.deals({}, 1)).rejects.toThrow(/unreadable deal at index 1/);
    const products = await client.products(['N1', 'N2']);
    expect(products).toHaveLength(1);
    expect(products[0]?.stats?.current).toEqual([-1, null, 1999]);
    // None of them was retried: Keepa may have charged for each.
    expect(countOf(paths, '/product')).toBe(4);
  });

  it('retries 5xx with back-off and then succeeds; never retries a 400 or 402', async () => {
    const { client, clock, pool, paths } = harness({ random: () => 0.5 });
    serveToken(pool, 300);
    pool
      .intercept({ path: at('/seller') })
      .reply(503, 'Service Unavailable')
      .times(2);
    pool.intercept({ path: at('/seller') }).reply(200, JSON.stringify({ ...tokenBody(299, 5, MINUTE, 1), sellers: { S1: { sellerId: 'S1', sellerName: 'Books & Co' } } }));
    pool.intercept({ path: at('/product') }).reply(400, JSON.stringify(tokenBody(300)));
    pool.intercept({ path: at('/deal') }).reply(402, JSON.stringify(tokenBody(0, 0)));
    const sellers = await client.sellers(['S1']);
    expect(sellers.S1?.sellerName).toBe('Books & Co');
    expect(countOf(paths, '/seller')).toBe(3);
    // Backed off 250 ms, then 500 ms (half of each full-jitter window), on the virtual clock.
    expect(clock.now() - T0).toBe(750);
    const rejected = await client.products(['P1']).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ name: 'KeepaHttpError', status: 400 });
    expect((rejected as Error).message).toMatch(/Keepa rejected the request: check KEEPA_API_KEY/);
    await expect(client.deals({}, 0)).rejects.toThrow(/no API access: check the Keepa subscription/);
    expect(countOf(paths, '/product')).toBe(1);
    expect(countOf(paths, '/deal')).toBe(1);
  });

  it('retries a paid call lost to a timeout or a reset once, never more: Keepa may have charged each attempt', async () => {
    const { client, pool, paths } = harness({ maxRetries: 3 });
    serveToken(pool, 300);
    pool
      .intercept({ path: at('/product') })
      .replyWithError(new errors.HeadersTimeoutError())
      .times(1);
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(299, 5, MINUTE, 1), products: [product('O1')] }));
    expect(await client.products(['O1'])).toHaveLength(1);
    pool
      .intercept({ path: at('/product') })
      .replyWithError(new errors.HeadersTimeoutError())
      .times(3);
    await expect(client.products(['O2'])).rejects.toThrow(/no answer within 60000 ms; gave up after 2 attempts/);
    expect(countOf(paths, '/product')).toBe(4);
    pool
      .intercept({ path: at('/product') })
      .replyWithError(new errors.SocketError('other side closed'))
      .times(3);
    await expect(client.products(['O3'])).rejects.toThrow(/gave up after 2 attempts/);
    expect(countOf(paths, '/product')).toBe(6);
  });

  it('a retried paid call waits for the tokens its lost attempt may have used', async () => {
    const { client, clock, pool } = harness({ maxDeficit: 0 });
    serveToken(pool, 10);
    pool
      .intercept({ path: at('/product') })
      .replyWithError(new errors.SocketError('other side closed'))
      .times(1);
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(0, 5, MINUTE, 10), products: [product('R1')] }));
    // 10 products at 1 token each took the whole balance; the retry waits for two refills.
    const asins = Array.from({ length: 10 }, (_, i) => (i === 0 ? 'R1' : `R${i + 1}`));
    await client.products(asins, { history: false }, { maxWaitMs: 10 * MINUTE });
    expect(clock.now() - T0).toBeGreaterThanOrEqual(MINUTE);
  });

  it('ignores impossible token figures once, logged once, and trusts the next answer', async () => {
    const { client, pool, lines } = harness();
    serveToken(pool, 300);
    const answer = (tokensLeft: number, refillRate: number) => JSON.stringify({ ...tokenBody(tokensLeft, refillRate, MINUTE, 1), products: [product('F1')] });
    pool.intercept({ path: at('/product') }).reply(200, answer(-1e9, 5));
    pool.intercept({ path: at('/product') }).reply(200, answer(200, 0));
    pool.intercept({ path: at('/product') }).reply(200, answer(250, 5));
    await client.products(['F1']);
    expect(client.bucket.waitFor(1, T0)).toBe(0);
    await client.products(['F1']);
    expect(client.bucket.snapshot(T0).refillRate).toBe(5);
    const ignored = lines.filter((l) => /ignored impossible token figures/.test(l));
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatch(/tokensLeft -1000000000/);
    await client.products(['F1']);
    expect(client.bucket.snapshot(T0).balance).toBe(250);
  });

  it("leaves out a product whose stats or offers do not fit Keepa's types (a string where a number belongs), naming it in the log", async () => {
    const { client, pool, lines } = harness();
    serveToken(pool, 300);
    const stringPrice = { asin: 'S1', csv: [], stats: { current: [-1, null, '1999'] } };
    const stringOffer = { asin: 'S2', csv: [], offers: [{ sellerId: 'A', condition: 'used', isFBA: false, offerCSV: [1, 2, 3] }] };
    const stringDrops = { asin: 'S3', csv: [], stats: { current: [], salesRankDrops365: '12' } };
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(296, 5, MINUTE, 4), products: [stringPrice, product('OK1'), stringOffer, stringDrops] }));
    expect((await client.products(['S1', 'OK1', 'S2', 'S3'])).map((p) => p.asin)).toEqual(['OK1']);
    const warning = lines.find((l) => /do not fit its types/.test(l)) ?? '';
    expect(warning).toContain('S1: stats.current holds a value that is not a number');
    expect(warning).toContain('S2: offers[0] lacks a sellerId, a numeric condition or a numeric offerCSV');
    expect(warning).toContain('S3: stats.salesRankDrops365 is not a number');
  });

  it('refuses an answer larger than the limits, compressed or not, with ResponseTooLargeError', async () => {
    const { client, pool } = harness({ maxBodyBytes: 1_000_000, maxWireBytes: 100_000 });
    serveToken(pool, 300);
    const bomb = gzipSync(Buffer.alloc(5_000_000));
    pool.intercept({ path: at('/product') }).reply(200, bomb, { headers: { 'content-encoding': 'gzip' } });
    await expect(client.products(['B1'])).rejects.toMatchObject({ name: 'ResponseTooLargeError', message: /larger than 1000000 bytes decompressed/ });
    pool.intercept({ path: at('/product') }).reply(200, 'x'.repeat(200_000));
    await expect(client.products(['B1'])).rejects.toThrow(/larger than 100000 bytes on the wire/);
  });

  it('decodes gzip answers, books tokens per job and sends the query Keepa expects', async () => {
    const { client, pool, sent } = harness();
    serveToken(pool, 300);
    const body = gzipSync(JSON.stringify({ ...tokenBody(288, 5, MINUTE, 12), products: [product('G1'), product('G2')] }));
    pool.intercept({ path: at('/product') }).reply(200, body, { headers: { 'content-encoding': 'gzip' } });
    const products = await client.products(['G1', 'G2'], { offers: 20, expectedOffers: 5, stats: 90, history: false, onlyLiveOffers: true, days: 365 }, { job: 'enrich' });
    expect(products.map((p) => p.asin)).toEqual(['G1', 'G2']);
    expect(client.bucket.snapshot(T0).spentByJob).toEqual({ enrich: 12 });
    expect(sent('/product')[0]).toEqual({ key: KEY, domain: '1', asin: 'G1,G2', stats: '90', history: '0', days: '365', offers: '20', 'only-live-offers': '1' });
  });

  it('tells the caller what Keepa charged for a call, every attempt included, also when the call fails', async () => {
    const { client, pool } = harness();
    serveToken(pool, 300);
    pool.intercept({ path: at('/product') }).reply(503, JSON.stringify(tokenBody(296, 5, MINUTE, 4)));
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify({ ...tokenBody(290, 5, MINUTE, 6), products: [product('C1')] }));
    const paid = { tokens: 0 };
    expect(await client.products(['C1'], {}, { job: 'peek', charge: paid })).toHaveLength(1);
    expect(paid.tokens).toBe(10);
    pool.intercept({ path: at('/product') }).reply(200, JSON.stringify(tokenBody(283, 5, MINUTE, 7)));
    const failed = { tokens: 0 };
    await expect(client.products(['C2'], {}, { job: 'peek', charge: failed })).rejects.toThrow(BadResponseError);
    expect(failed.tokens).toBe(7);
    expect(client.bucket.snapshot(T0).spentByJob).toEqual({ peek: 17 });
  });
});
