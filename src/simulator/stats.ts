// The `stats` object of a product, computed from the book's histories up to "now" the way
// Stats.java describes it: current values, time-weighted means over the requested interval and
// over 30/90/180/365 days, extremes over the whole history and over the interval, and sales
// rank drops. Offer-derived fields stay at Keepa's "not requested" value (-2) unless the
// product builder fills them from the offers it returns.

import { msToKeepaMinutes } from '../keepa/time.js';
import { CsvType, type KeepaStats } from '../keepa/types.js';
import { RANK_DROP_SHARE } from './assumptions.js';
import type { MarketTimeline } from './market.js';
import type { Series } from './series.js';

const DAY_MINUTES = 1_440;

export interface StatsWindow {
  fromMs: number;
  toMs: number;
}

/** Stats fields the simulator sends beyond those keepa-deals reads (kept for faithfulness). */
export interface SimulatedStats extends KeepaStats {
  atIntervalStart: number[];
  retrievedOfferCount: number;
}

export function computeStats(timeline: MarketTimeline, nowMs: number, window: StatsWindow): SimulatedStats {
  const now = msToKeepaMinutes(nowMs);
  const from = msToKeepaMinutes(window.fromMs);
  const to = Math.min(now, msToKeepaMinutes(window.toMs));
  const values = (fn: (s: Series) => number): number[] =>
    Array.from({ length: timeline.csvLength }, (_, type) => {
      const series = timeline.series.get(type);
      return series ? fn(series) : -1;
    });
  const pairs = (fn: (s: Series) => [number, number] | null): ([number, number] | null)[] =>
    Array.from({ length: timeline.csvLength }, (_, type) => {
      const series = timeline.series.get(type);
      return series ? fn(series) : null;
    });
  const lastDays = (days: number) => (s: Series) => s.weightedMean(now - days * DAY_MINUTES, now);
  const rank = timeline.get(CsvType.SALES_RANK);
  const drops = (days: number): number => rank.drops(now - days * DAY_MINUTES, now, RANK_DROP_SHARE);

  return {
    current: values((s) => s.valueAt(now)),
    avg: values((s) => s.weightedMean(from, to)),
    avg30: values(lastDays(30)),
    avg90: values(lastDays(90)),
    avg180: values(lastDays(180)),
    avg365: values(lastDays(365)),
    atIntervalStart: values((s) => s.valueAt(from)),
    min: pairs((s) => s.extreme(-Infinity, now, 'min')),
    max: pairs((s) => s.extreme(-Infinity, now, 'max')),
    minInInterval: pairs((s) => s.extreme(from, to, 'min')),
    maxInInterval: pairs((s) => s.extreme(from, to, 'max')),
    salesRankDrops30: drops(30),
    salesRankDrops90: drops(90),
    salesRankDrops180: drops(180),
    salesRankDrops365: drops(365),
    totalOfferCount: -2,
    offerCountFBA: -2,
    offerCountFBM: -2,
    buyBoxPrice: -2,
    buyBoxShipping: -2,
    retrievedOfferCount: -2,
  };
}
