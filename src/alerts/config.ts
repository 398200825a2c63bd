// The `alerts` section of the config file and the one-rule shortcut of the environment
// (ALERT_WEBHOOK_URL, ALERT_MIN_PROFIT): their shapes, defaults and checks. Webhook URLs hold
// secrets (Discord's and Slack's carry their token in the path): `destinationName` is what any
// log line, status or metric may show.
import { isRecord, mergeSection, notASetting, numberField, numberFrom, stringSetting } from '../configFields.js';
import { ConfigError } from '../errors.js';

export const ALERT_FORMATS = ['webhook', 'discord', 'slack', 'ntfy'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export interface AlertDestination {
  url: string;
  format: AlertFormat;
}

/** Every condition must hold; null (or an empty list) does not constrain. Money in dollars, ROI in percent. */
export interface AlertConditions {
  minProfit: number | null;
  minRoi: number | null;
  maxSalesRank: number | null;
  minSalesPerYear: number | null;
  /** Words the offer's condition must contain, any of them ("Like New" matches "Used - Like New"). */
  condition: string[];
  /** Words the deal's season (Detailed_Seasonality or Seasonality_Type) must contain, any of them. */
  season: string[];
}

export interface AlertRule {
  name: string;
  conditions: AlertConditions;
  destination: AlertDestination;
}

export interface AlertSettings {
  rules: AlertRule[];
  /** A match on data fetched longer ago than this is verified by a refresh before it is sent. */
  freshMinutes: number;
  /** Failed sends before a message is parked. */
  maxAttempts: number;
  /** How long one send may take before it counts as failed. */
  timeoutSeconds: number;
  /** How often the delivery loop looks for due messages and checks the status verdict. */
  pollSeconds: number;
  /** Where the deal pages (`/deals/ASIN`) are served; null when the status server is off. */
  pageUrl: string | null;
  /** Whether the verdict turning stalled, and back to ok, is sent to the destinations. */
  statusAlerts: boolean;
}

/** The rule name of operational alerts; no deal rule may take it. */
export const STATUS_RULE = 'status';
/** The rule that ALERT_WEBHOOK_URL defines. */
export const ENV_RULE = 'webhook';

const DEFAULTS = { rules: [], freshMinutes: 30, maxAttempts: 20, timeoutSeconds: 10, pollSeconds: 5, pageUrl: null, statusAlerts: true };
const RULE_KEYS = ['name', 'minProfit', 'minRoi', 'maxSalesRank', 'minSalesPerYear', 'condition', 'season', 'destination'];

type Env = Record<string, string | undefined>;

export function alertSetting(given: unknown, env: Env, server: { httpHost: string; httpPort: number }): AlertSettings {
  const s = mergeSection(DEFAULTS, given, 'alerts');
  if (!Array.isArray(s.rules)) throw new ConfigError('alerts.rules must be a JSON array of rules ({ "name", conditions, "destination": { "url", "format" } }).');
  const rules = s.rules.map((r: unknown, i: number) => ruleSetting(r, `alerts.rules[${i}]`));
  const envUrl = env.ALERT_WEBHOOK_URL;
  if (envUrl !== undefined && envUrl !== '') rules.push(envRule(envUrl, env.ALERT_MIN_PROFIT));
  else if (env.ALERT_MIN_PROFIT !== undefined && env.ALERT_MIN_PROFIT !== '') throw new ConfigError('ALERT_MIN_PROFIT is set without ALERT_WEBHOOK_URL; set the webhook URL too, or remove it.');
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.name)) throw new ConfigError(`Two alert rules are named "${r.name}"${r.name === ENV_RULE ? ' (ALERT_WEBHOOK_URL defines the rule "webhook")' : ''}; give each rule its own name.`);
    names.add(r.name);
  }
  const pageUrl = s.pageUrl === null ? defaultPageUrl(server) : urlOf(s.pageUrl, 'alerts.pageUrl').replace(/\/+$/, '');
  if (typeof s.statusAlerts !== 'boolean') throw new ConfigError(`alerts.statusAlerts is ${JSON.stringify(s.statusAlerts)}; it must be true or false.`);
  return {
    rules,
    freshMinutes: numberField(s, 'alerts', 'freshMinutes', 1, 24 * 60),
    maxAttempts: Math.round(numberField(s, 'alerts', 'maxAttempts', 1, 100)),
    timeoutSeconds: numberField(s, 'alerts', 'timeoutSeconds', 1, 120),
    pollSeconds: numberField(s, 'alerts', 'pollSeconds', 1, 600),
    pageUrl,
    statusAlerts: s.statusAlerts,
  };
}

function defaultPageUrl(server: { httpHost: string; httpPort: number }): string | null {
  if (server.httpPort === 0) return null;
  const host = server.httpHost.includes(':') ? `[${server.httpHost}]` : server.httpHost;
  return `http://${host}:${server.httpPort}`;
}

function ruleSetting(given: unknown, where: string): AlertRule {
  if (!isRecord(given)) throw new ConfigError(`${where} must be a JSON object with a "name", conditions and a "destination".`);
  for (const key of Object.keys(given)) {
    if (!RULE_KEYS.includes(key)) throw notASetting(`${where}.${key}`, key, RULE_KEYS);
  }
  const name = stringSetting(given.name, `${where}.name`, 'a name of letters, digits, - and _');
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(name)) throw new ConfigError(`${where}.name is "${name}"; use up to 40 letters, digits, - and _.`);
  if (name === STATUS_RULE) throw new ConfigError(`${where}.name cannot be "${STATUS_RULE}": that name marks the operational alerts.`);
  const optional = (key: string, min: number, max: number): number | null => (given[key] === undefined || given[key] === null ? null : numberField(given, where, key, min, max));
  const destination = given.destination;
  if (!isRecord(destination)) throw new ConfigError(`${where}.destination must be a JSON object { "url": "https://...", "format": "${ALERT_FORMATS.join('" | "')}" }.`);
  for (const key of Object.keys(destination)) {
    if (key !== 'url' && key !== 'format') throw notASetting(`${where}.destination.${key}`, key, ['url', 'format']);
  }
  const url = urlOf(destination.url, `${where}.destination.url`);
  const format = destination.format ?? formatForUrl(url);
  if (typeof format !== 'string' || !(ALERT_FORMATS as readonly string[]).includes(format)) {
    throw new ConfigError(`${where}.destination.format is ${JSON.stringify(format)}; it accepts ${ALERT_FORMATS.join(', ')}.`);
  }
  return {
    name,
    conditions: {
      minProfit: optional('minProfit', -1e6, 1e6),
      minRoi: optional('minRoi', -100, 1e6),
      maxSalesRank: optional('maxSalesRank', 1, 1e9),
      minSalesPerYear: optional('minSalesPerYear', 0, 1e6),
      condition: words(given.condition, `${where}.condition`),
      season: words(given.season, `${where}.season`),
    },
    destination: { url, format: format as AlertFormat },
  };
}

function envRule(url: string, minProfit: string | undefined): AlertRule {
  let min: number | null = null;
  if (minProfit !== undefined && minProfit !== '') {
    min = numberFrom(minProfit);
    if (!Number.isFinite(min)) throw new ConfigError(`ALERT_MIN_PROFIT is "${minProfit}"; it must be a number of dollars, such as 8 or 12.5.`);
  }
  const checked = urlOf(url, 'ALERT_WEBHOOK_URL');
  return {
    name: ENV_RULE,
    conditions: { minProfit: min, minRoi: null, maxSalesRank: null, minSalesPerYear: null, condition: [], season: [] },
    destination: { url: checked, format: formatForUrl(checked) },
  };
}

/** A URL on Discord's, Slack's or ntfy.sh's webhook hosts gets their format; any other the generic webhook. */
export function formatForUrl(url: string): AlertFormat {
  const host = new URL(url).hostname;
  if (/(^|\.)discord(app)?\.com$/.test(host)) return 'discord';
  if (host === 'hooks.slack.com') return 'slack';
  if (host === 'ntfy.sh') return 'ntfy';
  return 'webhook';
}

function words(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((w) => typeof w !== 'string' || w.trim() === '')) {
    throw new ConfigError(`${name} must be a word or a JSON array of words, such as ["Like New", "Very Good"].`);
  }
  return list.map((w: string) => w.trim());
}

/** Checked without echoing the value: a webhook URL is a secret. */
function urlOf(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${name} must be an http(s) URL.`);
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw new ConfigError(`${name} is not a valid URL; it must be an http(s) URL such as https://example.com/hook.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must use http or https (it uses ${url.protocol}).`);
  return url.toString();
}

/** What may be shown of a destination: the rule's name and the host, never the path or query. */
export function destinationName(rule: Pick<AlertRule, 'name' | 'destination'>): string {
  return `${rule.name} (${new URL(rule.destination.url).host})`;
}

/** The strings the logger must mask: each URL whole and its path and query, which hold the token. */
export function alertSecrets(settings: Pick<AlertSettings, 'rules'>): string[] {
  const out = new Set<string>();
  for (const rule of settings.rules) {
    const url = new URL(rule.destination.url);
    out.add(rule.destination.url);
    out.add(rule.destination.url.replace(/\/+$/, ''));
    const rest = `${url.pathname}${url.search}`;
    if (rest.replace(/\/+$/, '').length >= 4) out.add(rest.replace(/\/+$/, ''));
    if (url.username || url.password) out.add(`${url.username}:${url.password}`);
  }
  return [...out].sort((a, b) => b.length - a.length);
}
