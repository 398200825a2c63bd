// A book's Amazon sales rank: sampled every 6-14 hours, it only gets worse between sales
// (growing linearly, doubling in `rankGrowthDays`, capped at 3,000,000), and a few hours after
// a sale it drops sharply towards the book's post-sale rank. So every rank drop in the history
// is a sale, and dead inventory has none: what analytics.md's "offer drop confirmed by a rank
// drop within 240 h" relies on.

import { msToKeepaMinutes } from '../keepa/time.js';
import { RANK_CAP, RANK_FLOOR, type Book } from './catalog.js';
import { Random, hashSeed } from './random.js';
import type { Series } from './series.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export class SalesRank {
  private anchorRank: number;
  private anchorMs: number;
  private nextTickMs: number;
  private readonly pending: number[] = [];
  private readonly growthMs: number;
  /** Samples outnumber every other event, so they have their own generator and skip the event queue. */
  private readonly tickRng: Random;

  constructor(
    private readonly series: Series,
    private readonly book: Book,
    seed: number,
    startMs: number,
    startRank: number,
  ) {
    this.tickRng = new Random(hashSeed(seed, book.index, 'rank-ticks'));
    this.growthMs = book.rankGrowthDays * DAY_MS;
    this.anchorRank = startRank;
    this.anchorMs = startMs;
    series.push(msToKeepaMinutes(startMs), startRank);
    this.nextTickMs = startMs + this.tickRng.range(6, 14) * HOUR_MS;
  }

  /** When the next pending post-sale drop happens (Infinity when none). */
  get nextDropAt(): number {
    return this.pending[0] ?? Infinity;
  }

  scheduleDrop(atMs: number): void {
    const at = this.pending.findIndex((d) => d > atMs);
    this.pending.splice(at < 0 ? this.pending.length : at, 0, atMs);
  }

  /** Records the samples due before `until` (or at it, when inclusive). */
  sampleUntil(until: number, inclusive: boolean): void {
    while (this.nextTickMs < until || (inclusive && this.nextTickMs === until)) {
      this.series.push(msToKeepaMinutes(this.nextTickMs), this.at(this.nextTickMs));
      this.nextTickMs += this.tickRng.range(6, 14) * HOUR_MS;
    }
  }

  /** Applies the pending drop due at `t`. */
  drop(t: number, rng: Random): void {
    this.pending.shift();
    const improved = Math.min(this.at(t) * rng.range(0.35, 0.65), this.book.saleRank * rng.range(0.8, 1.25));
    this.anchorRank = Math.max(RANK_FLOOR, Math.round(improved));
    this.anchorMs = t;
    this.series.push(msToKeepaMinutes(t), this.anchorRank);
  }

  private at(t: number): number {
    return Math.min(RANK_CAP, Math.round(this.anchorRank * (1 + (t - this.anchorMs) / this.growthMs)));
  }
}
