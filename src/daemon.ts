// The daemon: configuration, the one Keepa client and bucket, the database, the scheduler and the
// status server, started in that order and stopped in reverse on SIGTERM/SIGINT.
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alertSecrets, destinationName } from './alerts/config.js';
import { AlertDelivery } from './alerts/delivery.js';
import { type Clock, systemClock } from './clock.js';
import { type Config, configPathFromArgs, loadConfig, PROJECT_DIR } from './config.js';
import { AlreadyRunningError, ConfigError, describeError } from './errors.js';
import { startStatusServer, type StatusServer } from './http.js';
import { TokenBucket } from './keepa/bucket.js';
import { KeepaClient } from './keepa/client.js';
import type { Simulator } from './simulator/index.js';
import { createLogger, type Logger } from './log.js';
import { restoreKeepaState } from './pipeline/context.js';
import { ingestJob } from './pipeline/ingest.js';
import { janitorJob } from './pipeline/janitor.js';
import { redactSecrets } from './redact.js';
import { Scheduler } from './scheduler.js';
import { loadColumns } from './state/columns.js';
import { acquireProcessLock, type ProcessLock } from './state/processLock.js';
import { openStore, type Store } from './state/store.js';
import { buildStatus } from './status.js';

/** How long SIGTERM waits for the running chunk to commit; systemd's TimeoutStopSec must be longer. */
export const STOP_GRACE_MS = 20_000;
/** Tokens a minute of the demo simulator: fast enough to show deals within two minutes. */
const DEMO_REFILL_RATE = 300;
const DEMO_API_KEY = 'demo0000000000000000000000000000000000000000000000000000000000000';

export const VERSION: string = readVersion();

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(resolve(PROJECT_DIR, 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface Daemon {
  store: Store;
  scheduler: Scheduler;
  statusUrl: string | null;
  stop(): Promise<void>;
}

export async function startDaemon(config: Config, log: Logger, clock: Clock = systemClock): Promise<Daemon> {
  const columns = loadColumns(config.headersPath);
  const lock: ProcessLock = await acquireProcessLock(config.dealsDb, (e) => log.error(`the database lock was compromised: ${e.message}`));
  const cleanup: Array<() => Promise<void> | void> = [() => lock.release()];
  const unwind = async (): Promise<void> => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (e: unknown) {
        log.error(`shutdown step failed: ${describeError(e)}`);
      }
    }
  };
  try {
    const store = openStore({ path: config.dealsDb, columns, nowMs: clock.now(), minSalesPerYear: config.peek.minSalesPerYear });
    cleanup.push(() => {
      store.db.close();
    });
    if (store.migrationsApplied.length > 0) log.info(`applied migrations ${store.migrationsApplied.join(', ')}`);
    if (store.columnsAdded.length > 0) log.info(`added ${store.columnsAdded.length} deal columns from headers.json`, { columns: store.columnsAdded });
    const clearedLeases = store.leases.clearAbandoned();
    const interrupted = store.runs.markInterrupted();
    if (clearedLeases + interrupted > 0) log.warn('the previous daemon did not stop cleanly', { clearedLeases, interruptedRuns: interrupted });

    let simulator: Simulator | null = null;
    let baseUrl = config.keepaBaseUrl;
    let apiKey = config.keepaApiKey;
    if (apiKey === null) {
      // Loaded only in demo mode: a daemon with a key never loads the simulator's code.
      const { createSimulator, DEMO_WORLD } = await import('./simulator/index.js');
      simulator = await createSimulator({ ...DEMO_WORLD, clock, refillRate: DEMO_REFILL_RATE, apiKey: DEMO_API_KEY });
      const sim = simulator;
      cleanup.push(() => sim.close());
      baseUrl = sim.url;
      apiKey = DEMO_API_KEY;
      log.warn(`no KEEPA_API_KEY: running against the built-in Keepa simulator at ${sim.url} (invented deals, database ${config.dealsDb})`);
    }

    const bucket = new TokenBucket({ maxDeficit: config.pipeline.maxDeficit });
    const keepa = new KeepaClient({ baseUrl, apiKey, bucket, clock, log });
    const deps = { store, keepa, clock, log, config };
    if (restoreKeepaState(deps, clock.now())) log.info('restored the token figures of the last run', { balance: bucket.snapshot(clock.now()).balance });

    store.system.setJson('daemon', { pid: process.pid, version: VERSION, startedAt: clock.now(), keepa: simulator ? 'simulator' : 'live', ingestCron: config.ingestCron }, clock.now());
    const scheduler = new Scheduler({ store, clock, log, owner: `${hostname()}:${process.pid}` });
    scheduler.add(ingestJob(deps));
    scheduler.add(janitorJob(deps));

    let http: StatusServer | null = null;
    if (config.httpPort > 0) {
      http = await startStatusServer({
        store,
        host: config.httpHost,
        port: config.httpPort,
        log,
        report: () => buildStatus({ store, config, nowMs: clock.now(), daemonRunning: true }),
      });
      const server = http;
      cleanup.push(() => server.close());
      log.info(`status page at ${http.url}/ (JSON at /status, health at /health, metrics at /metrics)`);
    }

    scheduler.start({ ingest: config.ingestCron, janitor: config.janitorCron });
    cleanup.push(() => scheduler.stop(STOP_GRACE_MS));
    void scheduler.trigger('ingest');
    if (config.alerts.rules.length > 0) {
      const delivery = new AlertDelivery({ store, clock, log, settings: config.alerts, status: () => buildStatus({ store, config, nowMs: clock.now(), daemonRunning: true }) });
      delivery.start();
      cleanup.push(() => delivery.stop());
    }
    return { store, scheduler, statusUrl: http?.url ?? null, stop: unwind };
  } catch (e: unknown) {
    await unwind();
    throw e;
  }
}

/** The configuration as logged at start: no key, just whether there is one. */
function describeConfig(config: Config): Record<string, unknown> {
  return {
    keepa: config.keepaApiKey ? `live (${redactSecrets(config.keepaBaseUrl)}, key set)` : 'simulator (no KEEPA_API_KEY)',
    dealsDb: config.dealsDb,
    headers: config.headersPath,
    ingestCron: config.ingestCron,
    janitorCron: config.janitorCron,
    http: config.httpPort > 0 ? `${config.httpHost}:${config.httpPort}` : 'off',
    pipeline: config.pipeline,
    alerts: config.alerts.rules.map(destinationName),
  };
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  let config: Config;
  try {
    config = loadConfig({ configPath: configPathFromArgs(argv), isTty: process.stdout.isTTY === true });
  } catch (e: unknown) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : describeError(e)}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: [...(config.keepaApiKey ? [config.keepaApiKey] : []), ...alertSecrets(config.alerts)] });
  // One exception must never end the daemon: log it and let the next run go on.
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${describeError(e)}`));
  process.on('uncaughtException', (e) => log.error(`uncaught exception: ${describeError(e)}`));
  log.info(`keepa-deals ${VERSION} starting`, describeConfig(config));
  startDaemon(config, log).then(
    (daemon) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log.info(`${signal}: stopping after the current chunk`);
        void daemon.stop().then(() => {
          log.info('stopped');
          log.on('finish', () => process.exit(0));
          log.end();
        });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (e: unknown) => {
      log.error(`cannot start: ${describeError(e)}`);
      // 2: the operator must act (configuration, another daemon); systemd does not restart on it.
      const code = e instanceof ConfigError || e instanceof AlreadyRunningError ? 2 : 1;
      log.on('finish', () => process.exit(code));
      log.end();
    },
  );
}
