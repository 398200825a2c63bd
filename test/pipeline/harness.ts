// Runs the real ingest pipeline against the simulator on a virtual clock: days of operation in
// seconds, with the simulator's ledger and ground truth to check what the daemon did.
import { VirtualClock } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { KeepaClient } from '../../src/keepa/client.js';
import { restoreKeepaState } from '../../src/keepa/savedBucket.js';
import { type Logger, silentLogger } from '../../src/log.js';
import type { PipelineDeps } from '../../src/pipeline/context.js';
import { ingestJob } from '../../src/pipeline/ingest.js';
import { janitorJob } from '../../src/pipeline/janitor.js';
import { Scheduler } from '../../src/scheduler.js';
import type { PipelineSettings } from '../../src/settings.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import type { DealColumn } from '../../src/state/columns.js';
import { openStore, type Store } from '../../src/state/store.js';
import { projectColumns, T0 } from '../helpers.js';

export const SIM_KEY = 'simkey0000000000000000000000000000000000000000000000000000000000';
const MINUTE = 60_000;

export interface HarnessOptions {
  refillRate: number;
  sim?: Partial<SimulatorOptions>;
  pipeline?: Partial<PipelineSettings>;
  /** A database file, to restart on; in memory when absent. */
  dbPath?: string;
  columns?: DealColumn[];
  log?: Logger;
  startMs?: number;
  /** Minutes between ingest ticks. */
  everyMinutes?: number;
}

export interface Harness {
  clock: VirtualClock;
  sim: Simulator;
  config: Config;
  /** The current "process": replaced by restart(). */
  life: Life;
  /** Runs ingest ticks until the clock reaches `untilMs`, plus the janitor every 4 h. */
  runUntil(untilMs: number, onTick?: (life: Life) => void): Promise<void>;
  /** Abandons the current process state and starts a new one on the same database file. */
  restart(options?: { columns?: DealColumn[] }): Life;
  close(): Promise<void>;
}

export interface Life {
  store: Store;
  keepa: KeepaClient;
  deps: PipelineDeps;
  scheduler: Scheduler;
}

export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const clock = new VirtualClock(options.startMs ?? T0);
  const sim = await createSimulator({ seed: 7, clock, refillRate: options.refillRate, apiKey: SIM_KEY, ...options.sim });
  const base = loadConfig({ env: { KEEPA_API_KEY: SIM_KEY, KEEPA_BASE_URL: sim.url } });
  const config: Config = { ...base, pipeline: { ...base.pipeline, ...options.pipeline } };
  const log = options.log ?? silentLogger();
  const everyMs = (options.everyMinutes ?? 5) * MINUTE;
  let columns = options.columns ?? projectColumns();

  const start = (): Life => {
    const store = openStore({ path: options.dbPath ?? ':memory:', columns, nowMs: clock.now() });
    store.leases.clearAbandoned();
    store.runs.markInterrupted();
    const bucket = new TokenBucket({ maxDeficit: config.pipeline.maxDeficit });
    const keepa = new KeepaClient({ baseUrl: sim.url, apiKey: SIM_KEY, bucket, clock, log, timeoutMs: 5_000, random: () => 0.5 });
    const deps: PipelineDeps = { store, keepa, clock, log, config };
    restoreKeepaState(deps, clock.now());
    const scheduler = new Scheduler({ store, clock, log, owner: `life-${clock.now()}` });
    scheduler.add(ingestJob(deps));
    scheduler.add(janitorJob(deps));
    return { store, keepa, deps, scheduler };
  };

  const harness: Harness = {
    clock,
    sim,
    config,
    life: start(),
    async runUntil(untilMs, onTick) {
      let nextJanitor = clock.now() + 4 * 60 * MINUTE;
      while (clock.now() < untilMs) {
        await harness.life.scheduler.trigger('ingest');
        if (clock.now() >= nextJanitor) {
          await harness.life.scheduler.trigger('janitor');
          nextJanitor += 4 * 60 * MINUTE;
        }
        onTick?.(harness.life);
        const next = (Math.floor(clock.now() / everyMs) + 1) * everyMs;
        clock.set(Math.min(Math.max(next, clock.now()), Math.max(untilMs, clock.now())));
      }
    },
    restart(restartOptions) {
      if (restartOptions?.columns) columns = restartOptions.columns;
      harness.life = start();
      return harness.life;
    },
    async close() {
      await sim.close();
    },
  };
  return harness;
}
