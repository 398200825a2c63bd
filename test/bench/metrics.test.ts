import { describe, expect, it } from 'vitest';
import {
  baselineLevel,
  daemonLevel,
  failed,
  freshnessHours,
  fullBucketMinutes,
  idleShare,
  limitFrom,
  listingAt,
  listingsFetched,
  longestGapMs,
  opportunityFigures,
  priceMovedFrom,
  quantile,
  type RunFigures,
  repeats,
  runFigures,
  tokenSplit,
} from '../../bench/metrics.js';
import type { DriveResult, MinuteSample, SaveEvent, SeenDeal } from '../../bench/types.js';
import type { LedgerEntry } from '../../src/simulator/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const PEEK = { domain: '1', stats: '365', history: '0' };
const ENRICH = { domain: '1', stats: '365', history: '1', days: '1125', offers: '20', 'only-live-offers': '1' };
const REFRESH = { domain: '1', stats: '365', history: '0', offers: '20', 'only-live-offers': '1' };

let seq = 0;
function call(path: string, atMs: number, tokensConsumed: number, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { seq: ++seq, atMs, method: 'GET', path, params: {}, asins: [], status: 200, tokensConsumed, tokensLeft: 100, faults: [], ...extra };
}
const product = (atMs: number, params: Record<string, string>, asins: string[], tokens: number, extra: Partial<LedgerEntry> = {}): LedgerEntry => call('/product', atMs, tokens, { params: { ...params, asin: asins.join(',') }, asins, ...extra });

describe('token split', () => {
  it('classifies product calls by their parameters and books every path', () => {
    const ledger = [call('/token', 0, 0), call('/deal', 1, 5), product(2, PEEK, ['A', 'B'], 2), product(3, ENRICH, ['A'], 12), call('/seller', 4, 1), product(5, REFRESH, ['A'], 6)];
    const split = tokenSplit(ledger, daemonLevel, 24 * HOUR);
    expect(split).toMatchObject({ total: 26, discovery: 5, peek: 2, enrich: 12, seller: 1, refresh: 6, tokenCalls: 1, errorAnswers: 0, retries: 0 });
  });

  it('reads the baseline peek, which asks for offers, as a peek', () => {
    expect(baselineLevel(REFRESH)).toBe('peek');
    expect(daemonLevel(REFRESH)).toBe('refresh');
    expect(baselineLevel(ENRICH)).toBe('enrich');
  });

  it('counts failed answers as errors and what they were charged as retries', () => {
    const ledger = [product(0, PEEK, ['A'], 0, { status: 429 }), product(1, PEEK, ['A'], 1, { faults: ['truncatedJson'] }), product(2, PEEK, ['A'], 1)];
    expect(failed(ledger[0] as LedgerEntry)).toBe(true);
    const split = tokenSplit(ledger, daemonLevel, HOUR);
    expect(split.errorAnswers).toBe(2);
    expect(split.retries).toBe(1);
    // The broken answer is not a fetch: the one after it is the first peek of A, not a repeat.
    expect(split.repeats).toBe(0);
  });
});

describe('repeats', () => {
  it('charges a second peek or enrich of the same deal, sharing a call among its ASINs', () => {
    const ledger = [product(0, PEEK, ['A', 'B'], 2), product(HOUR, PEEK, ['A', 'C'], 2), product(2 * HOUR, ENRICH, ['A'], 12), product(3 * HOUR, ENRICH, ['A'], 12)];
    expect(repeats(ledger, daemonLevel, 24 * HOUR)).toEqual({ peek: 1, enrich: 12, refresh: 0 });
  });

  it('does not charge a new deal on an ASIN already fetched', () => {
    const seen: SeenDeal[] = [
      { asin: 'A', creationMs: 0, atMs: 0 },
      { asin: 'A', creationMs: 5 * HOUR, atMs: 5 * HOUR },
    ];
    const ledger = [product(HOUR, PEEK, ['A'], 1), product(2 * HOUR, PEEK, ['A'], 1), product(6 * HOUR, PEEK, ['A'], 1)];
    expect(repeats(ledger, daemonLevel, 24 * HOUR, listingAt(seen)).peek).toBe(1);
  });

  it('charges a refresh only when it comes sooner than the gap after the last fetch with offers', () => {
    const ledger = [product(0, ENRICH, ['A'], 12), product(4 * HOUR, REFRESH, ['A'], 12), product(30 * HOUR, REFRESH, ['A'], 6), product(60 * HOUR, REFRESH, ['A'], 6)];
    expect(repeats(ledger, daemonLevel, 24 * HOUR)).toEqual({ peek: 0, enrich: 0, refresh: 12 });
  });

  it('does not charge a refresh of a deal whose used price the deal list showed moving since its last fetch', () => {
    const ledger = [product(0, ENRICH, ['A', 'B'], 24), product(5 * HOUR, REFRESH, ['A', 'B'], 24)];
    const moved = priceMovedFrom([
      { asin: 'A', atMs: 3 * HOUR },
      { asin: 'B', atMs: 6 * HOUR },
    ]);
    expect(repeats(ledger, daemonLevel, 24 * HOUR, undefined, moved)).toEqual({ peek: 0, enrich: 0, refresh: 12 });
  });
});

describe('deals and opportunities', () => {
  it('names the listing an ASIN stood for at a moment, and counts each listing peeked once', () => {
    const seen: SeenDeal[] = [
      { asin: 'A', creationMs: 100, atMs: 1_000 },
      { asin: 'A', creationMs: 100, atMs: 2_000 },
      { asin: 'A', creationMs: 9_000, atMs: 10_000 },
    ];
    const listing = listingAt(seen);
    expect(listing('A', 1_500)).toBe('A@100');
    expect(listing('A', 10_000)).toBe('A@9000');
    expect(listing('B', 1_500)).toBe('B@?');
    const ledger = [product(1_500, PEEK, ['A'], 1), product(3_000, PEEK, ['A'], 1), product(11_000, PEEK, ['A'], 1), product(12_000, ENRICH, ['A'], 6)];
    expect([...listingsFetched(ledger, daemonLevel, 'peek', listing)].sort()).toEqual(['A@100', 'A@9000']);
    expect([...listingsFetched(ledger, daemonLevel, 'enrich', listing)]).toEqual(['A@9000']);
  });

  it('counts a deal rejected free on its deal object as analysed, once a listing, within the run', () => {
    const seen: SeenDeal[] = [
      { asin: 'A', creationMs: 100, atMs: 1_000 },
      { asin: 'B', creationMs: 200, atMs: 1_000 },
    ];
    const run: DriveResult = {
      options: { policy: 'daemon', refillRate: 5, days: 1, stream: { seed: 7, catalogSize: 10, dealsPerHour: 1 } },
      startMs: 0,
      endMs: 10 * HOUR,
      ledger: [product(1_500, PEEK, ['A'], 1)],
      saves: [],
      seen,
      commits: [],
      samples: [],
      funnel: {},
      opportunities: [],
      isOpportunity: {},
      listedAt: {},
      priceMoves: [],
      judgedFree: [
        { listing: 'B@200', atMs: 2_000 },
        { listing: 'A@100', atMs: 3_000 },
        { listing: 'C@300', atMs: 11 * HOUR },
      ],
      accuracy: {} as DriveResult['accuracy'],
      visible: [],
      rssMb: 0,
      cpuMs: 0,
      simCpuMs: 0,
      wallMs: 0,
    };
    expect(runFigures(run, daemonLevel, HOUR).analysed).toBe(2);
  });

  it('finds opportunities among saved rows with a profit, once an ASIN', () => {
    const save = (asin: string, profit: number | null): SaveEvent => ({ asin, savedAtMs: 0, dealLastUpdateMs: 0, profit, visible: profit !== null && profit > 0 });
    const saves = [save('A', 10), save('A', 12), save('B', -3), save('C', 4), save('D', null)];
    expect(opportunityFigures(saves, { A: true, B: true, C: false, D: true }, ['A', 'B', 'E'])).toEqual({ found: 1, real: 3, falsePositives: 1 });
  });
});

describe('time figures', () => {
  it('takes quantiles by nearest rank', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
  });

  it("measures freshness at a deal's first save, leaving out deals updated before the start", () => {
    const saves: SaveEvent[] = [
      { asin: 'A', savedAtMs: 2 * HOUR, dealLastUpdateMs: HOUR, profit: 1, visible: true },
      { asin: 'A', savedAtMs: 9 * HOUR, dealLastUpdateMs: 8 * HOUR, profit: 1, visible: true },
      { asin: 'B', savedAtMs: 3 * HOUR, dealLastUpdateMs: -HOUR, profit: 1, visible: true },
      { asin: 'C', savedAtMs: 3.5 * HOUR, dealLastUpdateMs: 3 * HOUR, profit: 1, visible: true },
    ];
    expect(freshnessHours(saves, 0)).toEqual([1, 0.5]);
  });

  it("counts freshness from a deal's appearance in the list when Keepa listed it after its lastUpdate", () => {
    const saves: SaveEvent[] = [
      { asin: 'A', savedAtMs: 6 * HOUR, dealLastUpdateMs: HOUR, profit: 1, visible: true },
      { asin: 'B', savedAtMs: 3 * HOUR, dealLastUpdateMs: 2 * HOUR, profit: 1, visible: true },
    ];
    expect(freshnessHours(saves, 0, (asin) => `${asin}@0`, { 'A@0': 5.5 * HOUR })).toEqual([0.5, 1]);
  });

  it('counts idle minutes against the whole run, and minutes with a full bucket', () => {
    const sample = (balance: number, next: number | null): MinuteSample => ({ atMs: 0, inRun: false, balance, maxTokens: 300, nextStepTokens: next });
    const samples = [sample(10, 6), sample(5, 6), sample(300, null), sample(300, 1)];
    expect(idleShare(samples, 8)).toBe(0.25);
    expect(fullBucketMinutes(samples)).toBe(2);
  });

  it("finds the longest stretch without a commit, the run's ends included", () => {
    expect(longestGapMs([5, 2, 9], 0, 10)).toBe(4);
    expect(longestGapMs([], 0, 10)).toBe(10);
  });
});

describe('limit', () => {
  it('divides the tokens left after discovery by the cost of a deal, and is capped by the stream', () => {
    const daemon = {
      budget: 10_000,
      tokens: { discovery: 1_000 },
      costs: { peekPerDeal: 1, survivorShare: 0.25, enrichPerSurvivor: 12 },
      streamListings: 5_000,
    } as unknown as RunFigures;
    expect(limitFrom(daemon)).toEqual({ byTokens: 2_250, byStream: 5_000, deals: 2_250, bound: 'tokens' });
    expect(limitFrom({ ...daemon, streamListings: 1_000 }).bound).toBe('stream');
  });
});
