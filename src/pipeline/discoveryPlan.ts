// The discovery plan: how many pages of the deal list a look reads, in which order, how often
// looks (and glances at the newest page) come, and what that costs, from the plan's refill rate
// and the list's size (docs/tokens.md, "Discovery"). Pure: discover.ts keeps the looks' state and
// reads the pages.
import { DEAL_PAGE_TOKENS, MAX_BATCH } from '../keepa/cost.js';

/** Keepa caches a query's answer for 120 s: looking more often reads the same answer again. */
export const KEEPA_CACHE_MS = 120_000;
/** Share of the refill that discovery may spend; the rest analyses what it finds (docs/tokens.md). */
export const DISCOVERY_SHARE = 0.12;
/** Keepa's `sortType` for deal age, newest first; 4 is percentage delta (docs/keepa.md). */
export const NEWEST_FIRST = 1;
export const PERCENT_DELTA = 4;
/**
 * A look that reads less than this share of the list reads it newest first instead of by
 * percentage delta (docs/tokens.md): measured on the token-bound bench.
 */
const PROMISING_SHARE = 0.25;
/**
 * Share of the refill spent on glances: one newest-first page between looks that read part of a
 * long list by percentage delta, so a new deal is seen within minutes (docs/tokens.md).
 */
const GLANCE_SHARE = 0.05;

/** How discovery spends: pages a look reads, how often looks come, and what that costs. */
export interface DiscoveryPlan {
  pages: number;
  intervalMs: number;
  /** Whether a look reads the whole list (as far as it is known). */
  wholeList: boolean;
  /** The order a look reads the list in: Keepa's `sortType`. */
  sortType: number;
  /** How often a glance at the newest page comes between looks; null when looks need none. */
  glanceMs: number | null;
  listPages: number | null;
  tokensPerHour: number;
}

/**
 * The plan for a refill rate (tokens/min, null while unknown) and the list's size in pages (null
 * while unknown). Discovery's share of the refill buys `pages` pages every `discoverEveryMinutes`;
 * a look reads those pages, all of a list that is smaller, and looks come sooner when the share
 * allows, down to Keepa's cache time. A plan too small for one page in that time reads one page
 * a look, less often.
 */
export function discoveryPlan(refillRate: number | null, listPages: number | null, discoverEveryMinutes: number, sortType = PERCENT_DELTA): DiscoveryPlan {
  const maxPages = listPages === null ? MAX_BATCH.deal : Math.max(1, Math.min(MAX_BATCH.deal, listPages));
  const targetMs = Math.max(KEEPA_CACHE_MS, discoverEveryMinutes * 60_000);
  if (refillRate === null || refillRate <= 0) {
    return { pages: maxPages, intervalMs: targetMs, wholeList: listPages !== null, sortType, glanceMs: null, listPages, tokensPerHour: (maxPages * DEAL_PAGE_TOKENS * 3_600_000) / targetMs };
  }
  const perMinute = DISCOVERY_SHARE * refillRate;
  const affordable = Math.floor((perMinute * targetMs) / 60_000 / DEAL_PAGE_TOKENS);
  const pages = Math.max(1, Math.min(maxPages, affordable));
  const intervalMs = Math.max(KEEPA_CACHE_MS, Math.ceil(((pages * DEAL_PAGE_TOKENS) / perMinute) * 60_000));
  // Reading the top few pages by percentage delta shows the same deepest drops at every look
  // (they stay listed for a day), and those are the ones the analysis most often rejects; the
  // newest pages show every deal that entered the list since the last look. A list of unknown
  // size counts as long: the first answer tells its size (`countedPages`).
  const small = pages < PROMISING_SHARE * (listPages ?? Infinity);
  const order = sortType === PERCENT_DELTA && small ? NEWEST_FIRST : sortType;
  const wholeList = listPages !== null && pages >= listPages;
  // A look by percentage delta shows a new deal only when its drop is among the deepest, and only
  // at the next look (19 minutes apart at 20/min): a glance at the newest page between looks
  // shows every deal that entered the list since, for one page's tokens.
  const glanceMs = order === PERCENT_DELTA && !wholeList ? Math.max(KEEPA_CACHE_MS, Math.ceil((DEAL_PAGE_TOKENS / (GLANCE_SHARE * refillRate)) * 60_000)) : null;
  const glanceTokens = glanceMs === null ? 0 : (DEAL_PAGE_TOKENS * 3_600_000) / glanceMs;
  return { pages, intervalMs, wholeList, sortType: order, glanceMs, listPages, tokensPerHour: (pages * DEAL_PAGE_TOKENS * 3_600_000) / intervalMs + glanceTokens };
}
