// A book's Amazon sales rank as Keepa records it (measured on real books, docs/simulator.md): sampled
// every 1-8 hours (log-uniform, median about 2.8 h), drifting worse between sales (doubling in
// `rankGrowthDays`, capped at 3,000,000) with a small wobble at every sample: most samples move
// by a few tenths of a percent either way, some by a few percent, and no wobble makes the rank
// fall by 8% or more between two samples. A sale improves the rank at once by at least a third;
// the next sample shows it. So a sale is a rank fall of more than about 10% between two samples
// and nothing else is, which is what the inference relies on.

import { msToKeepaMinutes } from '../keepa/time.js';
import { RANK_CAP, RANK_FLOOR, type Book } from './catalog.js';
import { Random, hashSeed } from './random.js';
import type { Series } from './series.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MIN_GAP_HOURS = 1;
const MAX_GAP_HOURS = 8;
/** Most samples wobble by at most this share either way... */
const SMALL_WOBBLE = 0.004;
/** ...some (this share of samples) by more, within [JOLT_DOWN, JOLT_UP]. */
const JOLT_CHANCE = 0.04;
const JOLT_DOWN = -0.03;
const JOLT_UP = 0.05;

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
      const wobble = rng.chance(JOLT_CHANCE) ? rng.range(JOLT_DOWN, JOLT_UP) : rng.range(-SMALL_WOBBLE, SMALL_WOBBLE);
      const value = Math.min(RANK_CAP, Math.max(1, Math.round(this.at(this.nextTickMs) * (1 + wobble))));
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

  private at(t: number): number {
    return Math.min(RANK_CAP, this.anchorRank * (1 + (t - this.anchorMs) / this.growthMs));
  }

  private gapMs(): number {
    return Math.exp(this.tickRng.range(Math.log(MIN_GAP_HOURS), Math.log(MAX_GAP_HOURS))) * HOUR_MS;
  }
}
