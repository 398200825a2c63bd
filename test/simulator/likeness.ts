// The figures that tell a real Keepa book's histories from an invented one, measured the same way
// on both: how often the sales rank is sampled, how it wobbles, how many offer-count drops there
// are and at which minute the new lowest price is written, and how a count says "no offer".
import { CsvType, type KeepaProduct } from '../../src/keepa/types.js';

const DAY_MINUTES = 1_440;

export interface Likeness {
  /** Median hours between consecutive sales-rank points of the last year. */
  medianRankGapHours: number;
  /** Share of consecutive rank points (last year) where the rank fell by more than 10%. */
  bigFallShare: number;
  /** Share of consecutive rank points (last year) where it fell by less than 10%: the wobble. */
  smallFallShare: number;
  /** Rank falls of more than 10% in the last year. */
  bigFalls: number;
  /** Used and New offer-count drops in the last year (-1 read as 0). */
  offerDrops: number;
  /** Share of Used offer-count drops with a Used price point at the same minute. */
  priceAtDropMinuteShare: number;
  /** Points of -1 and of 0 in the offer-count histories (csv 11, 12). */
  minusOnes: number;
  zeros: number;
}

function pairs(csv: readonly number[] | null | undefined): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < (csv ?? []).length; i += 2) out.push([csv?.[i] ?? 0, csv?.[i + 1] ?? -1]);
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Keepa minutes of the count drops in the last year; -1 (no offer) counts as 0. */
export function countDrops(csv: readonly number[] | null | undefined, fromMinute: number): number[] {
  const points = pairs(csv);
  const drops: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const [t, v] = points[i] ?? [0, -1];
    if (t >= fromMinute && Math.max(0, v) < Math.max(0, points[i - 1]?.[1] ?? -1)) drops.push(t);
  }
  return drops;
}

export function measure(product: KeepaProduct, nowMinute: number): Likeness {
  const from = nowMinute - 365 * DAY_MINUTES;
  const csv = product.csv ?? [];
  const rank = pairs(csv[CsvType.SALES_RANK]).filter(([t, v]) => t >= from && v > 0);
  const gaps: number[] = [];
  let bigFalls = 0;
  let smallFalls = 0;
  for (let i = 1; i < rank.length; i++) {
    const [t0, v0] = rank[i - 1] ?? [0, 0];
    const [t1, v1] = rank[i] ?? [0, 0];
    gaps.push((t1 - t0) / 60);
    if (v1 < 0.9 * v0) bigFalls++;
    else if (v1 < v0) smallFalls++;
  }
  const usedDrops = countDrops(csv[CsvType.COUNT_USED], from);
  const newDrops = countDrops(csv[CsvType.COUNT_NEW], from);
  const usedPriceTimes = new Set(pairs(csv[CsvType.USED]).map(([t]) => t));
  const counts = [...pairs(csv[CsvType.COUNT_NEW]), ...pairs(csv[CsvType.COUNT_USED])].map(([, v]) => v);
  return {
    medianRankGapHours: median(gaps),
    bigFallShare: gaps.length === 0 ? 0 : bigFalls / gaps.length,
    smallFallShare: gaps.length === 0 ? 0 : smallFalls / gaps.length,
    bigFalls,
    offerDrops: usedDrops.length + newDrops.length,
    priceAtDropMinuteShare: usedDrops.length === 0 ? 0 : usedDrops.filter((t) => usedPriceTimes.has(t)).length / usedDrops.length,
    minusOnes: counts.filter((v) => v === -1).length,
    zeros: counts.filter((v) => v === 0).length,
  };
}

export { median };
