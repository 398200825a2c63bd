// GET /settings: the settings in force, read-only, each with where it came from (the environment,
// the --config file, or the default), so a reseller can see which costs and filters made the
// figures. Secrets show only whether they are set.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { renderDeskPage } from './deskLayout.js';
import { escapeHtml as e } from './escape.js';

export interface SettingLine {
  name: string;
  value: string;
  source: string;
}

type Env = Record<string, string | undefined>;

/** Settings the environment can set: variable, config file key, and whether the value is a secret. */
const ENV_SETTINGS: ReadonlyArray<readonly [string, keyof Config, boolean]> = [
  ['KEEPA_API_KEY', 'keepaApiKey', true],
  ['KEEPA_BASE_URL', 'keepaBaseUrl', false],
  ['DEALS_DB', 'dealsDb', false],
  ['DEALS_HEADERS', 'headersPath', false],
  ['INGEST_CRON', 'ingestCron', false],
  ['JANITOR_CRON', 'janitorCron', false],
  ['LOG_LEVEL', 'logLevel', false],
  ['LOG_FORMAT', 'logFormat', false],
  ['HTTP_PORT', 'httpPort', false],
  ['HTTP_HOST', 'httpHost', false],
  ['HTTP_ALLOWED_HOSTS', 'httpAllowedHosts', false],
  ['HTTP_AUTH_TOKEN', 'httpAuthToken', true],
];

const SECTIONS = ['business', 'peek', 'pipeline', 'dealQuery', 'alerts'] as const;

function readFile(path: string | null): Record<string, unknown> {
  if (path === null) return {};
  // loadConfig already read and checked this file at start; this only tells which keys it set.
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

/** Computed once at start, from the same environment and file the configuration was loaded from. */
export function describeSettings(config: Config, env: Env, configPath: string | null): SettingLine[] {
  const file = readFile(configPath);
  const fromFile = `config file ${configPath ?? ''}`;
  const lines: SettingLine[] = [];
  for (const [variable, key, secret] of ENV_SETTINGS) {
    const value = config[key];
    const source = env[variable] !== undefined && env[variable] !== '' ? `environment ${variable}` : key in file ? fromFile : 'default';
    lines.push({ name: variable, value: secret ? (value ? 'set (not shown)' : 'not set') : String(value), source });
  }
  for (const section of SECTIONS) {
    const given = file[section];
    const values = config[section] as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(values)) {
      const set = typeof given === 'object' && given !== null && key in given;
      // Alert destinations are webhook URLs, which hold their own secrets.
      const shown = section === 'alerts' && key === 'rules' && Array.isArray(value) ? `${value.length} rule(s), destinations not shown` : JSON.stringify(value);
      const fromEnv = section === 'alerts' && key === 'rules' && (env.ALERT_WEBHOOK_URL ?? '') !== '';
      lines.push({ name: `${section}.${key}`, value: shown, source: fromEnv ? 'environment ALERT_WEBHOOK_URL' : set ? fromFile : 'default' });
    }
  }
  return lines;
}

export function renderSettingsPage(lines: readonly SettingLine[], nonce: string): string {
  const rows = lines.map((l) => `<tr><td><code>${e(l.name)}</code></td><td>${e(l.value)}</td><td>${e(l.source)}</td></tr>`).join('');
  const body = `<h1>Settings in force</h1>
<p class="muted">Read-only. Change them in the environment or the <code>--config</code> file and restart the daemon; the environment wins over the file. The deals' costs (All-in Cost, fees) were computed with the business settings of their analysis, which each deal's page shows.</p>
<table><thead><tr><th>Setting</th><th>Value</th><th>From</th></tr></thead><tbody>${rows}</tbody></table>`;
  return renderDeskPage({ title: 'Settings', nonce, active: 'settings', body });
}
