import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { keepaMinutesToMs } from '../../src/keepa/time.js';
import type { DealResponse, KeepaProduct, ProductResponse } from '../../src/keepa/types.js';
import { Catalog } from '../../src/simulator/catalog.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
let sim: Simulator;
let clock: VirtualClock;

beforeAll(async () => {
  clock = new VirtualClock(START);
  sim = await createSimulator({ clock, seed: 7, catalogSize: 1_500, refillRate: 100_000 });
});
afterAll(() => sim.close());

async function products(asins: readonly string[], extra = ''): Promise<KeepaProduct[]> {
  const out: KeepaProduct[] = [];
  for (let i = 0; i < asins.length; i += 100) {
    const res = await fetch(`${sim.url}/product?domain=1&asin=${asins.slice(i, i + 100).join(',')}&stats=365${extra}`);
    out.push(...((await res.json()) as ProductResponse).products);
  }
  return out;
}

function pairs(csv: number[] | null | undefined): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < (csv ?? []).length; i += 2) out.push([csv?.[i] ?? 0, csv?.[i + 1] ?? -1]);
  return out;
}

/** The sales the simulator made in the year before now (its ground truth), prices in cents. */
function salesLastYear(asin: string, nowMs: number): number[] {
  return (sim.marketTruth(asin)?.sales ?? []).filter((x) => x.ms > nowMs - 365 * 86_400_000).map((x) => x.price);
}

function cheapestLiveUsed(p: KeepaProduct): number | null {
  let best: number | null = null;
  for (const i of p.liveOffersOrder ?? []) {
    const o = p.offers?.[i];
    if (!o || o.condition < 2 || o.condition > 5) continue;
    const [price = 0, shipping = 0] = o.offerCSV.slice(-2);
    if (shipping < 0 && !o.isFBA) continue;
    const total = price + Math.max(0, shipping);
    if (best === null || total < best) best = total;
  }
  return best;
}

describe('catalog', () => {
  it('is the same for the same seed and start, and different for another seed', async () => {
    const a = new Catalog({ seed: 7, size: 300, startMs: START });
    const b = new Catalog({ seed: 7, size: 300, startMs: START });
    const c = new Catalog({ seed: 8, size: 300, startMs: START });
    expect(a.asins()).toEqual(b.asins());
    expect(a.book(123)).toEqual(b.book(123));
    expect(a.asins()).not.toEqual(c.asins());
    const twin = await createSimulator({ clock, startMs: START, seed: 7, catalogSize: 1_500, refillRate: 100_000 });
    try {
      const asins = sim.catalog.asins().slice(40, 45).join(',');
      const [mine, theirs] = await Promise.all([sim, twin].map(async (s) => (await fetch(`${s.url}/product?domain=1&asin=${asins}&stats=180&offers=20`)).json()));
      expect((mine as ProductResponse).products).toEqual((theirs as ProductResponse).products);
    } finally {
      await twin.close();
    }
  });

  it('uses unique book ASINs: ISBN-10 with a valid check digit, or B0 + 8', () => {
    const asins = sim.catalog.asins();
    expect(new Set(asins).size).toBe(asins.length);
    for (const asin of asins) {
      expect(asin).toMatch(/^[01]\d{8}[\dX]$|^B0[0-9A-Z]{8}$/);
      if (asin.startsWith('B0')) continue;
      const sum = [...asin].reduce((s, ch, i) => s + (ch === 'X' ? 10 : Number(ch)) * (10 - i), 0);
      expect(sum % 11).toBe(0);
    }
    expect(asins.some((a) => a.startsWith('B0'))).toBe(true);
  });

  it('mixes dead inventory, losers and real opportunities, with ground truth per ASIN', () => {
    const truths = sim.catalog.asins().map((a) => sim.groundTruth(a));
    const share = (kind: string): number => truths.filter((t) => t?.archetype === kind).length / truths.length;
    expect(share('dead')).toBeGreaterThan(0.3);
    expect(share('loser')).toBeGreaterThan(0.35);
    expect(share('opportunity')).toBeGreaterThan(0.1);
    expect(truths.every((t) => t?.isOpportunity === (t?.archetype === 'opportunity'))).toBe(true);
    expect(sim.groundTruth('0000000000')).toBeUndefined();
  });

  it('keeps magnitudes realistic: used prices, ranks, offer counts', async () => {
    const sample = await products(sim.catalog.asins().slice(0, 40));
    const used = sample.flatMap((p) => pairs(p.csv?.[2]).map(([, v]) => v)).filter((v) => v > 0);
    const ranks = sample.flatMap((p) => pairs(p.csv?.[3]).map(([, v]) => v));
    const counts = sample.flatMap((p) => [11, 12].flatMap((type) => pairs(p.csv?.[type]).map(([, v]) => v)));
    const min = (xs: number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);
    const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
    expect(min(used)).toBeGreaterThanOrEqual(400);
    expect(max(used)).toBeLessThanOrEqual(12_000);
    expect(min(ranks)).toBeGreaterThanOrEqual(900);
    expect(max(ranks)).toBeLessThanOrEqual(6_500_000);
    // As on Keepa: -1 when the last offer is gone, never 0.
    expect(counts).toContain(-1);
    expect(counts).not.toContain(0);
    expect(max(counts)).toBeLessThanOrEqual(31);
  });

  it('gives the archetypes the markets they are named for: no sales, sales too cheap, sales far above the deal', async () => {
    const dealAsins: string[] = [];
    for (let page = 0; ; page++) {
      const selection = { priceTypes: [2], dateRange: 3, sortType: 1, page };
      const res = (await (await fetch(`${sim.url}/deal?selection=${encodeURIComponent(JSON.stringify(selection))}`)).json()) as DealResponse;
      dealAsins.push(...res.deals.dr.map((d) => d.asin));
      if (res.deals.dr.length < 150) break;
    }
    // Up to 15 deals of each archetype, fetched as the daemon would: a year of stats, history, offers.
    const sample = ['dead', 'loser', 'opportunity'].flatMap((kind) => dealAsins.filter((a) => sim.groundTruth(a)?.archetype === kind).slice(0, 15));
    const byKind = new Map<string, KeepaProduct[]>();
    for (const p of await products(sample, '&offers=20')) {
      const kind = sim.groundTruth(p.asin)?.archetype ?? '?';
      byKind.set(kind, [...(byKind.get(kind) ?? []), p]);
    }
    for (const kind of ['dead', 'loser', 'opportunity']) expect(byKind.get(kind)?.length ?? 0).toBeGreaterThan(3);

    const nowMs = clock.now();
    for (const p of byKind.get('dead') ?? []) {
      expect(salesLastYear(p.asin, nowMs)).toHaveLength(0);
      expect(p.stats?.salesRankDrops365).toBe(0);
    }
    const opportunities = byKind.get('opportunity') ?? [];
    let cheapNow = 0;
    for (const p of opportunities) {
      const lastYear = salesLastYear(p.asin, nowMs);
      expect(lastYear.length).toBeGreaterThanOrEqual(8);
      const avg = lastYear.reduce((sum, price) => sum + price, 0) / lastYear.length;
      const priceNow = cheapestLiveUsed(p) ?? Infinity;
      expect(priceNow).toBeGreaterThanOrEqual(2_000);
      if (priceNow < avg * 0.65) cheapNow++;
    }
    // Most deals still have their cheap copy; some were bought before this look, as on Amazon.
    expect(cheapNow / opportunities.length).toBeGreaterThan(0.7);
    for (const p of byKind.get('loser') ?? []) {
      const lastYear = salesLastYear(p.asin, nowMs);
      expect(lastYear.length).toBeGreaterThan(0);
      const avg = lastYear.reduce((sum, price) => sum + price, 0) / lastYear.length;
      const priceNow = cheapestLiveUsed(p) ?? 0;
      // Fees (about $4 pick and pack + 15%) and costs ($2.75 prep + $3.99 shipping + 5% tax) eat it.
      expect(avg * 0.85 - 400 - priceNow * 1.05 - 674).toBeLessThan(0);
    }
    expect(sim.opportunities()).toEqual(expect.arrayContaining(dealAsins.filter((a) => sim.groundTruth(a)?.isOpportunity)));
    expect(sim.opportunities().every((a) => sim.groundTruth(a)?.isOpportunity)).toBe(true);
  });

  it('gives textbooks their season: most of their sales in Aug-Sep and January', async () => {
    const textbooks = sim.catalog
      .asins()
      .filter((a) => {
        const truth = sim.groundTruth(a);
        return truth?.seasonal && truth.archetype === 'opportunity';
      })
      .slice(0, 15);
    expect(textbooks.length).toBeGreaterThan(5);
    // Every rank fall of more than 10% is a sale, so the months of those falls are the months of sales.
    const months = (await products(textbooks)).flatMap((p) => pairs(p.csv?.[3]).filter(([, v], i, all) => i > 0 && v < 0.9 * (all[i - 1]?.[1] ?? 0))).map(([t]) => new Date(keepaMinutesToMs(t)).getUTCMonth());
    const peak = months.filter((m) => m === 0 || m === 7 || m === 8).length;
    expect(peak / months.length).toBeGreaterThan(0.6);
  });
});
