import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import type { DealResponse, KeepaDeal, TokenFields } from '../../src/keepa/types.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const WIDE = { priceTypes: [2], dateRange: 3, sortType: 1 };
let clock: VirtualClock;
let sim: Simulator;

beforeAll(async () => {
  clock = new VirtualClock(START);
  sim = await createSimulator({ clock, seed: 9, catalogSize: 600, dealsPerHour: 12, refillRate: 10_000, sortDisorder: 0 });
});
afterAll(() => sim.close());

async function deals(selection: object, s: Simulator = sim): Promise<DealResponse> {
  const res = await fetch(`${s.url}/deal?selection=${encodeURIComponent(JSON.stringify(selection))}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DealResponse;
}

async function allPages(selection: object, s: Simulator = sim): Promise<KeepaDeal[][]> {
  const pages: KeepaDeal[][] = [];
  for (let page = 0; ; page++) {
    const res = await deals({ ...selection, page }, s);
    pages.push(res.deals.dr);
    if (res.deals.dr.length < 150) return pages;
  }
}

const used = (d: KeepaDeal, k = 3): number => d.deltaPercent?.[k]?.[2] ?? 0;

describe('/deal', () => {
  it('serves pages of at most 150 deals, the last one short, with the total in categoryCount', async () => {
    const pages = await allPages(WIDE);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages.slice(0, -1)) expect(page).toHaveLength(150);
    expect(pages.at(-1)?.length ?? 150).toBeLessThan(150);
    const first = await deals({ ...WIDE, page: 0 });
    expect(first.deals.categoryIds).toEqual([283155]);
    expect(first.deals.categoryCount).toEqual([pages.flat().length]);
    expect(new Set(pages.flat().map((d) => d.asin)).size).toBe(pages.flat().length);
  });

  it('sorts newest deals first for sortType 1 and by percentage drop for sortType 4', async () => {
    const byAge = (await allPages(WIDE)).flat();
    for (let i = 1; i < byAge.length; i++) expect(byAge[i - 1]?.creationDate ?? 0).toBeGreaterThanOrEqual(byAge[i]?.creationDate ?? 0);
    const byDrop = (await allPages({ ...WIDE, sortType: 4 })).flat();
    for (let i = 1; i < byDrop.length; i++) expect(used(byDrop[i - 1] as KeepaDeal)).toBeGreaterThanOrEqual(used(byDrop[i] as KeepaDeal));
  });

  it('sorts "not strictly": each deal at most one place from its sorted position', async () => {
    const options = { clock, startMs: START, seed: 10, catalogSize: 200, dealsPerHour: 4, refillRate: 10_000 };
    const strictSim = await createSimulator({ ...options, sortDisorder: 0 });
    const loose = await createSimulator({ ...options, sortDisorder: 0.3 });
    try {
      const strict = (await allPages(WIDE, strictSim)).flat().map((d) => d.asin);
      const served = (await allPages(WIDE, loose)).flat().map((d) => d.asin);
      expect(strict.length).toBeGreaterThan(20);
      expect(served).not.toEqual(strict);
      expect([...served].sort()).toEqual([...strict].sort());
      served.forEach((asin, i) => {
        expect(Math.abs(strict.indexOf(asin) - i)).toBeLessThanOrEqual(1);
      });
    } finally {
      await Promise.all([strictSim.close(), loose.close()]);
    }
  });

  it('keeps pages by percentage delta (sortType 4) strictly descending, whatever the disorder of the others', async () => {
    const loose = await createSimulator({ clock, startMs: START, seed: 10, catalogSize: 600, dealsPerHour: 12, refillRate: 10_000, sortDisorder: 0.3 });
    try {
      const byDrop = (await allPages({ ...WIDE, sortType: 4 }, loose)).flat();
      expect(byDrop.length).toBeGreaterThan(150);
      for (let i = 1; i < byDrop.length; i++) expect(used(byDrop[i - 1] as KeepaDeal)).toBeGreaterThanOrEqual(used(byDrop[i] as KeepaDeal));
    } finally {
      await loose.close();
    }
  });

  it('between two looks an hour apart: re-drops (lower used price, later lastUpdate) and old deals newly listed', async () => {
    const busy = await createSimulator({ clock, startMs: START, seed: 12, catalogSize: 3_000, dealsPerHour: 60, refillRate: 10_000 });
    try {
      const first = (await allPages(WIDE, busy)).flat();
      clock.advance(3_600_000);
      const second = (await allPages(WIDE, busy)).flat();
      const before = new Map(first.map((d) => [`${d.asin}@${d.creationDate}`, d]));
      const redrops = second.filter((d) => {
        const old = before.get(`${d.asin}@${d.creationDate}`);
        return old !== undefined && (d.current[2] ?? -1) < (old.current[2] ?? -1) && d.lastUpdate > old.lastUpdate;
      });
      expect(redrops.length).toBeGreaterThan(0);
      // Keepa lists some deals hours after they were created: new to the list, older than its newest.
      const newest = Math.max(...first.map((d) => d.creationDate));
      const lateEntries = second.filter((d) => !before.has(`${d.asin}@${d.creationDate}`) && d.creationDate < newest);
      expect(lateEntries.length).toBeGreaterThan(0);
    } finally {
      await busy.close();
    }
  });

  it('gives the same answer to the same query and page within 120 s, a fresh one later', async () => {
    const query = { ...WIDE, dateRange: 0, page: 0 };
    const first = await deals(query);
    clock.advance(119_000);
    expect((await deals(query)).deals).toEqual(first.deals);
    clock.advance(6 * 3_600_000);
    const later = await deals(query);
    expect(later.deals).not.toEqual(first.deals);
    expect(Math.max(...later.deals.dr.map((d) => d.lastUpdate))).toBeGreaterThan(Math.max(...first.deals.dr.map((d) => d.lastUpdate)));
  });

  it('moves deals forward with simulated time: new deals, later lastUpdate, nothing from the future', async () => {
    const before = (await allPages(WIDE)).flat();
    // Deal offers live half a day to a day and a half: some of those listed now are still listed then.
    clock.advance(12 * 3_600_000);
    const after = (await allPages(WIDE)).flat();
    const now = msToKeepaMinutes(clock.now());
    const newest = Math.max(...before.map((d) => d.creationDate));
    expect(after.some((d) => d.creationDate > newest)).toBe(true);
    for (const d of after) {
      expect(d.lastUpdate).toBeLessThanOrEqual(now);
      expect(d.lastUpdate).toBeGreaterThanOrEqual(d.creationDate);
    }
    const stillListed = after.filter((d) => before.some((b) => b.asin === d.asin && b.creationDate === d.creationDate));
    expect(stillListed.length).toBeGreaterThan(0);
    for (const d of stillListed) {
      const old = before.find((b) => b.asin === d.asin);
      expect(d.lastUpdate).toBeGreaterThan(old?.lastUpdate ?? Infinity);
    }
  });

  it('shapes deals like Keepa: csv-indexed current, [interval][csv] avg, delta and deltaPercent', async () => {
    const [deal] = (await deals({ ...WIDE, page: 0 })).deals.dr;
    if (!deal) throw new Error('expected a deal');
    expect([34, 36]).toContain(deal.current.length);
    for (const grid of [deal.avg, deal.delta, deal.deltaPercent]) {
      expect(grid).toHaveLength(4);
      for (const row of grid ?? []) expect(row).toHaveLength(deal.current.length);
    }
    const avg90 = deal.avg?.[3]?.[2] ?? 0;
    expect(deal.delta?.[3]?.[2]).toBe(avg90 - (deal.current[2] ?? 0));
    expect(deal.deltaPercent?.[3]?.[2]).toBe(Math.round(((avg90 - (deal.current[2] ?? 0)) * 100) / avg90));
    expect(used(deal)).toBeGreaterThanOrEqual(10);
    expect(deal).toMatchObject({ rootCat: 283155 });
    expect(deal.categories?.length).toBe(1);
    expect(typeof deal.title).toBe('string');
    expect(deal.currentSince?.[2]).toBeGreaterThanOrEqual(deal.creationDate);
  });

  it('honours currentRange, salesRankRange, deltaPercentRange and categories', async () => {
    const all = (await allPages(WIDE)).flat();
    const filtered = (
      await allPages({
        ...WIDE,
        isRangeEnabled: true,
        currentRange: [2_000, 45_100],
        salesRankRange: [10_000, 500_000],
        deltaPercentRange: [30, 2_147_483_647],
      })
    ).flat();
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.length).toBeLessThan(all.length);
    for (const d of filtered) {
      expect(d.current[2]).toBeGreaterThanOrEqual(2_000);
      expect(d.current[2]).toBeLessThanOrEqual(45_100);
      expect(d.current[3]).toBeGreaterThanOrEqual(10_000);
      expect(d.current[3]).toBeLessThanOrEqual(500_000);
      expect(used(d)).toBeGreaterThanOrEqual(30);
    }
    const category = all[0]?.categories?.[0] ?? 0;
    const inCategory = (await allPages({ ...WIDE, includeCategories: [category] })).flat();
    expect(inCategory.length).toBeGreaterThan(0);
    expect(inCategory.every((d) => d.categories?.includes(category))).toBe(true);
    const excluded = (await allPages({ ...WIDE, excludeCategories: [category] })).flat();
    expect(excluded.length).toBe(all.length - inCategory.length);
    expect((await allPages({ ...WIDE, includeCategories: [283155] })).flat()).toHaveLength(all.length);
  });

  it('ignores range filters unless isRangeEnabled is true', async () => {
    const off = (await allPages({ ...WIDE, currentRange: [2_000, 2_100] })).flat();
    expect(off.length).toBe((await allPages(WIDE)).flat().length);
  });

  it('ignores numbers sent as strings, as Keepa does', async () => {
    const asStrings = (await allPages({ ...WIDE, dateRange: '3', isRangeEnabled: true, currentRange: ['2000', '2100'] })).flat();
    const defaults = (await allPages({ ...WIDE, dateRange: 0 })).flat();
    expect(asStrings.map((d) => d.asin)).toEqual(defaults.map((d) => d.asin));
    expect(asStrings.length).toBeLessThan((await allPages(WIDE)).flat().length);
  });

  it('keeps a shorter dateRange to more recent deals', async () => {
    const now = msToKeepaMinutes(clock.now());
    const day = (await allPages({ ...WIDE, dateRange: 0 })).flat();
    expect(day.length).toBeGreaterThan(0);
    for (const d of day) expect(now - d.creationDate).toBeLessThanOrEqual(24 * 60);
  });

  it('accepts the selection POSTed as JSON', async () => {
    const selection = { ...WIDE, page: 0 };
    const res = await fetch(`${sim.url}/deal`, { method: 'POST', body: JSON.stringify(selection), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as DealResponse).deals).toEqual((await deals(selection)).deals);
  });

  it('refuses a selection without priceTypes, charging nothing', async () => {
    const res = await fetch(`${sim.url}/deal?selection=${encodeURIComponent(JSON.stringify({ dateRange: 3, priceTypes: '2' }))}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as TokenFields).tokensConsumed).toBe(0);
  });
});
