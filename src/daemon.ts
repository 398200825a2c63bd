// The daemon: configuration, the one Keepa client and bucket, the database, the scheduler and the
// status server, started in that order and stopped in reverse on SIGTERM/SIGINT.
import { hostname } from 'node:os';
import { alertSecrets, destinationName } from './alerts/config.js';
import { AlertDelivery } from './alerts/delivery.js';
import { CONFIG_OPTION, type CommandSpec, configPathOf, parseCommandArgs, UsageError, usageLine } from './cli/args.js';
import { earlyAnswer, USAGE_EXIT_CODE } from './cli/run.js';
import { type Clock, systemClock } from './clock.js';
import { type Config, loadConfig, SHIPPED_HEADERS_PATH } from './config.js';
import { AlreadyRunningError, ConfigError, describeError, MustStopError } from './errors.js';
import { checkHttpExposure, type StatusServer, startStatusServer } from './http.js';
import { TokenBucket } from './keepa/bucket.js';
import { KeepaClient } from './keepa/client.js';
import { restoreKeepaState } from './keepa/savedBucket.js';
import { createLogger, type Logger } from './log.js';
import { ingestJob } from './pipeline/ingest.js';
import { janitorJob } from './pipeline/janitor.js';
import { checkDatabaseFolder } from './preflight.js';
import { redactSecrets } from './redact.js';
import { Scheduler } from './scheduler.js';
import type { Simulator } from './simulator/index.js';
import { columnsLeftOut, type DealColumn, loadColumns } from './state/columns.js';
import { openExportReader } from './state/db.js';
import { acquireProcessLock, type ProcessLock } from './state/processLock.js';
import { openStore, type Store } from './state/store.js';
import { buildStatus } from './status.js';
import { VERSION } from './version.js';
import { describeSettings } from './web/settingsPage.js';

/** How long SIGTERM waits for the running chunk to commit; systemd's TimeoutStopSec must be longer. */
export const STOP_GRACE_MS = 20_000;
/** How often an idle daemon checks that its database and lock files are still the ones it opened. */
const FILE_CHECK_MS = 5_000;
/** Tokens a minute of the demo simulator: fast enough to show deals within two minutes. */
const DEMO_REFILL_RATE = 300;
const DEMO_API_KEY = 'demo0000000000000000000000000000000000000000000000000000000000000';

export const DAEMON_COMMAND: CommandSpec = {
  name: 'node bin/daemon.js',
  summary: 'The keepa-deals daemon: finds deals through Keepa (or the built-in simulator without KEEPA_API_KEY) and keeps the deals table fresh. Settings come from the environment (README, "Configuration"); SIGTERM stops it after the chunk in hand.',
  options: { config: CONFIG_OPTION },
};

export interface Daemon {
  store: Store;
  scheduler: Scheduler;
  statusUrl: string | null;
  /** Resolves when the daemon must stop by itself (its database or lock file gone); the caller stops it. */
  mustStop: Promise<MustStopError>;
  stop(): Promise<void>;
}

/** `configPath`: the --config file the configuration came from, for the settings page's sources. */
/**
 * The operator's headers.json decides the table: a computed column it lacks is not stored. Said
 * once, at start, with the names, rather than for every row.
 */
export function warnColumnsLeftOut(headersPath: string, columns: readonly DealColumn[], log: Logger, shippedPath = SHIPPED_HEADERS_PATH): void {
  if (headersPath === shippedPath) return;
  const leftOut = columnsLeftOut(columns, loadColumns(shippedPath));
  if (leftOut.length === 0) return;
  log.warn(`${headersPath} lacks ${leftOut.length} column(s) the analysis computes; they are not stored: ${leftOut.join(', ')}`, { columns: leftOut });
}

export async function startDaemon(config: Config, log: Logger, clock: Clock = systemClock, configPath: string | null = null): Promise<Daemon> {
  const columns = loadColumns(config.headersPath);
  checkDatabaseFolder(config.dealsDb);
  const lock: ProcessLock = await acquireProcessLock(config.dealsDb);
  const cleanup: Array<() => Promise<void> | void> = [() => lock.release()];
  let mustStop: (e: MustStopError) => void = () => undefined;
  const mustStopPromise = new Promise<MustStopError>((resolve) => {
    mustStop = resolve;
  });
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
    warnColumnsLeftOut(config.headersPath, columns, log);
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
    const onCall = (endpoint: string, code: string): void => {
      try {
        store.runs.counters.add('keepa_requests_total', { endpoint, code }, 1);
      } catch (e: unknown) {
        log.warn(`cannot count a Keepa request for /metrics: ${describeError(e)}`);
      }
    };
    const keepa = new KeepaClient({ baseUrl, apiKey, bucket, clock, log, onCall });
    const deps = { store, keepa, clock, log, config };
    const saved = restoreKeepaState(deps, clock.now());
    if (saved.restored) log.info('restored the token figures of the last run', { balance: bucket.snapshot(clock.now()).balance });
    if (saved.refused !== null) log.warn(`did not restore the saved token figures (${saved.refused}); asking Keepa instead`);

    store.system.setJson('daemon', { pid: process.pid, version: VERSION, startedAt: clock.now(), keepa: simulator ? 'simulator' : 'live', ingestCron: config.ingestCron }, clock.now());
    const scheduler = new Scheduler({ store, clock, log, owner: `${hostname()}:${process.pid}`, onMustStop: mustStop });
    const fileCheck = setInterval(() => {
      try {
        lock.verify();
        store.checkFile();
      } catch (e: unknown) {
        if (!(e instanceof MustStopError)) throw e;
        clearInterval(fileCheck);
        mustStop(e);
      }
    }, FILE_CHECK_MS);
    fileCheck.unref();
    cleanup.push(() => clearInterval(fileCheck));
    scheduler.add(ingestJob(deps));
    scheduler.add(janitorJob(deps));

    let http: StatusServer | null = null;
    if (config.httpPort > 0) {
      http = await startStatusServer({
        store,
        host: config.httpHost,
        allowedHosts: config.httpAllowedHosts,
        port: config.httpPort,
        log,
        report: () => buildStatus({ store, config, nowMs: clock.now(), daemonRunning: true }),
        authToken: config.httpAuthToken,
        desk: {
          store,
          business: config.business,
          settings: describeSettings(config, process.env, configPath),
          now: () => clock.now(),
          openReader: () => openExportReader(config.dealsDb),
        },
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
    return { store, scheduler, statusUrl: http?.url ?? null, mustStop: mustStopPromise, stop: unwind };
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
  let configPath: string | null;
  try {
    const args = parseCommandArgs(DAEMON_COMMAND, argv);
    const answer = earlyAnswer(DAEMON_COMMAND, args);
    if (answer !== null) {
      process.stdout.write(`${answer}\n`);
      return;
    }
    configPath = configPathOf(args);
    config = loadConfig({ configPath, isTty: process.stdout.isTTY === true });
    if (config.httpPort > 0) checkHttpExposure(config.httpHost, config.httpAuthToken);
  } catch (e: unknown) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${usageLine(DAEMON_COMMAND)}   (--help for more)\n`);
      process.exit(USAGE_EXIT_CODE);
    }
    process.stderr.write(`${e instanceof ConfigError ? e.message : describeError(e)}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat, secrets: [...(config.keepaApiKey ? [config.keepaApiKey] : []), ...(config.httpAuthToken ? [config.httpAuthToken] : []), ...alertSecrets(config.alerts)] });
  // One exception must never end the daemon: log it and let the next run go on.
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${describeError(e)}`));
  process.on('uncaughtException', (e) => log.error(`uncaught exception: ${describeError(e)}`));
  log.info(`keepa-deals ${VERSION} starting`, describeConfig(config));
  // Signals are taken from the start: without a listener, a SIGTERM during start-up would end the
  // process on the spot. One that comes before the daemon is up stops it as soon as it is.
  let requested: string | null = null;
  let stop = (signal: string): void => {
    requested ??= signal;
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Logs go to stdout (the journal): there is no file to reopen, and settings are read at start.
  process.on('SIGHUP', () => log.info('SIGHUP ignored: logs go to stdout and settings are read at start; restart the daemon to change them'));
  startDaemon(config, log, systemClock, configPath).then(
    (daemon) => {
      let stopping = false;
      const stopWith = (signal: string, code: number): void => {
        if (stopping) return;
        stopping = true;
        log.info(`${signal}: stopping after the current chunk`);
        void daemon.stop().then(() => {
          log.info('stopped');
          log.on('finish', () => process.exit(code));
          log.end();
        });
      };
      stop = (signal) => stopWith(signal, 0);
      if (requested !== null) stop(requested);
      // 2: the operator must act; systemd does not restart on it.
      void daemon.mustStop.then((e) => {
        log.error(e.message);
        stopWith(e.name, 2);
      });
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
