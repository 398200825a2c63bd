// Drives one policy (the daemon's real pipeline, or the baseline loop) on a VirtualClock for N
// simulated days: a tick every 5 minutes, the janitor every 4 hours. Virtual time moves only
// between ticks and in the sleeps of a run, and the clock samples the simulator's balance at every
// whole minute it passes there, so each minute of the run is sampled once.
//
// The simulator runs in a process of its own (simHost.ts). What the policy did is observed, never
// steered: commits and saves through thin subclasses of the stores,
// deal pages through a subclass of the client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../src/clock.js';
import { type Config, loadConfig } from '../src/config.js';
import { TokenBucket } from '../src/keepa/bucket.js';
import { type CallOptions, KeepaClient, type KeepaClientOptions } from '../src/keepa/client.js';
import { type CostModel, DEAL_PAGE_TOKENS } from '../src/keepa/cost.js';
import { keepaMinutesToMs } from '../src/keepa/time.js';
import type { DealPage } from '../src/keepa/types.js';
import { silentLogger } from '../src/log.js';
import { isVisible } from '../src/pipeline/analytics/index.js';
import { restoreKeepaState } from '../src/keepa/savedBucket.js';
import type { PipelineDeps } from '../src/pipeline/context.js';
import { currentScan } from '../src/pipeline/discover.js';
import { ingestJob } from '../src/pipeline/ingest.js';
import { refreshAllowed } from '../src/pipeline/refresh.js';
import { janitorJob } from '../src/pipeline/janitor.js';
import { Scheduler } from '../src/scheduler.js';
import { type DealColumn, loadColumns } from '../src/state/columns.js';
import type { Db } from '../src/state/db.js';
import type { DealRow } from '../src/pipeline/analytics/types.js';
import { DealStore, type SaveKind } from '../src/state/deals.js';
import { type Funnel, Runs } from '../src/state/runs.js';
import { openStore, type Store } from '../src/state/store.js';
import type { SavedPrices } from './accuracy.js';
import { baselinePolicy, OldCostModel, oldBucket } from './baseline.js';
import { oraclePolicy } from './oracle.js';
import type { DriveOptions, DriveResult, MinuteSample, Policy, SaveEvent, SeenDeal } from './types.js';
import { type Balance, clockedDispatcher, cpuMs, type Finished, SIM_KEY, SimHost, START_MS } from './simHost.js';

/** 2026-03-01T00:00:00Z, as in the tests: the same dates every run. */
const MINUTE = 60_000;
const TICK_MS = 5 * MINUTE;
const JANITOR_MS = 4 * 60 * MINUTE;

/** A virtual clock that samples the balance at each whole minute it passes, in [from, to). */
class SampledClock extends VirtualClock {
  constructor(startMs: number, private readonly sample: (times: number[], inRun: boolean) => Promise<void>) {
    super(startMs);
  }

  /** Between ticks. */
  async moveTo(ms: number): Promise<void> {
    await this.sample(minutesIn(this.now(), ms), false);
    if (ms > this.now()) this.set(ms);
  }

  /** In a run: waiting for tokens, or for the baseline's burst threshold. */
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const to = this.now() + Math.max(0, ms);
    await this.sample(minutesIn(this.now(), to), true);
    this.set(to);
  }
}

function minutesIn(fromMs: number, toMs: number): number[] {
  const times: number[] = [];
  for (let m = Math.ceil(fromMs / MINUTE) * MINUTE; m < toMs; m += MINUTE) times.push(m);
  return times;
}


/** Records every committed chunk's time; a chunk that only recorded failures is not progress. */
class ObservedRuns extends Runs {
  constructor(db: Db, private readonly onCommit: (atMs: number) => void) {
    super(db);
  }

  override recordChunk(id: number, delta: Funnel, tokens: number, nowMs: number, progress = true): void {
    super.recordChunk(id, delta, tokens, nowMs, progress);
    if (progress) this.onCommit(nowMs);
  }
}

/** Reports every row a full analysis wrote (a light refresh is not a new deal). */
class ObservedDeals extends DealStore {
  constructor(db: Db, columns: readonly DealColumn[], minSalesPerYear: number, private readonly onSave: (row: DealRow, nowMs: number) => void) {
    super(db, columns, minSalesPerYear);
  }

  override upsert(row: DealRow, nowMs: number, kind: SaveKind): void {
    super.upsert(row, nowMs, kind);
    if (kind === 'full') this.onSave(row, nowMs);
  }
}

/** Records the deals each page of the deal list showed: the stream the policy drew from. */
class ObservedKeepaClient extends KeepaClient {
  constructor(options: KeepaClientOptions, private readonly onPage: (page: DealPage) => void) {
    super(options);
  }

  override async deals(query: object, page: number, call?: CallOptions): Promise<DealPage> {
    const answer = await super.deals(query, page, call);
    this.onPage(answer);
    return answer;
  }
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
      times.forEach((atMs, i) => samples.push({
        atMs, inRun, balance: balances[i]?.tokensLeft ?? 0, maxTokens: balances[i]?.maxTokens ?? 0, nextStepTokens: policy?.nextStepTokens(atMs, inRun) ?? null,
      }));
    });
    const config = loadConfig({ env: { KEEPA_API_KEY: SIM_KEY, KEEPA_BASE_URL: url } });
    const columns = loadColumns(config.headersPath);
    const saves: SaveEvent[] = [];
    const savedPrices: SavedPrices[] = [];
    const seen: SeenDeal[] = [];
    const commits: number[] = [];
    // A file, as in production: an in-memory database would count in the process's RSS.
    const opened = openStore({ path: join(dir, 'deals.db'), columns, nowMs: clock.now(), minSalesPerYear: config.peek.minSalesPerYear });
    const store: Store = {
      ...opened,
      runs: new ObservedRuns(opened.db, (atMs) => commits.push(atMs)),
      deals: new ObservedDeals(opened.db, columns, config.peek.minSalesPerYear, (row, nowMs) => {
        const asin = String(row.ASIN);
        const money = (column: string): number | null => (typeof row[column] === 'number' ? row[column] : null);
        saves.push({ asin, savedAtMs: nowMs, dealLastUpdateMs: policy?.dealLastUpdateMs(asin) ?? Number.NaN, profit: money('Profit'), visible: isVisible(row, config.peek.minSalesPerYear) });
        if (nowMs < endMs) savedPrices.push({ asin, savedAtMs: nowMs, listAt: money('List_at'), yearAvg: money('1yr_Avg'), priceNow: money('Price_Now') });
      }),
    };
    const dispatcher = clockedDispatcher(clock);
    const client = (bucket: TokenBucket, costs?: CostModel): KeepaClient =>
      new ObservedKeepaClient({ baseUrl: url, apiKey: SIM_KEY, bucket, clock, log: silentLogger(), timeoutMs: 30_000, random: () => 0.5, dispatcher, ...(costs ? { costs } : {}) }, (page) => {
        for (const d of page.dr) seen.push({ asin: d.asin, creationMs: keepaMinutesToMs(d.creationDate), atMs: clock.now() });
      });
    const endMs = START_MS + options.days * 24 * 60 * MINUTE;
    const bucket = (): TokenBucket => new TokenBucket({ maxDeficit: config.pipeline.maxDeficit });
    policy = options.policy === 'daemon'
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

function daemonPolicy(config: Config, store: Store, clock: VirtualClock, keepa: KeepaClient): Policy {
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
    // first (ingest.ts): a due scan, refresh on its share, then enrich, then peek; one item each.
    nextStepTokens(atMs, inRun) {
      if (inRun) return null;
      if (currentScan(deps, atMs) !== null) return DEAL_PAGE_TOKENS;
      const { queue, deals } = store;
      const enrichDue = (queue.nextDueAt('peeked') ?? Infinity) <= atMs;
      const peekDue = (queue.nextDueAt('queued') ?? Infinity) <= atMs;
      const refreshDue = deals.stalest(1, atMs - config.pipeline.refreshAfterHours * 3_600_000).length > 0;
      if (refreshDue && refreshAllowed(deps, atMs, enrichDue || peekDue)) return keepa.costs.estimate({ path: 'product', count: 1, offers });
      if (enrichDue) return keepa.costs.estimate({ path: 'product', count: 1, offers, expectedOffers: 1 });
      return peekDue ? keepa.costs.estimate({ path: 'product', count: 1 }) : null;
    },
    dealLastUpdateMs(asin) {
      const item = store.queue.get(asin);
      return item === null ? Number.NaN : keepaMinutesToMs(item.lastUpdateKm);
    },
  };
}
