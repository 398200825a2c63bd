// Discovery against crafted deal pages (undici MockAgent), for the orderings the old system lost
// deals on: pages out of order, ties on one minute across a page boundary, duplicates, 429s.
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { JobContext } from '../../src/job.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { KeepaClient } from '../../src/keepa/client.js';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import type { KeepaDeal } from '../../src/keepa/types.js';
import { silentLogger } from '../../src/log.js';
import type { PipelineDeps } from '../../src/pipeline/context.js';
import { countedPages, currentPlan, currentScan, DEAL_PAGE_SIZE, discoverPage } from '../../src/pipeline/discover.js';
import { discoveryPlan } from '../../src/pipeline/discoveryPlan.js';
import { describeFunnel } from '../../src/pipeline/ingest.js';
import { buildStatus } from '../../src/status.js';
import { memoryStore, projectColumns, T0, virtualClock } from '../helpers.js';

const ORIGIN = 'https://keepa.test';
const KEY = 'testkey0000000000000000000000000000000000000000000000000000000000';
const NOW_KM = msToKeepaMinutes(T0);

function deal(asin: string, lastUpdate: number, options: { created?: number; used?: number } = {}): KeepaDeal {
  return { asin, title: asin, creationDate: options.created ?? lastUpdate, lastUpdate, current: [-1, -1, options.used ?? 1500, 50000], avg: [[], [], [], [-1, -1, 2500]] };
}

/** `pages[n]` answers page n; the deal list ends after the last. */
function setup(pages: KeepaDeal[][]) {
  const clock = virtualClock();
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const requested: number[] = [];
  const sorts: number[] = [];
  pool
    .intercept({ path: (p) => p.startsWith('/deal?'), method: 'GET' })
    .reply((opts) => {
      const selection = JSON.parse(new URL(`${ORIGIN}${opts.path}`).searchParams.get('selection') ?? '{}') as { page: number; sortType: number };
      requested.push(selection.page);
      sorts.push(selection.sortType);
      const dr = pages[selection.page] ?? [];
      return { statusCode: 200, data: JSON.stringify({ timestamp: clock.now(), tokensLeft: 500, refillIn: 30_000, refillRate: 20, tokenFlowReduction: 0, tokensConsumed: 5, processingTimeInMs: 5, deals: { dr } }) };
    })
    .persist();
  const store = memoryStore(projectColumns());
  const base = loadConfig({ env: { KEEPA_API_KEY: KEY } });
  const config = base;
  const bucket = new TokenBucket({ maxDeficit: 60 });
  const keepa = new KeepaClient({ baseUrl: ORIGIN, apiKey: KEY, bucket, clock, log: silentLogger(), dispatcher: agent });
  const deps: PipelineDeps = { store, keepa, clock, log: silentLogger(), config };
  const runId = store.runs.start('ingest', clock.now());
  const run: JobContext = { runId, signal: new AbortController().signal, heartbeat: () => undefined };
  const scanAll = async (): Promise<void> => {
    for (;;) {
      const scan = currentScan(deps, clock.now());
      if (scan === null) return;
      const page = await discoverPage(deps, run, scan);
      if (page.outcome !== 'done' || page.complete) return;
    }
  };
  return { deps, store, requested, sorts, scanAll, clock };
}

const queued = (store: ReturnType<typeof memoryStore>): string[] =>
  store.queue
    .due('queued', 1000, Number.MAX_SAFE_INTEGER)
    .map((i) => i.asin)
    .sort();

describe('discovery', () => {
  it('a look queues every unknown deal on its pages, whatever its age or place, and moves the watermark to the newest', async () => {
    const { store, scanAll } = setup([[deal('A090', NOW_KM - 90), deal('A110', NOW_KM - 10), deal('A080', NOW_KM - 100, { created: NOW_KM - 20 * 60 }), deal('A120', NOW_KM)]]);
    store.watermark.set({ lastUpdateKm: NOW_KM - 20, asin: 'Z' }, T0);
    await scanAll();
    expect(queued(store)).toEqual(['A080', 'A090', 'A110', 'A120']);
    expect(store.watermark.current()).toEqual({ lastUpdateKm: NOW_KM, asin: 'A120' });
  });

  it('misses nothing new between two looks: a deal new to the list on any page (created long before) and a re-drop are queued', async () => {
    const filler = (prefix: string, n: number): KeepaDeal[] => Array.from({ length: n }, (_, i) => deal(`${prefix}${String(i).padStart(3, '0')}`, NOW_KM - 60 - i, { created: NOW_KM - 60 - i }));
    const pages: KeepaDeal[][] = [filler('F', DEAL_PAGE_SIZE), [deal('KNOWN', NOW_KM - 200, { used: 1500 }), ...filler('G', 20)]];
    const { store, requested, scanAll, clock } = setup(pages);
    await scanAll();
    expect(requested).toEqual([0, 1]);
    // The peek rejected everything it saw; five hours pass.
    for (const item of store.queue.due('queued', 1000, Number.MAX_SAFE_INTEGER)) store.queue.finish(item.asin, 'rejected', 'low_margin', clock.now());
    clock.advance(5 * 3_600_000);
    const nowKm = msToKeepaMinutes(clock.now());
    // A deal created 20 h ago enters the list on its last page, and KNOWN's used price falls.
    pages[1] = [deal('KNOWN', nowKm - 2, { used: 1200, created: NOW_KM - 200 }), deal('LATE', nowKm - 1, { created: nowKm - 20 * 60 }), ...filler('G', 20)];
    await scanAll();
    expect(requested).toEqual([0, 1, 0, 1]);
    expect(queued(store)).toEqual(['KNOWN', 'LATE']);
    expect(store.queue.get('F000')?.stage).toBe('rejected');
  });

  it('a deal dated a year ahead is queued with its time clamped: the watermark stays at the present and later deals are still queued', async () => {
    const YEAR_KM = 365 * 24 * 60;
    const { store, scanAll, clock } = setup([[deal('FUTURE', NOW_KM + YEAR_KM), deal('NOWISH', NOW_KM - 1)]]);
    store.watermark.set({ lastUpdateKm: NOW_KM - 20, asin: '' }, T0);
    await scanAll();
    expect(queued(store)).toEqual(['FUTURE', 'NOWISH']);
    expect(store.queue.get('FUTURE')?.lastUpdateKm).toBe(NOW_KM);
    expect(store.watermark.current()!.lastUpdateKm).toBeLessThanOrEqual(NOW_KM + 5);
    const report = buildStatus({ store, config: { ingestCron: '*/5 * * * *', pipeline: { candidateMaxAgeHours: 24 } }, nowMs: clock.now(), daemonRunning: true });
    expect(report.reasons.join(' ')).toMatch(/Keepa's clock disagrees with ours: it dated a deal 365 d/);
  });

  it('a watermark already in the future (saved before the clamp) no longer hides the deals up to it', async () => {
    const { store, scanAll } = setup([[deal('LATER', NOW_KM - 2)]]);
    store.watermark.set({ lastUpdateKm: NOW_KM + 100_000, asin: '' }, T0);
    await scanAll();
    expect(queued(store)).toEqual(['LATER']);
    expect(store.watermark.current()).toEqual({ lastUpdateKm: NOW_KM - 2, asin: 'LATER' });
  });

  it('three deals sharing one minute across a page boundary are all queued, even when a run ends between the pages', async () => {
    const tie = NOW_KM - 30;
    const page0 = Array.from({ length: DEAL_PAGE_SIZE - 2 }, (_, i) => deal(`N${String(i).padStart(3, '0')}`, NOW_KM - (i % 20)));
    page0.push(deal('TIE1', tie), deal('TIE2', tie));
    const page1 = [deal('TIE3', tie), deal('OLD1', NOW_KM - 500)];
    const { deps, store, requested } = setup([page0, page1]);
    store.watermark.set({ lastUpdateKm: NOW_KM - 400, asin: '' }, T0);
    const runId = store.runs.start('ingest', T0);
    const run: JobContext = { runId, signal: new AbortController().signal, heartbeat: () => undefined };

    const first = await discoverPage(deps, run, currentScan(deps, T0)!);
    expect(first.complete).toBe(false);
    // The scan is incomplete: the watermark has not moved past TIE3, which it has not seen yet.
    expect(store.watermark.current()).toEqual({ lastUpdateKm: NOW_KM - 400, asin: '' });
    const second = await discoverPage(deps, run, currentScan(deps, T0)!);
    expect(second.complete).toBe(true);
    expect(requested).toEqual([0, 1]);
    expect(queued(store)).toEqual(expect.arrayContaining(['TIE1', 'TIE2', 'TIE3']));
  });

  it('reads a small list whole at every look and measures its size for the plan', async () => {
    const page0 = Array.from({ length: DEAL_PAGE_SIZE }, (_, i) => deal(`R${String(i).padStart(3, '0')}`, NOW_KM - 1, { created: NOW_KM - 600 - i }));
    const { deps, store, scanAll, requested, clock } = setup([page0, [deal('LAST', NOW_KM - 1, { created: NOW_KM - 900 })]]);
    await scanAll();
    expect(requested).toEqual([0, 1]);
    expect(store.queue.get('LAST')?.stage).toBe('queued');
    expect(currentPlan(deps, clock.now())).toMatchObject({ listPages: 2, pages: 2, wholeList: true });
  });

  it('an ASIN on two pages is queued once, with its newest deal', async () => {
    const page0 = Array.from({ length: DEAL_PAGE_SIZE }, (_, i) => deal(`P${String(i).padStart(3, '0')}`, NOW_KM - i));
    const page1 = [deal('P149', NOW_KM - 149), deal('DUPE', NOW_KM - 160)];
    page0[0] = deal('DUPE', NOW_KM - 5);
    const { store, scanAll } = setup([page0, page1]);
    await scanAll();
    expect(store.queue.get('DUPE')).toMatchObject({ lastUpdateKm: NOW_KM - 5, stage: 'queued' });
    expect(queued(store).filter((a) => a === 'DUPE')).toHaveLength(1);
  });

  it('a deal already processed is not new work unless its lastUpdate is newer', async () => {
    const { store, scanAll, clock } = setup([[deal('SEEN', NOW_KM - 10)]]);
    store.queue.offer({ asin: 'SEEN', lastUpdateKm: NOW_KM - 10, priority: 0, dealJson: null }, T0);
    store.queue.finish('SEEN', 'done', null, T0);
    clock.advance(60_000);
    await scanAll();
    expect(queued(store)).toEqual([]);
  });

  it('a first scan reaches back only as far as a candidate may wait', async () => {
    const { store, scanAll } = setup([[deal('NEW', NOW_KM - 60), deal('ANCIENT', NOW_KM - 80 * 60)]]);
    await scanAll();
    expect(queued(store)).toEqual(['NEW']);
  });

  it('a 429 on the deal list is reported as out of tokens and moves nothing, never as "no new deals"', async () => {
    const clock = virtualClock();
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get(ORIGIN)
      .intercept({ path: (p) => p.startsWith('/deal?'), method: 'GET' })
      .reply(429, { timestamp: clock.now(), tokensLeft: -5, refillIn: 40_000, refillRate: 5, tokenFlowReduction: 0, tokensConsumed: 0, processingTimeInMs: 1 })
      .persist();
    const store = memoryStore(projectColumns());
    const base = loadConfig({ env: { KEEPA_API_KEY: KEY } });
    const config = { ...base, pipeline: { ...base.pipeline, maxTokenWaitSeconds: 0 } };
    const keepa = new KeepaClient({ baseUrl: ORIGIN, apiKey: KEY, bucket: new TokenBucket({ maxDeficit: 60 }), clock, log: silentLogger(), dispatcher: agent });
    const deps: PipelineDeps = { store, keepa, clock, log: silentLogger(), config };
    const run: JobContext = { runId: store.runs.start('ingest', T0), signal: new AbortController().signal, heartbeat: () => undefined };
    const page = await discoverPage(deps, run, currentScan(deps, T0)!);
    expect(page).toMatchObject({ outcome: 'out_of_tokens', complete: false });
    expect(store.watermark.current()).toBeNull();
    expect(store.system.getJson('ingest.scan')).toBeUndefined();
  });

  it('judges for free, before any peek, what the deal object shows: too rare rejected, passing on its own numbers straight to the heavy fetch', async () => {
    const rare = { ...deal('RARE', NOW_KM - 5), salesRankDrops30: 0, salesRankDrops90: 0, salesRankDrops180: 1, salesRankDrops365: 2 };
    const unknown365 = { ...deal('SHORT', NOW_KM - 5), salesRankDrops30: 1, salesRankDrops90: 3, salesRankDrops180: -1, salesRankDrops365: -1 };
    const thin = { ...deal('THIN', NOW_KM - 5, { used: 2400 }), salesRankDrops365: 12 };
    const { store, scanAll, clock } = setup([[rare, unknown365, thin, deal('PLAIN', NOW_KM - 5)]]);
    await scanAll();
    expect(store.queue.get('RARE')).toMatchObject({ stage: 'rejected', rejectReason: 'few_rank_drops' });
    // 3 drops in 90 days is 12 a year, and $15 against a 90-day average of $25 passes the peek's
    // rules: no peek needed. A deal without the counts, or whose own prices fail (the peek also
    // reads the 1-year average and the landed prices), is left to the peek.
    expect(store.queue.get('SHORT')?.stage).toBe('peeked');
    expect(queued(store)).toEqual(['PLAIN', 'THIN']);
    const funnel = store.runs.recentRuns(1)[0]?.funnel ?? {};
    expect(funnel).toMatchObject({ prefiltered: 1, passed_free: 1, tokens_saved: 2 });
    // The operator sees the saving in the run's log line and in the status, not as tokens spent.
    expect(describeFunnel(funnel)).toBe('scanned 4, queued 4, rejected (few_rank_drops 1), tokens 5, 1 rejected and 1 passed free from the deal objects, 2 peek tokens saved');
    const report = buildStatus({ store, config: { ingestCron: '*/5 * * * *', pipeline: { candidateMaxAgeHours: 24 } }, nowMs: clock.now(), daemonRunning: true });
    expect(report.backlog.sentence).toMatch(/1 rejected and 1 passed free from the deal objects in the last 24 h saved 2 peek tokens\.$/);
  });
});

describe('a deal list that looks wrong', () => {
  it('reports a list whose newest deal is hours old (wrong sortType or query)', async () => {
    const { deps, store } = setup([[deal('STALE', NOW_KM - 10 * 60)]]);
    const run: JobContext = { runId: store.runs.start('ingest', T0), signal: new AbortController().signal, heartbeat: () => undefined };
    const page = await discoverPage(deps, run, currentScan(deps, T0)!);
    expect(page.warning).toMatch(/newest deal in Keepa's list is 10 h old; check the query filters/);
  });
});

describe('a known deal that Keepa merely read again is not new work (repeats)', () => {
  const HOUR_KM = 60;

  const VISIBLE = { Profit: 6, '1yr_Avg': 32, Sales_Rank_Drops_last_365_days: 12 };

  async function savedDeal(usedNow: number, fetchedHoursAgo: number, shown: object = {}) {
    const t = setup([[deal('SAVED', NOW_KM - 1, { used: usedNow })]]);
    t.store.queue.offer({ asin: 'SAVED', lastUpdateKm: NOW_KM - 10 * HOUR_KM, priority: 0, dealJson: JSON.stringify(deal('SAVED', NOW_KM - 10 * HOUR_KM, { used: 1500 })) }, T0);
    t.store.queue.finish('SAVED', 'done', null, T0 - fetchedHoursAgo * 3_600_000, true);
    t.store.deals.upsert({ ASIN: 'SAVED', List_at: 30, ...shown }, T0 - fetchedHoursAgo * 3_600_000, 'full');
    await t.scanAll();
    return t;
  }

  it('a saved deal at the same used price is left alone', async () => {
    const { store } = await savedDeal(1500, 10);
    expect(store.deals.stalest(10, T0 - 24 * 3_600_000)).toEqual([]);
    expect(queued(store)).toEqual([]);
  });

  it('a saved deal whose used price moved is refreshed (light), never queued for a second heavy fetch', async () => {
    const { store } = await savedDeal(1299, 10);
    expect(store.deals.stalest(10, T0 - 24 * 3_600_000)).toEqual(['SAVED']);
    expect(queued(store)).toEqual([]);
  });

  it('a visible deal whose price fell is not re-read (it stays visible, only understated); one whose price rose is', async () => {
    const fell = await savedDeal(1299, 10, VISIBLE);
    expect(fell.store.deals.stalest(10, T0 - 24 * 3_600_000)).toEqual([]);
    const rose = await savedDeal(1799, 10, VISIBLE);
    expect(rose.store.deals.stalest(10, T0 - 24 * 3_600_000)).toEqual(['SAVED']);
  });

  it('...but not within the gap after its last fetch', async () => {
    const { store } = await savedDeal(1299, 1);
    expect(store.deals.stalest(10, T0 - 24 * 3_600_000)).toEqual([]);
  });

  async function peekRejected(usedNow: number) {
    const t = setup([[deal('REJ', NOW_KM - 1, { used: usedNow })]]);
    t.store.queue.offer({ asin: 'REJ', lastUpdateKm: NOW_KM - 10 * HOUR_KM, priority: 0, dealJson: JSON.stringify(deal('REJ', NOW_KM - 10 * HOUR_KM, { used: 1500 })) }, T0);
    t.store.queue.finish('REJ', 'rejected', 'low_margin', T0 - 10 * 3_600_000);
    await t.scanAll();
    return t;
  }

  it('a deal the peek rejected is not peeked again at the same price', async () => {
    const { store } = await peekRejected(1500);
    expect(store.queue.get('REJ')?.stage).toBe('rejected');
  });

  it('...and is peeked again once its price fell', async () => {
    const { store } = await peekRejected(1100);
    expect(store.queue.get('REJ')?.stage).toBe('queued');
  });
});

describe('the discovery plan', () => {
  it('a large plan looks at the list as often as Keepa refreshes it; a small one reads fewer pages, less often', () => {
    expect(discoveryPlan(300, 6, 20)).toMatchObject({ pages: 6, intervalMs: 120_000, wholeList: true });
    // 12% of 20/min buys 9 pages in 20 min: the 6-page list whole every 12.5 min.
    expect(discoveryPlan(20, 6, 20)).toMatchObject({ pages: 6, intervalMs: 750_000, wholeList: true });
    // 12% of 5/min: 2 pages (10 tokens) every 16.7 min of a 67-page list, the newest first.
    const small = discoveryPlan(5, 67, 20);
    expect(small).toMatchObject({ pages: 2, wholeList: false });
    expect(small.intervalMs / 60_000).toBeCloseTo(16.67, 1);
    expect(small.tokensPerHour).toBeCloseTo(36, 2);
  });

  it('a look that reads a quarter of the list or more reads the most promising first; a smaller one reads the newest first', () => {
    expect(discoveryPlan(20, 27, 20)).toMatchObject({ pages: 9, sortType: 4 });
    expect(discoveryPlan(5, 27, 20)).toMatchObject({ pages: 2, sortType: 1 });
    // A list of unknown size counts as long; an order the operator chose is kept.
    expect(discoveryPlan(5, null, 20)).toMatchObject({ sortType: 1 });
    expect(discoveryPlan(5, 27, 20, 3)).toMatchObject({ sortType: 3 });
  });

  it("knows a long list's size without reading it to the end: Keepa's count for the query's category", () => {
    // As on a real answer: 756 deals in Books (283155) among counts for other categories.
    expect(countedPages({ categoryIds: [5174, 283155], categoryCount: [937, 756] }, [283155])).toBe(6);
    expect(countedPages({ categoryIds: [5174], categoryCount: [937] }, [283155])).toBeNull();
    expect(countedPages({}, [283155])).toBeNull();
  });

  it('a plan that reads a small part of a long list asks Keepa for the newest deals', async () => {
    const t = setup([[deal('A', NOW_KM - 1)]]);
    // Keepa's answer tells the bucket the refill (20/min); the list was measured at 120 pages.
    await t.scanAll();
    t.store.system.setJson('ingest.scan', { lastStartedAt: null, listPages: 120 }, t.clock.now());
    await t.scanAll();
    expect(t.sorts).toEqual([4, 1]);
  });

  it('between looks by percentage delta, a glance at the newest page queues a new deep deal within minutes (20/min), not a shallow one', async () => {
    const dropped = (asin: string, lastUpdate: number, percent: number): KeepaDeal => ({ ...deal(asin, lastUpdate), deltaPercent: [[], [], [], [0, 0, percent]] });
    const filler = Array.from({ length: DEAL_PAGE_SIZE }, (_, i) => dropped(`F${String(i).padStart(3, '0')}`, NOW_KM - 60, 40));
    const pages: KeepaDeal[][] = Array.from({ length: 27 }, () => filler);
    const t = setup(pages);
    t.store.system.setJson('ingest.scan', { lastStartedAt: null, listPages: 27 }, t.clock.now());
    await t.scanAll();
    // Keepa's answers told the refill: 20/min reads 9 of the 27 pages by percentage delta every 19 min.
    expect(currentPlan(t.deps, t.clock.now())).toMatchObject({ pages: 9, sortType: 4, glanceMs: 300_000 });
    t.clock.advance(60_000);
    pages[0] = [dropped('NEW', msToKeepaMinutes(t.clock.now()), 55), dropped('SHALLOW', msToKeepaMinutes(t.clock.now()), 12), ...filler.slice(2)];
    t.sorts.length = 0;
    t.clock.advance(4 * 60_000);
    await t.scanAll();
    expect(t.sorts).toEqual([1]);
    expect(queued(t.store)).toContain('NEW');
    expect(queued(t.store)).not.toContain('SHALLOW');
    // The next glance waits its interval; the look by percentage delta comes at its own.
    expect(currentScan(t.deps, t.clock.now())).toBeNull();
    t.clock.advance(15 * 60_000);
    expect(currentScan(t.deps, t.clock.now())).toMatchObject({ pages: 9, sortType: 4 });
  });
});
