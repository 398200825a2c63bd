// Small builders for hand-made Keepa products whose analysis can be checked with pencil and paper.

import { msToKeepaMinutes } from '../../../src/keepa/time.js';
import type { KeepaOffer, KeepaProduct, KeepaStats } from '../../../src/keepa/types.js';
import { type BusinessSettings, DEFAULT_BUSINESS } from '../../../src/settings.js';

/** 2025-06-15T00:00:00Z, "now" in every test. */
export const NOW_MS = Date.UTC(2025, 5, 15);
export const NOW = msToKeepaMinutes(NOW_MS);
export const HOUR = 60;
export const DAY = 24 * HOUR;

/** Keepa minute of a UTC date, month 1-12. */
export function utc(year: number, month: number, day: number, hour = 0): number {
  return msToKeepaMinutes(Date.UTC(year, month - 1, day, hour));
}

export const SETTINGS: BusinessSettings = { ...DEFAULT_BUSINESS };

/** A stats array of 33 entries, -1 everywhere but the given indices. */
export function series(values: Record<number, number | null> = {}): (number | null)[] {
  const out: (number | null)[] = new Array<number | null>(33).fill(-1);
  for (const [i, v] of Object.entries(values)) out[Number(i)] = v;
  return out;
}

export function stats(s: Partial<KeepaStats> = {}): KeepaStats {
  return { current: series(), avg30: series(), avg90: series(), avg180: series(), avg365: series(), ...s };
}

/** A csv array with the given histories and null elsewhere. */
export function csv(histories: Record<number, number[] | null>): (number[] | null)[] {
  const out: (number[] | null)[] = new Array<number[] | null>(33).fill(null);
  for (const [i, h] of Object.entries(histories)) out[Number(i)] = h;
  return out;
}

export function offer(o: { sellerId?: string; condition?: number; price: number; shipping?: number; isFBA?: boolean }): KeepaOffer {
  return {
    sellerId: o.sellerId ?? 'SELLER1',
    condition: o.condition ?? 4,
    isFBA: o.isFBA ?? false,
    offerCSV: [NOW - 10 * DAY, o.price + 500, 0, NOW - DAY, o.price, o.shipping ?? 0],
  };
}

export function product(p: Partial<KeepaProduct> = {}): KeepaProduct {
  const offers = p.offers ?? [offer({ price: 1000 })];
  return {
    asin: '0123456789',
    title: 'A Plain Book',
    stats: stats(),
    offers,
    liveOffersOrder: offers.map((_, i) => i),
    ...p,
  };
}

export interface SaleSpec {
  t: number;
  price: number;
}

/**
 * Used offer count, sales rank and used price histories in which each given moment is exactly
 * one Used sale at its price, written the way Keepa writes one: the count drops 5 -> 4 at t and
 * recovers 2 days later; the used price in force before t is the sale's price, and at t Keepa
 * writes the next lowest price (here the sale price + $5); the rank improves 500,000 -> 100,000
 * one hour after t and falls back 3 days later. Sales must be at least 4 days apart.
 */
export function salesHistories(sales: readonly SaleSpec[]): Record<number, number[]> {
  const first = sales[0]?.t ?? NOW - 100 * DAY;
  const start = first - 10 * DAY;
  const count = [start, 5];
  const rank = [start, 500_000];
  const used = [start, sales[0]?.price ?? 1000];
  for (const s of sales) {
    count.push(s.t, 4, s.t + 2 * DAY, 5);
    rank.push(s.t + HOUR, 100_000, s.t + 3 * DAY, 500_000);
    used.push(s.t - HOUR, s.price, s.t, s.price + 500);
  }
  return { 2: used, 3: rank, 12: count };
}
