// The value of working on a candidate next: the profit it is expected to bring, times the chance
// its cheap copy is still there, per token it will still cost (docs/tokens.md). Pure: the queue
// ranks by it, and `bin/why` shows its inputs and result for a candidate.
import type { TokenBucket } from '../keepa/bucket.js';
import type { CostModel } from '../keepa/cost.js';
import { keepaMinutesToMs } from '../keepa/time.js';
import { CsvType, type KeepaDeal } from '../keepa/types.js';
import type { BusinessSettings } from '../settings.js';
import { keepaDrops, salesPerYear } from './analytics/index.js';
import { usedPrice } from './dealRecord.js';

/** Mean life of a deal's cheap copy: another buyer takes it (docs/tokens.md). */
export const DEAL_MEAN_LIFE_HOURS = 2;
/** A sale within this horizon counts: stock that sits longer ties up money and storage fees. */
const SELL_HORIZON_YEARS = 0.25;
/** Velocity assumed while nothing says otherwise (the peek checks it before the heavy fetch). */
const UNKNOWN_SALES_PER_YEAR = 4;
/** An estimate at or below zero still orders candidates by cost and age, below every positive one. */
const MIN_PROFIT_DOLLARS = 0.25;
/** Amazon's fees while the product's own are unknown (as analytics/money.ts assumes). */
const REFERRAL_SHARE = 0.15;
const PICK_AND_PACK_DOLLARS = 5.5;

export interface ValueInputs {
  /** What the copy costs now (cents): the deal's used price, or the peek's buy price. */
  buyCents: number | null;
  /** What it is expected to sell for (cents): the deal's 90-day used average, or the peek's sell price. */
  sellCents: number | null;
  /** Sales a year (Keepa's rank drops), null when unknown. */
  salesPerYear: number | null;
  /** When the cheap price appeared (epoch ms). */
  appearedAtMs: number;
  /** Tokens still to pay before the deal is saved: peek, heavy fetch, seller lookup. */
  tokens: number;
}

export interface CandidateValue {
  inputs: ValueInputs;
  /** Profit after fees, tax, prep and shipping at the expected sell price (dollars, floored). */
  profitDollars: number;
  /** Chance it sells within the horizon at its velocity. */
  sellChance: number;
  /** Chance the cheap copy is still there now. */
  survival: number;
  /** Expected dollars per token now. */
  value: number;
  /**
   * The queue's ordering key: ln(value) plus the appearance time over the mean life. Survival
   * decays alike for every candidate, so this key orders them as `value` does at any moment and
   * never needs rewriting as time passes.
   */
  key: number;
}

export function candidateValue(inputs: ValueInputs, settings: BusinessSettings, nowMs: number): CandidateValue {
  const { buyCents, sellCents } = inputs;
  let profit = MIN_PROFIT_DOLLARS;
  if (buyCents !== null && sellCents !== null && buyCents > 0 && sellCents > 0) {
    const sell = sellCents / 100;
    const buy = (buyCents / 100) * (settings.taxExempt ? 1 : 1 + settings.taxPercent / 100);
    profit = Math.max(MIN_PROFIT_DOLLARS, sell * (1 - REFERRAL_SHARE) - PICK_AND_PACK_DOLLARS - buy - settings.prepFee - settings.estimatedShipping);
  }
  const velocity = inputs.salesPerYear ?? UNKNOWN_SALES_PER_YEAR;
  const sellChance = 1 - Math.exp(-velocity * SELL_HORIZON_YEARS);
  const tokens = Math.max(1, inputs.tokens);
  const meanLifeMs = DEAL_MEAN_LIFE_HOURS * 3_600_000;
  const survival = Math.exp(-Math.max(0, nowMs - inputs.appearedAtMs) / meanLifeMs);
  const perToken = (profit * Math.max(sellChance, 1e-6)) / tokens;
  return { inputs, profitDollars: profit, sellChance, survival, value: perToken * survival, key: Math.log(perToken) + inputs.appearedAtMs / meanLifeMs };
}

/**
 * A candidate that has waited this long has been passed over for fresher ones at every step since
 * it was queued: the plan cannot reach everything. It gets only tokens that would otherwise wait
 * unused (docs/tokens.md).
 */
export const STALE_AFTER_MS = 3_600_000;
/** Share of the bucket's capacity from which a stale candidate may have tokens (docs/tokens.md). */
const SPARE_SHARE = 0.25;

/**
 * The oldest queue time a candidate may have to be worked now (epoch ms; 0: any). While the
 * bucket holds less than a quarter of its capacity, the tokens go to candidates queued within the last
 * `STALE_AFTER_MS`; from then on, fresher work does not use all of them, and stale candidates have
 * the rest. A bucket whose capacity is unknown yet counts as spare.
 */
export function workableSince(bucket: Pick<TokenBucket, 'snapshot'>, nowMs: number): number {
  const { balance, capacity } = bucket.snapshot(nowMs);
  if (capacity === null || balance >= SPARE_SHARE * capacity) return 0;
  return nowMs - STALE_AFTER_MS;
}

/** When the deal's current used price appeared: Keepa's `currentSince`, else the deal's creation. */
export function appearedAtMs(deal: KeepaDeal): number {
  const since = deal.currentSince?.[CsvType.USED] ?? -1;
  return keepaMinutesToMs(since > 0 ? Math.max(since, deal.creationDate) : deal.creationDate);
}

/** The value inputs a deal object gives before any token is spent. */
export function dealValueInputs(deal: KeepaDeal, tokens: number): ValueInputs {
  const avg90 = deal.avg?.[3]?.[CsvType.USED] ?? -1;
  return {
    buyCents: usedPrice(deal),
    sellCents: avg90 > 0 ? avg90 : null,
    salesPerYear: salesPerYear(keepaDrops(deal)),
    appearedAtMs: appearedAtMs(deal),
    tokens,
  };
}

/**
 * Tokens a candidate will still cost before it is saved, at the cost model's current estimates:
 * the peek (unless paid), the heavy fetch with its offer pages, and the seller lookup.
 */
export function candidateTokens(costs: CostModel, c: { offers: number; expectedOffers: number | undefined; peeked: boolean; lookupSellers: boolean }): number {
  const peek = c.peeked ? 0 : costs.estimate({ path: 'product', count: 1 });
  const heavy = costs.estimate({ path: 'product', count: 1, offers: c.offers, ...(c.expectedOffers === undefined ? {} : { expectedOffers: c.expectedOffers }) });
  const seller = c.lookupSellers ? costs.estimate({ path: 'seller', count: 1 }) : 0;
  return peek + heavy + seller;
}
