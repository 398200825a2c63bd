// A book's Amazon sales rank as Keepa records it (measured on real books, docs/simulator.md):
// sampled every 1-8 hours (log-uniform, median about 2.8 h), drifting worse between sales (by the
// book's usual post-sale rank every `rankGrowthDays`, capped at 6,000,000) with a wobble at every
// sample. The wobble is small against the fall that means a sale: most samples move by half the
// wobble limit either way, some (4%) by up to the limit, and the limit is 40% of
// min(5%, rank / 10,000,000), the smallest fall the inference reads as a sale (real books: a few
// tenths of a percent at ranks in the millions). A sale improves the rank at once by at least a
// third; the next sample shows it. So every sale is one rank fall between two samples, and no
// wobble is.

import { msToKeepaMinutes } from '../keepa/time.js';
import { type Book, RANK_CAP, RANK_FLOOR } from './catalog.js';
import { hashSeed, Random } from './random.js';
import type { Series } from './series.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MIN_GAP_HOURS = 1;
const MAX_GAP_HOURS = 8;
/** Share of the smallest sale fall a wobble may reach, either way. */
const WOBBLE_SHARE = 0.4;
/** Most samples wobble by half the limit; this share of them by up to the limit. */
const JOLT_CHANCE = 0.04;
const SMALL_WOBBLE = 0.5;

/** The smallest rank fall that the inference reads as a sale, as a share of the rank. */
function saleFallShare(rank: number): number {
  return Math.min(0.05, rank / 10_000_000);
}

export class SalesRank {
  private anchorRank: number;
  private anchorMs: number;
  private nextTickMs: number;
  private lastTickMs: number;
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
    this.lastTickMs = startMs;
    this.nextTickMs = startMs + this.gapMs();
  }

  /** When the last sample was taken. */
  get lastSampleMs(): number {
    return this.lastTickMs;
  }

  /** When the next sample will be taken. */
  get nextSampleMs(): number {
    return this.nextTickMs;
  }

  /** Records the samples due before `until` (or at it, when inclusive). */
  sampleUntil(until: number, inclusive: boolean): void {
    const rng = this.tickRng;
    while (this.nextTickMs < until || (inclusive && this.nextTickMs === until)) {
      const base = this.at(this.nextTickMs);
      const limit = WOBBLE_SHARE * saleFallShare(base) * (rng.chance(JOLT_CHANCE) ? 1 : SMALL_WOBBLE);
      // The wobble goes on after the cap: a rank in the millions still moves at every sample.
      const value = Math.max(1, Math.round(base * (1 + rng.range(-limit, limit))));
      this.series.push(msToKeepaMinutes(this.nextTickMs), value);
      this.lastTickMs = this.nextTickMs;
      this.nextTickMs += this.gapMs();
    }
  }

  /** A sale at `t`: the rank improves towards the book's post-sale rank, by a third at least. */
  sale(t: number, rng: Random): void {
    const improved = Math.min(this.at(t) * rng.range(0.35, 0.65), this.book.saleRank * rng.range(0.8, 1.25));
    this.anchorRank = Math.max(RANK_FLOOR, Math.round(improved));
    this.anchorMs = t;
  }

  // Grows by the book's post-sale rank (or its own, if worse) every `rankGrowthDays`: a rank
  // left very good by a burst of sales climbs back towards the book's usual level.
  private at(t: number): number {
    return Math.min(RANK_CAP, this.anchorRank + ((t - this.anchorMs) / this.growthMs) * Math.max(this.anchorRank, this.book.saleRank));
  }

  private gapMs(): number {
    return Math.exp(this.tickRng.range(Math.log(MIN_GAP_HOURS), Math.log(MAX_GAP_HOURS))) * HOUR_MS;
  }
}
