// The benchmark's figures, computed from what a run left behind: the simulator's ledger (every
// call and what it cost), the saves and commits observed in the database, the deal pages the
// policy read, minute samples of the balance, and the simulator's ground truth. Pure functions,
// so they can be checked on small hand-made ledgers.
import type { LedgerEntry } from '../src/simulator/index.js';
import type { Accuracy } from './accuracy.js';
import type { DriveResult, MinuteSample, PriceMove, SaveEvent, SeenDeal } from './types.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export type Level = 'peek' | 'enrich' | 'refresh';
export type LevelOf = (params: Readonly<Record<string, string>>) => Level;

/** The daemon's calls: history=0 without offers is a peek, with offers a refresh; with history an enrich. */
export const daemonLevel: LevelOf = (p) => (p.history !== '0' ? 'enrich' : p.offers === undefined ? 'peek' : 'refresh');
/** The baseline never refreshes; its peek asks for offers (the old peek did). */
export const baselineLevel: LevelOf = (p) => (p.history !== '0' ? 'enrich' : 'peek');

export interface TokenSplit {
  total: number;
  discovery: number;
  peek: number;
  enrich: number;
  /** Seller lookups for the winning offer, part of enriching. */
  seller: number;
  refresh: number;
  tokenCalls: number;
  /** Answers that failed: an error status (429s included: they cost nothing but time) or a broken body. */
  errorAnswers: number;
  /** Tokens charged for failed answers: what errors cost, since each call is sent again. */
  retries: number;
  /** Tokens spent fetching an ASIN again at a level already fetched and committed (see `repeats`). */
  repeats: number;
  repeatsByLevel: Record<Level, number>;
}

export function tokenSplit(ledger: readonly LedgerEntry[], levelOf: LevelOf, refreshGapMs: number, listing: ListingOf = byAsin, moved: PriceMoved = neverMoved): TokenSplit {
  const split: TokenSplit = {
    total: 0,
    discovery: 0,
    peek: 0,
    enrich: 0,
    seller: 0,
    refresh: 0,
    tokenCalls: 0,
    errorAnswers: 0,
    retries: retryTokens(ledger),
    repeats: 0,
    repeatsByLevel: repeats(ledger, levelOf, refreshGapMs, listing, moved),
  };
  for (const e of ledger) {
    split.total += e.tokensConsumed;
    if (failed(e)) split.errorAnswers += 1;
    if (e.path === '/deal') split.discovery += e.tokensConsumed;
    else if (e.path === '/seller') split.seller += e.tokensConsumed;
    else if (e.path === '/token') split.tokenCalls += 1;
    else if (e.path === '/product') split[levelOf(e.params)] += e.tokensConsumed;
  }
  const r = split.repeatsByLevel;
  split.repeats = r.peek + r.enrich + r.refresh;
  return split;
}

/** Names the deal an ASIN stood for at a moment (see `listingAt`). */
export type ListingOf = (asin: string, atMs: number) => string;
const byAsin: ListingOf = (asin) => asin;

/** Whether the deal pages showed `asin` at a new used price after `fromMs`, up to `toMs`. */
export type PriceMoved = (asin: string, fromMs: number, toMs: number) => boolean;
const neverMoved: PriceMoved = () => false;

export function priceMovedFrom(moves: readonly PriceMove[]): PriceMoved {
  const byAsin = new Map<string, number[]>();
  for (const m of moves) byAsin.set(m.asin, [...(byAsin.get(m.asin) ?? []), m.atMs]);
  return (asin, fromMs, toMs) => (byAsin.get(asin) ?? []).some((t) => t > fromMs && t <= toMs);
}

/**
 * Tokens spent on repeats. A peek or an enrich of a deal (`listing`: a new deal on the same ASIN
 * is new work) already fetched at that level is a repeat: every answer here is committed, since
 * the benchmark has no crashes. A refresh is a repeat when it comes sooner than `refreshGapMs`
 * after the ASIN's last fetch with offers (enrich or refresh) and the deal list showed no new used
 * price for it since (`moved`): refreshing is the point of that level, but not of data the daemon
 * itself still counts as fresh, and data whose price moved is not. A call's tokens are shared
 * evenly among its ASINs.
 */
export function repeats(ledger: readonly LedgerEntry[], levelOf: LevelOf, refreshGapMs: number, listing: ListingOf = byAsin, moved: PriceMoved = neverMoved): Record<Level, number> {
  const out: Record<Level, number> = { peek: 0, enrich: 0, refresh: 0 };
  const fetched = new Set<string>();
  const offersAt = new Map<string, number>();
  for (const e of ledger) {
    if (e.path !== '/product' || failed(e) || e.asins.length === 0) continue;
    const level = levelOf(e.params);
    const share = e.tokensConsumed / e.asins.length;
    for (const asin of e.asins) {
      const last = offersAt.get(asin);
      const key = `${level} ${listing(asin, e.atMs)}`;
      const repeated = level === 'refresh' ? last !== undefined && e.atMs - last < refreshGapMs && !moved(asin, last, e.atMs) : fetched.has(key);
      if (repeated) out[level] += share;
      fetched.add(key);
      if (level !== 'peek') offersAt.set(asin, e.atMs);
    }
  }
  return out;
}

/** Faults that leave a 200 answer unreadable: the client cannot use what it paid for. */
const BROKEN_BODY = ['truncatedJson', 'htmlBody'];

/** An answer the client could not use: an error status, no answer at all, or a broken body. */
export function failed(e: LedgerEntry): boolean {
  return e.status !== 200 || e.faults.some((f) => BROKEN_BODY.includes(f));
}

/** Tokens charged for failed answers. */
export function retryTokens(ledger: readonly LedgerEntry[]): number {
  return ledger.filter(failed).reduce((sum, e) => sum + e.tokensConsumed, 0);
}

/**
 * Names the listing (ASIN and the deal's creation time) an ASIN stood for at a moment: the latest
 * one the deal pages had shown by then. A deal whose lastUpdate merely moved is the same listing.
 */
export function listingAt(seen: readonly SeenDeal[]): ListingOf {
  const byAsin = new Map<string, SeenDeal[]>();
  for (const s of seen) {
    const list = byAsin.get(s.asin) ?? [];
    list.push(s);
    byAsin.set(s.asin, list);
  }
  for (const list of byAsin.values()) list.sort((a, b) => a.atMs - b.atMs);
  return (asin, atMs) => {
    let creation: number | null = null;
    for (const s of byAsin.get(asin) ?? []) {
      if (s.atMs > atMs) break;
      creation = s.creationMs;
    }
    return `${asin}@${creation ?? '?'}`;
  };
}

/**
 * Listings fetched at a level. Every candidate a policy takes gets a peek, whatever it decides
 * after, so the listings peeked are the deals analysed; those enriched passed the peek.
 */
export function listingsFetched(ledger: readonly LedgerEntry[], levelOf: LevelOf, level: Level, listing: ListingOf): Set<string> {
  const out = new Set<string>();
  for (const e of ledger) {
    if (e.path !== '/product' || failed(e) || levelOf(e.params) !== level) continue;
    for (const asin of e.asins) out.add(listing(asin, e.atMs));
  }
  return out;
}

export interface OpportunityFigures {
  /** Distinct ASINs saved with Profit > 0 that ground truth marks as real opportunities. */
  found: number;
  /** Real opportunities whose deal was live during the run. */
  real: number;
  /** Distinct ASINs saved with Profit > 0 that are not real opportunities. */
  falsePositives: number;
}

export function opportunityFigures(saves: readonly SaveEvent[], isOpportunity: Readonly<Record<string, boolean>>, real: readonly string[]): OpportunityFigures {
  const found = new Set<string>();
  const wrong = new Set<string>();
  for (const s of saves) {
    if (s.profit === null || s.profit <= 0) continue;
    (isOpportunity[s.asin] === true ? found : wrong).add(s.asin);
  }
  return { found: found.size, real: real.length, falsePositives: wrong.size };
}

/** The q-quantile (0..1) by nearest rank; null for no values. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/**
 * Hours from a deal's appearance in the deal list to its row's first save; saving the same deal
 * again is not news. Keepa lists some deals hours after their lastUpdate, and no policy can see
 * them sooner, so the clock starts at the listing (`listedAt`, ground truth; the deal's lastUpdate
 * where unknown). Deals listed before the run began are left out: their delay counts time when no
 * policy was running.
 */
export function freshnessHours(saves: readonly SaveEvent[], startMs: number, listing: ListingOf = byAsin, listedAt: Readonly<Record<string, number>> = {}): number[] {
  const first = new Map<string, SaveEvent>();
  for (const s of saves) {
    const key = listing(s.asin, s.savedAtMs);
    if (!first.has(key)) first.set(key, s);
  }
  const ages: number[] = [];
  for (const [key, s] of first) {
    const from = listedAt[key] ?? s.dealLastUpdateMs;
    if (from >= startMs) ages.push((s.savedAtMs - from) / HOUR_MS);
  }
  return ages;
}

/**
 * Idle share: the share of the run's minutes at which the policy was not calling Keepa (between
 * runs, or asleep in one), had a next step, and the simulator's balance already held its cost.
 */
export function idleShare(samples: readonly MinuteSample[], runMinutes: number): number {
  const idle = samples.filter((s) => s.nextStepTokens !== null && s.balance >= s.nextStepTokens).length;
  return runMinutes > 0 ? idle / runMinutes : 0;
}

/** Minutes between runs with the bucket full: each one's refill was thrown away. */
export function fullBucketMinutes(samples: readonly MinuteSample[]): number {
  return samples.filter((s) => s.maxTokens > 0 && s.balance >= s.maxTokens).length;
}

/** The longest stretch without a committed chunk, the run's start and end included. */
export function longestGapMs(commits: readonly number[], startMs: number, endMs: number): number {
  const times = [startMs, ...[...commits].sort((a, b) => a - b), endMs];
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return longest;
}

/** What one run shows, ready for the report; costs for the limit come from the daemon's runs. */
export interface RunFigures {
  policy: DriveResult['options']['policy'];
  refillRate: number;
  days: number;
  /** Tokens the account received: the full bucket at start plus every refill. */
  budget: number;
  tokens: TokenSplit;
  /** Distinct listings the deal pages showed during the run. */
  streamListings: number;
  /** Distinct listings judged: peeked, or rejected free on their deal object. */
  analysed: number;
  saved: number;
  opportunities: OpportunityFigures;
  freshnessP50H: number | null;
  freshnessP95H: number | null;
  idleShare: number;
  fullBucketMinutes: number;
  longestGapH: number;
  /** Per-item costs seen in this run, for the limit: peek tokens and the share heavy-fetched per deal judged. */
  costs: { peekPerDeal: number; survivorShare: number; enrichPerSurvivor: number };
  funnel: Record<string, number>;
  accuracy: Accuracy;
  rssMb: number;
  cpuMs: number;
  simCpuMs: number;
  wallMs: number;
}

/** Only what happened within the run's window counts: a run still going at its end may overrun it. */
export function runFigures(run: DriveResult, levelOf: LevelOf, refreshGapMs: number): RunFigures {
  const within = (atMs: number): boolean => atMs >= run.startMs && atMs < run.endMs;
  const r: DriveResult = {
    ...run,
    ledger: run.ledger.filter((e) => within(e.atMs)),
    saves: run.saves.filter((s) => within(s.savedAtMs)),
    samples: run.samples.filter((s) => within(s.atMs)),
    commits: run.commits.filter(within),
  };
  const listing = listingAt(r.seen);
  const tokens = tokenSplit(r.ledger, levelOf, refreshGapMs, listing, priceMovedFrom(r.priceMoves));
  const runMinutes = (r.endMs - r.startMs) / MINUTE_MS;
  const fresh = freshnessHours(r.saves, r.startMs, listing, r.listedAt);
  let enrichAsins = 0;
  for (const e of r.ledger) {
    if (e.path === '/product' && !failed(e) && levelOf(e.params) === 'enrich') enrichAsins += e.asins.length;
  }
  const enrichedListings = listingsFetched(r.ledger, levelOf, 'enrich', listing);
  // Judged: peeked, rejected free on Keepa's own counts, or passed free to the heavy fetch.
  const analysed = new Set([...listingsFetched(r.ledger, levelOf, 'peek', listing), ...enrichedListings, ...r.judgedFree.filter((j) => within(j.atMs)).map((j) => j.listing)]).size;
  return {
    policy: r.options.policy,
    refillRate: r.options.refillRate,
    days: r.options.days,
    budget: r.options.refillRate * (60 + runMinutes),
    tokens,
    streamListings: new Set(r.seen.map((s) => `${s.asin}@${s.creationMs}`)).size,
    analysed,
    saved: new Set(r.saves.map((s) => listing(s.asin, s.savedAtMs))).size,
    opportunities: opportunityFigures(r.saves, r.isOpportunity, r.opportunities),
    freshnessP50H: quantile(fresh, 0.5),
    freshnessP95H: quantile(fresh, 0.95),
    idleShare: idleShare(r.samples, runMinutes),
    fullBucketMinutes: fullBucketMinutes(r.samples),
    longestGapH: longestGapMs(r.commits, r.startMs, r.endMs) / HOUR_MS,
    // Per deal judged for the peeks and the share, per fetch for the heavy price: the limit counts each deal once.
    costs: {
      peekPerDeal: analysed > 0 ? tokens.peek / analysed : 0,
      survivorShare: analysed > 0 ? enrichedListings.size / analysed : 0,
      enrichPerSurvivor: enrichAsins > 0 ? (tokens.enrich + tokens.seller) / enrichAsins : 0,
    },
    funnel: r.funnel,
    accuracy: r.accuracy,
    rssMb: r.rssMb,
    cpuMs: r.cpuMs,
    simCpuMs: r.simCpuMs,
    wallMs: r.wallMs,
  };
}

export interface Limit {
  /** Deals the tokens could analyse: (budget - discovery) / (peek + survivor share x enrich). */
  byTokens: number;
  /** Listings the stream offered. */
  byStream: number;
  deals: number;
  bound: 'tokens' | 'stream';
}

/**
 * The physical limit at one rate, from the daemon's run on that catalog and stream: its costs are
 * Keepa's prices for these products (the peeks it needed, the offer pages of the survivors) and its
 * survivor share is the verdict of the peek's rules (on the deal objects or the peeks) on this stream. Refresh is not in it: every token
 * could go to new deals.
 */
export function limitFrom(daemon: RunFigures): Limit {
  const { peekPerDeal, survivorShare, enrichPerSurvivor } = daemon.costs;
  const perDeal = peekPerDeal + survivorShare * enrichPerSurvivor;
  const byTokens = perDeal > 0 ? (daemon.budget - daemon.tokens.discovery) / perDeal : Infinity;
  const byStream = daemon.streamListings;
  return { byTokens, byStream, deals: Math.min(byTokens, byStream), bound: byTokens <= byStream ? 'tokens' : 'stream' };
}
