import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import { type KeepaProduct, type ProductResponse, TRIPLE_CSV_TYPES } from '../../src/keepa/types.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY_MINUTES = 1_440;
let clock: VirtualClock;
let sim: Simulator;
let asins: readonly string[];

beforeAll(async () => {
  clock = new VirtualClock(START);
  sim = await createSimulator({ clock, seed: 21, catalogSize: 200, refillRate: 10_000 });
  asins = sim.catalog.asins();
});
afterAll(() => sim.close());

async function products(params: Record<string, string | number>): Promise<KeepaProduct[]> {
  const url = new URL('/product', sim.url);
  url.searchParams.set('domain', '1');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return ((await res.json()) as ProductResponse).products;
}

/** `[t, value]` points of a csv history, the value of triples being price + shipping. */
/** Keepa's triples [t, price, shipping]: those the daemon reads, and eBay's New and Used (28, 29). */
const TRIPLES: ReadonlySet<number> = new Set([...TRIPLE_CSV_TYPES, 28, 29]);

function points(csv: number[] | null | undefined, type: number): [number, number][] {
  const width = TRIPLES.has(type) ? 3 : 2;
  const out: [number, number][] = [];
  for (let i = 0; i + width - 1 < (csv ?? []).length; i += width) {
    const c = csv ?? [];
    const price = c[i + 1] ?? -1;
    out.push([c[i] ?? 0, width === 3 && price >= 0 ? price + Math.max(0, c[i + 2] ?? 0) : price]);
  }
  return out;
}

describe('/product', () => {
  it('lays out csv by type: pairs, and triples [t, price, shipping] for 19-22, times rising to now', async () => {
    const now = msToKeepaMinutes(clock.now());
    for (const p of await products({ asin: asins.slice(0, 10).join(','), stats: 365 })) {
      expect([34, 36]).toContain(p.csv?.length);
      for (const type of [2, 3, 11, 12]) expect((p.csv?.[type]?.length ?? 1) % 2).toBe(0);
      for (const type of [19, 20, 21, 22]) {
        const csv = p.csv?.[type] ?? [];
        expect(csv.length % 3).toBe(0);
        let shippingKnownWhenPriced = true;
        for (let i = 0; i < csv.length; i += 3) {
          const price = csv[i + 1] ?? -1;
          const shipping = csv[i + 2] ?? -2;
          if (price < 0 ? shipping !== -1 : shipping < 0) shippingKnownWhenPriced = false;
        }
        expect(shippingKnownWhenPriced).toBe(true);
      }
      for (const [type, csv] of (p.csv ?? []).entries()) {
        const times = points(csv, type).map(([t]) => t);
        expect(times.every((t, i) => t <= now && (i === 0 || t > (times[i - 1] ?? Infinity)))).toBe(true);
      }
      expect(p.csv?.[3]?.[0]).toBe(p.trackingSince);
    }
  });

  it('computes stats aligned with csv indices: current, min/max pairs, rank drops', async () => {
    const now = msToKeepaMinutes(clock.now());
    for (const p of await products({ asin: asins.slice(0, 10).join(','), stats: 365 })) {
      const stats = p.stats;
      if (!stats) throw new Error('stats expected');
      expect(stats.current).toHaveLength(p.csv?.length ?? -1);
      for (const arr of [stats.avg, stats.avg30, stats.avg90, stats.avg180, stats.avg365, stats.min, stats.max]) expect(arr).toHaveLength(p.csv?.length ?? -1);
      for (const type of [0, 1, 2, 3, 11, 12, 19, 20, 21, 22]) {
        const pts = points(p.csv?.[type], type);
        expect(stats.current[type]).toBe(pts.at(-1)?.[1] ?? -1);
        const withData = pts.filter(([, v]) => v >= 0);
        const min = stats.min?.[type];
        const max = stats.max?.[type];
        if (withData.length === 0) {
          expect(min).toBeNull();
          continue;
        }
        expect(min?.[1]).toBe(Math.min(...withData.map(([, v]) => v)));
        expect(max?.[1]).toBe(Math.max(...withData.map(([, v]) => v)));
        expect(withData.some(([t, v]) => t === min?.[0] && v === min?.[1])).toBe(true);
      }
      expect(stats.min?.[5]).toBeNull();
      expect(stats.current[5]).toBe(-1);
      const rank = points(p.csv?.[3], 3);
      // Falls of more than 10%: the rank wobbles by less between samples without a sale.
      const drops = rank.filter(([t, v], i) => i > 0 && t >= now - 365 * DAY_MINUTES && v < 0.9 * (rank[i - 1]?.[1] ?? 0)).length;
      expect(stats.salesRankDrops365).toBe(drops);
      expect(stats.salesRankDrops30).toBeLessThanOrEqual(stats.salesRankDrops90 ?? 0);
      expect(stats.totalOfferCount).toBe(-2);
    }
  });

  it('omits csv with history=0, trims it with days=N, keeping the last point before the window', async () => {
    const asin = asins[1] ?? '';
    const [noHistory] = await products({ asin, history: 0, stats: 90 });
    expect(noHistory?.csv).toBeNull();
    expect(noHistory?.stats?.current[3]).toBeGreaterThan(0);
    const now = msToKeepaMinutes(clock.now());
    const [trimmed] = await products({ asin, days: 30 });
    const [full] = await products({ asin });
    const rank = points(trimmed?.csv?.[3], 3);
    expect(rank.slice(1).every(([t]) => t >= now - 30 * DAY_MINUTES)).toBe(true);
    expect(rank.length).toBeLessThan(points(full?.csv?.[3], 3).length);
    expect(trimmed?.stats ?? null).toBeNull();
  });

  it('returns offers with offers=N: live ones ordered by liveOffersOrder, cheapest first', async () => {
    const now = msToKeepaMinutes(clock.now());
    for (const p of await products({ asin: asins.slice(0, 10).join(','), offers: 20, stats: 30 })) {
      const offers = p.offers ?? [];
      expect(offers.length).toBeLessThanOrEqual(20);
      const live = (p.liveOffersOrder ?? []).map((i) => offers[i]);
      const landed = live.map((o) => (o?.offerCSV[1] ?? 0) + Math.max(0, o?.offerCSV[2] ?? 0));
      expect(landed).toEqual([...landed].sort((a, b) => a - b));
      for (const o of live) expect(o?.lastSeen).toBe(now);
      for (const o of offers) {
        expect(o.offerCSV.length % 3).toBe(0);
        expect(o.condition).toBeGreaterThanOrEqual(1);
        expect(o.condition).toBeLessThanOrEqual(5);
        expect(o.sellerId).toMatch(/^A[A-Z0-9]{12,13}$/);
      }
      // As on real answers, the FBA and FBM counts are of New offers only.
      expect((p.stats?.offerCountFBA ?? 0) + (p.stats?.offerCountFBM ?? 0)).toBe(live.filter((o) => o?.condition === 1).length);
      // -1 in a count history is no offer at all.
      const total = Math.max(0, p.stats?.current[11] ?? 0) + Math.max(0, p.stats?.current[12] ?? 0);
      expect(p.stats?.totalOfferCount).toBe(total);
      if (live.length < 20) {
        // Every live offer was returned: the counts in the histories match them.
        expect(live.length).toBe(total);
        expect(live.filter((o) => (o?.condition ?? 0) >= 2).length).toBe(Math.max(0, p.stats?.current[12] ?? 0));
        expect(live.some((o) => o?.isAmazon)).toBe((p.stats?.current[0] ?? -1) > 0);
      }
    }
  });

  it('returns only live offers with only-live-offers=1, and some merchant offers with unknown shipping', async () => {
    const all = await products({ asin: asins.slice(0, 60).join(','), offers: 100, 'only-live-offers': 1, history: 0 });
    const now = msToKeepaMinutes(clock.now());
    for (const p of all) for (const o of p.offers ?? []) expect(o.lastSeen).toBe(now);
    const offers = all.flatMap((p) => p.offers ?? []);
    expect(offers.some((o) => !o.isFBA && o.offerCSV[2] === -1)).toBe(true);
    expect(offers.every((o) => !o.isFBA || o.offerCSV[2] === 0)).toBe(true);
  });

  it('includes rating and review history only with rating=1 or offers', async () => {
    const [plain] = await products({ asin: asins[2] ?? '' });
    expect(plain?.csv?.[16]).toBeNull();
    const [rated] = await products({ asin: asins[2] ?? '', rating: 1 });
    expect(rated?.csv?.[16]?.length).toBeGreaterThan(0);
    expect(rated?.csv?.[17]?.length).toBeGreaterThan(0);
  });

  it('carries the product facts the daemon reads', async () => {
    const [p] = await products({ asin: asins[3] ?? '' });
    expect(p).toMatchObject({ asin: asins[3], domainId: 1, rootCategory: 283155, productGroup: 'Book' });
    expect(p?.categoryTree?.[0]).toEqual({ catId: 283155, name: 'Books' });
    expect(p?.title).toEqual(expect.any(String));
    expect(p?.author).toEqual(expect.any(String));
    expect(p?.referralFeePercentage === null || p?.referralFeePercentage === 15).toBe(true);
    expect(p?.listedSince).toBeLessThanOrEqual(p?.trackingSince ?? 0);
    expect(p?.packageWeight).toBeGreaterThan(0);
  });

  it('grows histories as simulated time passes', async () => {
    const asin = asins[4] ?? '';
    const [before] = await products({ asin });
    const then = msToKeepaMinutes(clock.now());
    clock.advance(30 * 86_400_000);
    const [after] = await products({ asin });
    const rankBefore = before?.csv?.[3] ?? [];
    const rankAfter = after?.csv?.[3] ?? [];
    expect(rankAfter.slice(0, rankBefore.length)).toEqual(rankBefore);
    expect(points(rankAfter, 3).some(([t]) => t > then)).toBe(true);
  });

  it('gives the same history whether time was followed step by step or jumped at once', async () => {
    const asin = asins[5] ?? '';
    for (let step = 0; step < 3; step++) {
      await products({ asin, offers: 20 });
      clock.advance(9 * 86_400_000);
    }
    const stepped = await products({ asin, offers: 20, stats: 90 });
    const fresh = await createSimulator({ clock, startMs: START, seed: 21, catalogSize: 200, refillRate: 10_000 });
    try {
      const res = await fetch(`${fresh.url}/product?domain=1&asin=${asin}&offers=20&stats=90`);
      expect(((await res.json()) as ProductResponse).products).toEqual(stepped);
    } finally {
      await fresh.close();
    }
  });
});
