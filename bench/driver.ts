// Drives one policy (the daemon's real pipeline, or the baseline loop) on a VirtualClock for N
// simulated days: a tick every 5 minutes, the janitor every 4 hours. Virtual time moves only
// between ticks and in the sleeps of a run, and the clock samples the simulator's balance at every
// whole minute it passes there, so each minute of the run is sampled once.
//
// The simulator runs in a process of its own (simHost.ts). What the policy did is observed, never
// steered: commits and saves through the store's observers, deal pages through the client's
// `onDealPage`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, VirtualClock } from '../src/clock.js';
import { type Config, loadConfig } from '../src/config.js';
import { TokenBucket } from '../src/keepa/bucket.js';
import { KeepaClient } from '../src/keepa/client.js';
import { type CostModel, DEAL_PAGE_TOKENS } from '../src/keepa/cost.js';
import { restoreKeepaState } from '../src/keepa/savedBucket.js';
import { keepaMinutesToMs } from '../src/keepa/time.js';
import type { DealPage } from '../src/keepa/types.js';
import { silentLogger } from '../src/log.js';
import { isVisible } from '../src/pipeline/analytics/index.js';
import type { PipelineDeps } from '../src/pipeline/context.js';
import { firstStep, ingestJob } from '../src/pipeline/ingest.js';
import { janitorJob } from '../src/pipeline/janitor.js';
import { Scheduler } from '../src/scheduler.js';
import { loadColumns } from '../src/state/columns.js';
import type { Funnel } from '../src/state/runs.js';
import { openStore, type Store } from '../src/state/store.js';
import type { SavedPrices } from './accuracy.js';
import { baselinePolicy, OldCostModel, oldBucket } from './baseline.js';
import { oraclePolicy } from './oracle.js';
import { type Balance, clockedDispatcher, cpuMs, type Finished, SIM_KEY, SimHost, START_MS } from './simHost.js';
import type { DriveOptions, DriveResult, MinuteSample, Policy, PriceMove, SaveEvent, SeenDeal } from './types.js';

/** 2026-03-01T00:00:00Z, as in the tests: the same dates every run. */
const MINUTE = 60_000;
const TICK_MS = 5 * MINUTE;
const JANITOR_MS = 4 * 60 * MINUTE;

/**
 * The run's clock: virtual time that samples the balance at each whole minute it passes, in
 * [from, to): between ticks (`moveTo`) and in a run's sleeps (waiting for tokens, or for the
 * baseline's burst threshold).
 */
class SampledClock implements Clock {
  private readonly time: VirtualClock;

  constructor(
    startMs: number,
    private readonly sample: (times: number[], inRun: boolean) => Promise<void>,
  ) {
    this.time = new VirtualClock(startMs);
  }

  now(): number {
    return this.time.now();
  }

  async moveTo(ms: number): Promise<void> {
    await this.sample(minutesIn(this.now(), ms), false);
    if (ms > this.now()) this.time.set(ms);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const to = this.now() + Math.max(0, ms);
    await this.sample(minutesIn(this.now(), to), true);
    this.time.set(to);
  }
}

function minutesIn(fromMs: number, toMs: number): number[] {
  const times: number[] = [];
  for (let m = Math.ceil(fromMs / MINUTE) * MINUTE; m < toMs; m += MINUTE) times.push(m);
  return times;
}

export async function drive(options: DriveOptions): Promise<DriveResult> {
  const wallStart = performance.now();
  const host = new SimHost();
  const dir = mkdtempSync(join(tmpdir(), 'keepa-bench-'));
  try {
    const { url } = await host.request<{ url: string }>({ op: 'start', options });
    const samples: MinuteSample[] = [];
    let policy: Policy | null = null;
    const clock = new SampledClock(START_MS, async (times, inRun) => {
      if (times.length === 0) return;
      const balances = await host.request<Balance[]>({ op: 'balances', times });
      times.forEach((atMs, i) => {
        samples.push({
          atMs,
          inRun,
          balance: balances[i]?.tokensLeft ?? 0,
          maxTokens: balances[i]?.maxTokens ?? 0,
          nextStepTokens: policy?.nextStepTokens(atMs, inRun) ?? null,
        });
      });
    });
    const config = loadConfig({ env: { KEEPA_API_KEY: SIM_KEY, KEEPA_BASE_URL: url } });
    const columns = loadColumns(config.headersPath);
    const saves: SaveEvent[] = [];
    const savedPrices: SavedPrices[] = [];
    const seen: SeenDeal[] = [];
    const commits: number[] = [];
    // A file, as in production: an in-memory database would count in the process's RSS.
    const store = openStore({
      path: join(dir, 'deals.db'),
      columns,
      nowMs: clock.now(),
      minSalesPerYear: config.peek.minSalesPerYear,
      observe: {
        // A chunk that only recorded failures is not progress.
        onChunk: (atMs, progress) => {
          if (progress) commits.push(atMs);
        },
        // A row a full analysis wrote; a light refresh is not a new deal.
        onUpsert: (row, nowMs, kind) => {
          if (kind !== 'full') return;
          const asin = String(row.ASIN);
          const money = (column: string): number | null => (typeof row[column] === 'number' ? row[column] : null);
          saves.push({ asin, savedAtMs: nowMs, dealLastUpdateMs: policy?.dealLastUpdateMs(asin) ?? Number.NaN, profit: money('Profit'), visible: isVisible(row, config.peek.minSalesPerYear) });
          if (nowMs < endMs) savedPrices.push({ asin, savedAtMs: nowMs, listAt: money('List_at'), yearAvg: money('1yr_Avg'), priceNow: money('Price_Now') });
        },
      },
    });
    const dispatcher = clockedDispatcher(clock);
    // The deals each page of the deal list showed: the stream the policy drew from. Only a change
    // of listing is kept (what `listingAt` reads): keeping every sighting (136,000 at 20/min) put
    // the RSS measured as the policy's at 152 MB, 138 MB without.
    const lastListing = new Map<string, number>();
    const lastPrice = new Map<string, number>();
    const priceMoves: PriceMove[] = [];
    const onDealPage = (page: DealPage): void => {
      for (const d of page.dr) {
        const used = d.current[2] ?? -1;
        const before = lastPrice.get(d.asin);
        if (before !== undefined && before !== used) priceMoves.push({ asin: d.asin, atMs: clock.now() });
        lastPrice.set(d.asin, used);
        const creationMs = keepaMinutesToMs(d.creationDate);
        if (lastListing.get(d.asin) === creationMs) continue;
        lastListing.set(d.asin, creationMs);
        seen.push({ asin: d.asin, creationMs, atMs: clock.now() });
      }
    };
    const client = (bucket: TokenBucket, costs?: CostModel): KeepaClient => new KeepaClient({ baseUrl: url, apiKey: SIM_KEY, bucket, clock, log: silentLogger(), timeoutMs: 30_000, random: () => 0.5, dispatcher, onDealPage, ...(costs ? { costs } : {}) });
    const endMs = START_MS + options.days * 24 * 60 * MINUTE;
    const bucket = (): TokenBucket => new TokenBucket({ maxDeficit: config.pipeline.maxDeficit });
    policy =
      options.policy === 'daemon'
        ? daemonPolicy(config, store, clock, client(bucket()))
        : options.policy === 'oracle'
          ? oraclePolicy({ config, store, clock, keepa: client(bucket()), untilMs: endMs, truth: (asins) => host.request<Record<string, boolean>>({ op: 'truth', asins }) })
          : baselinePolicy({ config, store, clock, keepa: client(oldBucket(), new OldCostModel()), refillRate: options.refillRate, untilMs: endMs });
    let nextJanitor = START_MS + JANITOR_MS;
    while (clock.now() < endMs) {
      await policy.tick();
      if (clock.now() >= nextJanitor) {
        await policy.janitor();
        nextJanitor += JANITOR_MS;
      }
      await clock.moveTo(Math.min(endMs, (Math.floor(clock.now() / TICK_MS) + 1) * TICK_MS));
    }

    const rssMb = process.resourceUsage().maxRSS / 1024;
    const policyCpuMs = cpuMs();
    const funnel: Funnel = {};
    for (const run of store.runs.recentRuns(Number.MAX_SAFE_INTEGER)) {
      if (run.job === 'janitor') continue;
      for (const [k, v] of Object.entries(run.funnel)) funnel[k] = (funnel[k] ?? 0) + v;
    }
    const visible = store.deals.newestVisible(Number.MAX_SAFE_INTEGER).map((row) => ({ asin: String(row.ASIN), sellerNamed: typeof row.Seller === 'string' && row.Seller !== '' }));
    // Rejected for free (discover.ts `freeVerdict`): judged on Keepa's own counts, no token spent.
    // The queue is the only record of them; a listing is named by its deal's creation, as above.
    const judgedFree = (store.db.prepare("SELECT deal_json, updated_at FROM queue WHERE stage = 'rejected' AND tokens_spent = 0").all() as { deal_json: string | null; updated_at: number }[]).flatMap((row) => {
      const deal = row.deal_json === null ? null : (JSON.parse(row.deal_json) as DealPage['dr'][number]);
      return deal === null ? [] : [{ listing: `${deal.asin}@${keepaMinutesToMs(deal.creationDate)}`, atMs: row.updated_at }];
    });
    store.db.close();
    const savedAsins = new Set(saves.map((s) => s.asin));
    const listings = new Map(seen.filter((d) => savedAsins.has(d.asin)).map((d) => [`${d.asin}@${d.creationMs}`, d]));
    const finished = await host.request<Finished>({ op: 'finish', asins: [...savedAsins], saves: savedPrices, listings: [...listings.values()] });
    return {
      options,
      startMs: START_MS,
      endMs,
      ledger: finished.ledger,
      saves,
      visible,
      seen,
      commits,
      samples,
      funnel,
      opportunities: finished.opportunities,
      isOpportunity: finished.truth,
      listedAt: finished.listedAt,
      priceMoves,
      judgedFree,
      accuracy: finished.accuracy,
      rssMb,
      cpuMs: policyCpuMs,
      simCpuMs: finished.cpuMs,
      wallMs: performance.now() - wallStart,
    };
  } finally {
    host.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

function daemonPolicy(config: Config, store: Store, clock: Clock, keepa: KeepaClient): Policy {
  const deps: PipelineDeps = { store, keepa, clock, log: silentLogger(), config };
  restoreKeepaState(deps, clock.now());
  const scheduler = new Scheduler({ store, clock, log: deps.log, owner: 'bench' });
  scheduler.add(ingestJob(deps));
  scheduler.add(janitorJob(deps));
  const offers = config.pipeline.offersPerProduct;
  return {
    async tick() {
      await scheduler.trigger('ingest');
    },
    async janitor() {
      await scheduler.trigger('janitor');
    },
    // A run sleeps only for the tokens of the call in hand. Between runs, the step ingest would take
    // first (ingest.ts `firstStep`), for one item.
    nextStepTokens(atMs, inRun) {
      if (inRun) return null;
      switch (firstStep(deps, atMs)) {
        case 'discover':
          return DEAL_PAGE_TOKENS;
        case 'sellers':
          return keepa.costs.estimate({ path: 'seller', count: 1 });
        case 'refresh':
          return keepa.costs.estimate({ path: 'product', count: 1, offers });
        case 'enrich':
          return keepa.costs.estimate({ path: 'product', count: 1, offers, expectedOffers: 1 });
        case 'peek':
          return keepa.costs.estimate({ path: 'product', count: 1 });
        case null:
          return null;
      }
    },
    dealLastUpdateMs(asin) {
      const item = store.queue.get(asin);
      return item === null ? Number.NaN : keepaMinutesToMs(item.lastUpdateKm);
    },
  };
}
