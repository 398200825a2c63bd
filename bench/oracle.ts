// An oracle for the token-bound regime: it looks at the deal list as the daemon's discovery plan
// allows (the same pages, as often), asks the simulator's ground truth which deals are real
// opportunities, and heavy-fetches only those, the most recently appeared first, with their
// sellers. No peek, no refresh, no token on anything that is not an opportunity: what a policy that
// knew the answers could make visible with the same discovery and the same tokens.
import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config.js';
import { RateLimitedError } from '../src/errors.js';
import type { KeepaClient } from '../src/keepa/client.js';
import { DEAL_PAGE_TOKENS, dealOfferCount } from '../src/keepa/cost.js';
import { keepaMinutesToMs } from '../src/keepa/time.js';
import type { KeepaDeal, KeepaSeller } from '../src/keepa/types.js';
import { analyzeProduct, winningOfferSellerId } from '../src/pipeline/analytics/index.js';
import { countedPages, DEAL_PAGE_SIZE, dropPercent } from '../src/pipeline/discover.js';
import { discoveryPlan } from '../src/pipeline/discoveryPlan.js';
import { HISTORY_DAYS } from '../src/pipeline/enrich.js';
import { bump } from '../src/pipeline/funnel.js';
import { appearedAtMs } from '../src/pipeline/value.js';
import type { Funnel } from '../src/state/runs.js';
import type { Store } from '../src/state/store.js';
import type { Policy } from './types.js';

const TICK_MS = 5 * 60_000;
const MAX_BATCH = 10;

export interface OracleDeps {
  config: Config;
  store: Store;
  clock: Clock;
  keepa: KeepaClient;
  untilMs: number;
  /** Ground truth: which of these ASINs are real opportunities. */
  truth(asins: string[]): Promise<Record<string, boolean>>;
}

export function oraclePolicy(deps: OracleDeps): Policy {
  const { config, store, clock, keepa } = deps;
  const pending = new Map<string, KeepaDeal>();
  /** Listings (ASIN and creation) already judged or fetched. */
  const handled = new Set<string>();
  const dealOf = new Map<string, KeepaDeal>();
  let lastLookAt: number | null = null;
  let lastGlanceAt: number | null = null;
  /** The shallowest drop the last look by percentage delta read: what a glance queues (as the daemon's). */
  let floorPercent: number | null = null;
  let listPages: number | null = null;
  const call = { maxWaitMs: config.pipeline.maxTokenWaitSeconds * 1000 };
  const listing = (d: KeepaDeal): string => `${d.asin}@${d.creationDate}`;
  const plan = (atMs: number) => discoveryPlan(keepa.bucket.snapshot(atMs).refillRate, listPages, config.pipeline.discoverEveryMinutes, config.dealQuery.sortType);
  /** The daemon's looks and glances at the newest page between them (src/pipeline/discover.ts). */
  const lookDue = (atMs: number): 'look' | 'glance' | null => {
    const p = plan(atMs);
    if (lastLookAt === null || atMs - lastLookAt >= p.intervalMs) return 'look';
    if (p.glanceMs !== null && atMs - Math.max(lastLookAt, lastGlanceAt ?? -Infinity) >= p.glanceMs) return 'glance';
    return null;
  };
  const offers = config.pipeline.offersPerProduct;

  const look = async (funnel: Funnel, kind: 'look' | 'glance'): Promise<void> => {
    const { pages, sortType } = kind === 'look' ? plan(clock.now()) : { pages: 1, sortType: 1 };
    const found = new Map<string, KeepaDeal>();
    for (let page = 0; page < pages; page++) {
      const answer = await keepa.deals({ ...config.dealQuery, sortType }, page, { job: 'discover', ...call });
      bump(funnel, 'scanned', answer.dr.length);
      const deep = kind === 'glance' && floorPercent !== null ? answer.dr.filter((d) => dropPercent(d, config.dealQuery) >= (floorPercent ?? 0)) : answer.dr;
      for (const d of deep) if (!handled.has(listing(d))) found.set(d.asin, d);
      if (answer.dr.length < DEAL_PAGE_SIZE) {
        listPages = page + 1;
        if (kind === 'look') floorPercent = null;
        break;
      }
      if (kind === 'look' && page === pages - 1) floorPercent = sortType === 4 ? Math.min(...answer.dr.map((d) => dropPercent(d, config.dealQuery))) : null;
      listPages = countedPages(answer, config.dealQuery.includeCategories) ?? listPages;
    }
    if (kind === 'look') lastLookAt = clock.now();
    else lastGlanceAt = clock.now();
    const truth = await deps.truth([...found.keys()]);
    for (const d of found.values()) {
      handled.add(listing(d));
      if (truth[d.asin] === true) {
        pending.set(d.asin, d);
        dealOf.set(d.asin, d);
        bump(funnel, 'queued');
      }
    }
  };

  /** Heavy-fetches the newest pending opportunities the bucket can pay for; false when it cannot. */
  const fetchSome = async (runId: number): Promise<boolean> => {
    const funnel: Funnel = {};
    const chosen = [...pending.values()].sort((a, b) => appearedAtMs(b) - appearedAtMs(a));
    const first = chosen[0];
    if (first === undefined) return false;
    const per = keepa.costs.estimate({ path: 'product', count: 1, offers, expectedOffers: dealOfferCount(first) ?? offers }) + keepa.costs.estimate({ path: 'seller', count: 1 });
    const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(keepa.bucket.grantableNow(clock.now()) / per)));
    const batch = chosen.slice(0, size);
    try {
      const products = await keepa.products(
        batch.map((d) => d.asin),
        { stats: 365, history: true, days: HISTORY_DAYS, offers, onlyLiveOffers: true },
        { job: 'enrich', ...call },
      );
      const ids = [...new Set(products.map(winningOfferSellerId).filter((id): id is string => id !== null))];
      const sellers: Record<string, KeepaSeller> = ids.length === 0 ? {} : await keepa.sellers(ids, { job: 'seller', maxWaitMs: 3_600_000 });
      store.db.transaction(() => {
        const now = clock.now();
        for (const product of products) {
          const sellerId = winningOfferSellerId(product);
          const result = analyzeProduct({ product, deal: dealOf.get(product.asin) ?? null, seller: sellerId === null ? null : (sellers[sellerId] ?? null), settings: config.business, nowMs: now });
          bump(funnel, 'enriched');
          if (result.rejected !== null) bump(funnel, `rejected_${result.rejected}`);
          else {
            store.deals.upsert({ ...result.row, ASIN: product.asin }, now, 'full');
            bump(funnel, 'saved');
          }
        }
        store.runs.recordChunk(runId, funnel, 0, now);
      })();
      for (const d of batch) pending.delete(d.asin);
      return true;
    } catch (e: unknown) {
      if (e instanceof RateLimitedError) return false;
      throw e;
    }
  };

  return {
    async tick() {
      const runId = store.runs.start('oracle', clock.now());
      const end = Math.min(deps.untilMs, clock.now() + TICK_MS);
      while (clock.now() < end) {
        const due = lookDue(clock.now());
        if (due !== null) {
          const funnel: Funnel = {};
          try {
            await look(funnel, due);
          } catch (e: unknown) {
            if (e instanceof RateLimitedError) break;
            throw e;
          }
          store.runs.recordChunk(runId, funnel, 0, clock.now());
          continue;
        }
        if (!(await fetchSome(runId))) break;
      }
      store.runs.finish(runId, 'ok', clock.now());
    },
    async janitor() {},
    nextStepTokens(atMs, inRun) {
      if (inRun) return null;
      if (lookDue(atMs) !== null) return DEAL_PAGE_TOKENS;
      return pending.size > 0 ? keepa.costs.estimate({ path: 'product', count: 1, offers, expectedOffers: 1 }) : null;
    },
    dealLastUpdateMs(asin) {
      const deal = dealOf.get(asin);
      return deal === undefined ? Number.NaN : keepaMinutesToMs(deal.lastUpdate);
    },
  };
}
