// One loader for all configuration: defaults, then an optional JSON file (--config PATH),
// then the environment, which wins. Every check is a sentence naming the setting and what it
// accepts; a bad value is a ConfigError and the daemon starts nothing.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AlertSettings, alertSetting } from './alerts/config.js';
import { cronSetting, hostSetting, intSetting, isRecord, notASetting, optionalString, stringSetting, urlSetting } from './configFields.js';
import { ConfigError } from './errors.js';
import { type BusinessSettings, businessSetting, DEMO_PIPELINE, type DealQuery, dealQuerySetting, type PeekSettings, type PipelineSettings, peekSetting, pipelineSetting } from './settings.js';

export type LogFormat = 'json' | 'pretty';

export interface Config {
  keepaApiKey: string | null;
  keepaBaseUrl: string;
  dealsDb: string;
  headersPath: string;
  ingestCron: string;
  janitorCron: string;
  logLevel: string;
  logFormat: LogFormat;
  /** Status server port on `httpHost`; 0 turns it off. */
  httpPort: number;
  httpHost: string;
  /** Required of every status request when set; required to be set when httpHost is not loopback. */
  httpAuthToken: string | null;
  /** Host names the status server answers besides localhost and its own address (a DNS name behind a proxy). */
  httpAllowedHosts: string[];
  dealQuery: DealQuery;
  business: BusinessSettings;
  peek: PeekSettings;
  pipeline: PipelineSettings;
  alerts: AlertSettings;
}

/** The project folder (where package.json and headers.json live), whether running from src/ or dist/src/. */
const HERE = dirname(fileURLToPath(import.meta.url));
export const PROJECT_DIR = basename(dirname(HERE)) === 'dist' ? resolve(HERE, '../..') : resolve(HERE, '..');
/** The headers.json the project ships: every column the analysis computes (test/pipeline/analytics/row.test.ts holds it to that). */
export const SHIPPED_HEADERS_PATH = resolve(PROJECT_DIR, 'headers.json');

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

type Env = Record<string, string | undefined>;

export interface LoadOptions {
  env?: Env;
  /** Path of a JSON config file (the `--config` flag). */
  configPath?: string | null;
  /** Whether stdout is a terminal; decides the default log format. */
  isTty?: boolean;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.configPath ? readConfigFile(options.configPath) : {};
  // Every key the file may hold is one that pick() or section() reads below, so a new setting is
  // one line and the unknown-key check at the end needs no list of its own.
  const known = new Set<string>();
  const fromFile = (key: string): unknown => {
    known.add(key);
    return Object.hasOwn(file, key) ? file[key] : undefined;
  };
  const pick = (envName: string, fileKey: string): unknown => {
    const inFile = fromFile(fileKey);
    const fromEnv = env[envName];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : inFile;
  };
  /** An object of settings that only the config file holds. */
  const section = (key: string): unknown => fromFile(key);

  const keepaApiKey = optionalString(pick('KEEPA_API_KEY', 'keepaApiKey'), 'KEEPA_API_KEY');
  if (keepaApiKey !== null && !/^[A-Za-z0-9]{16,128}$/.test(keepaApiKey)) {
    throw new ConfigError('KEEPA_API_KEY must be the access key from keepa.com/#!api (letters and digits only, no spaces or quotes).');
  }
  const keepaBaseUrl = urlSetting(pick('KEEPA_BASE_URL', 'keepaBaseUrl') ?? 'https://api.keepa.com', 'KEEPA_BASE_URL');
  // Without a key the daemon runs against the simulator: its invented deals go to a database of
  // their own, so that adding a key later never mixes them with real ones.
  // Under systemd the data folder is the unit's StateDirectory= (/var/lib/keepa-deals, given as
  // $STATE_DIRECTORY); run by hand, data/ in the project folder.
  const dataDir = env.STATE_DIRECTORY?.split(':')[0] || resolve(PROJECT_DIR, 'data');
  const dealsDb = stringSetting(pick('DEALS_DB', 'dealsDb') ?? resolve(dataDir, keepaApiKey === null ? 'demo.db' : 'deals.db'), 'DEALS_DB', 'a file path');
  const headersPath = stringSetting(pick('DEALS_HEADERS', 'headersPath') ?? SHIPPED_HEADERS_PATH, 'DEALS_HEADERS', 'a file path');
  // The demo (no key) runs every 20 s so that a newcomer sees deals within two minutes.
  const ingestCron = cronSetting(pick('INGEST_CRON', 'ingestCron') ?? (keepaApiKey === null ? '*/20 * * * * *' : '*/5 * * * *'), 'INGEST_CRON');
  const janitorCron = cronSetting(pick('JANITOR_CRON', 'janitorCron') ?? '17 */4 * * *', 'JANITOR_CRON');
  const logLevel = stringSetting(pick('LOG_LEVEL', 'logLevel') ?? 'info', 'LOG_LEVEL', LOG_LEVELS.join(', '));
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL is "${logLevel}"; it accepts ${LOG_LEVELS.join(', ')}.`);
  const logFormat = stringSetting(pick('LOG_FORMAT', 'logFormat') ?? (options.isTty ? 'pretty' : 'json'), 'LOG_FORMAT', 'json or pretty');
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new ConfigError(`LOG_FORMAT is "${logFormat}"; it accepts json or pretty.`);
  const httpPort = intSetting(pick('HTTP_PORT', 'httpPort') ?? 8750, 'HTTP_PORT', 0, 65535, 'a port from 1 to 65535, or 0 to turn the status server off');
  const httpHost = hostSetting(pick('HTTP_HOST', 'httpHost') ?? '127.0.0.1', 'HTTP_HOST');
  const httpAuthToken = optionalString(pick('HTTP_AUTH_TOKEN', 'httpAuthToken'), 'HTTP_AUTH_TOKEN');
  const httpAllowedHosts = (optionalString(pick('HTTP_ALLOWED_HOSTS', 'httpAllowedHosts'), 'HTTP_ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');

  const config: Config = {
    keepaApiKey,
    keepaBaseUrl,
    dealsDb,
    headersPath,
    ingestCron,
    janitorCron,
    logLevel,
    logFormat,
    httpPort,
    httpHost,
    httpAuthToken,
    httpAllowedHosts,
    dealQuery: dealQuerySetting(section('dealQuery')),
    business: businessSetting(section('business')),
    peek: peekSetting(section('peek')),
    pipeline: pipelineSetting(section('pipeline'), keepaApiKey === null ? DEMO_PIPELINE : {}),
    alerts: alertSetting(section('alerts'), env, { httpHost, httpPort }),
  };
  // Every key is read first, even when the environment wins, so that the check sees them all.
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw notASetting(`"${key}" in the config file`, key, [...known]);
  }
  return config;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(`--config ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); give the path of a readable JSON file.`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw new ConfigError(`--config ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
  if (!isRecord(parsed)) throw new ConfigError(`--config ${path} must hold a JSON object of settings.`);
  return parsed;
}
