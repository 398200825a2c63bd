// The old system's choices as one simple loop, so that every figure of the daemon has a ratio
// against them in the same run. It uses the same KeepaClient calls and the same analytics as the
// daemon; what differs is only what the issue lists of the old system:
// - a fixed estimate of 2 tokens an ASIN for product calls, never corrected (its peek asked for
//   offers, which Keepa charges 6 a page of 10, so its estimates ran far below the bill);
// - batches of 1 / 20 / 15 / 50 ASINs by refill rate, read as ascending tiers (under 10, under
//   20, under 60, 60 and more tokens a minute), so 5/min -> 1, 20/min -> 15, 60/min -> 50;
// - a burst threshold: a batch starts only when the balance holds 40 tokens (under 20 tokens a
//   minute) or 50 (from 20), and the run sleeps until it does;
// - no queue: each run reads the deal list down to its watermark, keeps the newest 200 deals and
//   moves the watermark past all of them, so whatever it does not reach in that run is lost;
//   a deal whose lastUpdate moved is new to it again.
// It sends the daemon's deal query (sortType 1), not the old one (sortType 4, which Keepa reads
// as percentage delta), so the comparison isolates the choices above. Its client keeps the new
// bucket, which mirrors Keepa's own balance; the old Redis counter drifted from it, so this
// baseline is kinder than the old system was (no 429 storms).
import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config.js';
import { describeError } from '../src/errors.js';
import { TokenBucket } from '../src/keepa/bucket.js';
import type { KeepaClient } from '../src/keepa/client.js';
import { type CallShape, CostModel, DEAL_PAGE_TOKENS, OFFER_PAGE_TOKENS } from '../src/keepa/cost.js';
import { keepaMinutesToMs } from '../src/keepa/time.js';
import type { KeepaDeal, KeepaSeller } from '../src/keepa/types.js';
import { analyzeProduct, peekProduct, winningOfferSellerId } from '../src/pipeline/analytics/index.js';
import { HISTORY_DAYS } from '../src/pipeline/enrich.js';
import { bump } from '../src/pipeline/funnel.js';
import type { Funnel } from '../src/state/runs.js';
import type { Store } from '../src/state/store.js';
import type { Policy } from './types.js';

const OLD_TOKENS_PER_ASIN = 2;
const RUN_CAP = 200;
const PAGE_SIZE = 150;
/** The old tasks slept as long as it took; a day is "as long as it takes" on a week's run. */
const WAIT_AS_LONG_AS_IT_TAKES_MS = 24 * 3_600_000;
/** It had no floor under the balance: a call went out whenever the balance was positive. */
const NO_FLOOR = 1_000_000;
const MINUTE_MS = 60_000;

export function oldBatchSize(refillRate: number): number {
  if (refillRate < 10) return 1;
  if (refillRate < 20) return 20;
  if (refillRate < 60) return 15;
  return 50;
}

export function oldBurstThreshold(refillRate: number): number {
  return refillRate < 20 ? 40 : 50;
}

/** 2 tokens an ASIN for any product call, whatever offers it asks for, and nothing learned. */
export class OldCostModel extends CostModel {
  override estimate(shape: CallShape): number {
    return shape.path === 'product' ? OLD_TOKENS_PER_ASIN * shape.count : this.baseline(shape);
  }

  /** The old estimate was a constant: what Keepa charged never changed it. */
  override learn(): void {}
}

export function oldBucket(): TokenBucket {
  return new TokenBucket({ maxDeficit: NO_FLOOR });
}

export interface BaselineDeps {
  store: Store;
  keepa: KeepaClient;
  clock: Clock;
  config: Config;
  refillRate: number;
  /** The end of the benchmark: a run still going then stops there, as if the process were stopped. */
  untilMs: number;
}

export function baselinePolicy(deps: BaselineDeps): Policy {
  const { store, keepa, clock, config } = deps;
  const batchSize = oldBatchSize(deps.refillRate);
  const threshold = oldBurstThreshold(deps.refillRate);
  const call = { maxWaitMs: WAIT_AS_LONG_AS_IT_TAKES_MS };
  let watermarkKm: number | null = null;
  const dealOf = new Map<string, KeepaDeal>();

  /** Sleeps until the balance holds the burst threshold, as the old task did. */
  const waitForBurst = async (): Promise<void> => {
    const s = keepa.bucket.snapshot(clock.now());
    if (s.figuresAtMs === null || s.refillRate === null || s.nextRefillMs === null || s.balance >= threshold) return;
    const refills = Math.ceil((threshold - s.balance) / s.refillRate);
    await clock.sleep(s.nextRefillMs - clock.now() + (refills - 1) * MINUTE_MS);
  };

  /** Newest deals down to the watermark (same-minute ties count as seen, as they did), at most 200. */
  const scan = async (funnel: Funnel): Promise<KeepaDeal[]> => {
    const found = new Map<string, KeepaDeal>();
    for (let page = 0; found.size < RUN_CAP; page++) {
      const answer = await keepa.deals({ ...config.dealQuery, sortType: 1 }, page, { job: 'discover', ...call });
      funnel.scanned = (funnel.scanned ?? 0) + answer.dr.length;
      const fresh = answer.dr.filter((d) => watermarkKm === null || d.lastUpdate > watermarkKm);
      for (const d of fresh) if (!found.has(d.asin)) found.set(d.asin, d);
      if (fresh.length < answer.dr.length || answer.dr.length < PAGE_SIZE) break;
    }
    const deals = [...found.values()].sort((a, b) => b.lastUpdate - a.lastUpdate);
    const newest = deals[0];
    if (newest !== undefined) watermarkKm = Math.max(watermarkKm ?? 0, newest.lastUpdate);
    funnel.skipped_past_cap = Math.max(0, deals.length - RUN_CAP);
    return deals.slice(0, RUN_CAP);
  };

  /** Peek with offers (the old peek), then the heavy fetch for survivors; one commit a batch. */
  const batch = async (runId: number, deals: readonly KeepaDeal[]): Promise<void> => {
    await waitForBurst();
    const asins = deals.map((d) => d.asin);
    const funnel: Funnel = {};
    const peeked = await keepa.products(asins, { stats: 365, history: false, offers: config.pipeline.offersPerProduct }, { job: 'peek', ...call });
    const survivors: string[] = [];
    for (const product of peeked) {
      const verdict = peekProduct(product, config.peek);
      bump(funnel, 'peeked');
      if (verdict.ok) survivors.push(product.asin);
      else bump(funnel, `rejected_${verdict.reason ?? 'unknown'}`);
    }
    const products =
      survivors.length === 0
        ? []
        : await keepa.products(
            survivors,
            {
              stats: 365,
              history: true,
              days: HISTORY_DAYS,
              offers: config.pipeline.offersPerProduct,
              onlyLiveOffers: true,
            },
            { job: 'enrich', ...call },
          );
    const sellerIds = [...new Set(products.map(winningOfferSellerId).filter((id): id is string => id !== null))];
    const sellers: Record<string, KeepaSeller> = sellerIds.length === 0 ? {} : await keepa.sellers(sellerIds, { job: 'seller', ...call });
    store.db.transaction(() => {
      const now = clock.now();
      for (const product of products) {
        const sellerId = winningOfferSellerId(product);
        const result = analyzeProduct({
          product,
          deal: dealOf.get(product.asin) ?? null,
          seller: sellerId === null ? null : (sellers[sellerId] ?? null),
          settings: config.business,
          nowMs: now,
        });
        bump(funnel, 'enriched');
        if (result.rejected !== null) {
          bump(funnel, `rejected_${result.rejected}`);
          continue;
        }
        store.deals.upsert({ ...result.row, ASIN: product.asin }, now, 'full');
        bump(funnel, 'saved');
      }
      store.runs.recordChunk(runId, funnel, 0, now);
    })();
  };

  return {
    async tick() {
      const runId = store.runs.start('baseline', clock.now());
      try {
        const funnel: Funnel = {};
        const deals = await scan(funnel);
        store.runs.recordChunk(runId, funnel, 0, clock.now());
        for (const d of deals) dealOf.set(d.asin, d);
        for (let i = 0; i < deals.length && clock.now() < deps.untilMs; i += batchSize) await batch(runId, deals.slice(i, i + batchSize));
        store.runs.finish(runId, 'ok', clock.now());
      } catch (e: unknown) {
        // The old task died with its run; the next one starts from the moved watermark.
        store.runs.finish(runId, 'failed', clock.now(), { error: describeError(e) });
      }
    },
    // The old janitor only deleted stale rows: nothing this benchmark measures.
    async janitor() {},
    // In a run its next step is a peek of a batch (at least one offer page an ASIN); a run starts with a scan.
    nextStepTokens(_atMs, inRun) {
      return inRun ? OFFER_PAGE_TOKENS * batchSize : DEAL_PAGE_TOKENS;
    },
    dealLastUpdateMs(asin) {
      const deal = dealOf.get(asin);
      return deal === undefined ? Number.NaN : keepaMinutesToMs(deal.lastUpdate);
    },
  };
}
