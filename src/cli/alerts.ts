// bin/alerts: the recent alerts with their delivery state; `bin/alerts test [RULE]` sends a test
// message to each rule's destination (or RULE's) and says what it answered; `bin/alerts retry
// [RULE]` puts parked alerts back in line. Destinations are shown by rule name and host only: a
// webhook URL holds its secret.
import { parseArgs } from 'node:util';
import { type AlertRule, destinationName } from '../alerts/config.js';
import { render } from '../alerts/formats.js';
import { testAlert } from '../alerts/message.js';
import { type Sender, sendAlert } from '../alerts/send.js';
import { type Config, loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { msToIso } from '../keepa/time.js';
import { AlertStore } from '../state/alerts.js';
import { openExistingDatabase } from '../state/db.js';
import { runCommand, UsageError } from './run.js';

export const USAGE = `usage: bin/alerts [--limit N] [--json] [--config PATH]   the recent alerts, newest first, with their delivery state
       bin/alerts test [RULE] [--config PATH]          sends a test message to RULE's destination (all rules without RULE)
       bin/alerts retry [RULE] [--config PATH]         parked alerts (RULE's, or all) are tried again from now`;

const DEFAULT_LIMIT = 20;

interface Args {
  command: 'list' | 'test' | 'retry' | 'help';
  rule: string | null;
  limit: number;
  json: boolean;
  configPath: string | null;
}

export function parseAlertArgs(argv: readonly string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e: unknown) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const configPath = values.config ?? null;
  if (values.help) return { command: 'help', rule: null, limit: DEFAULT_LIMIT, json: false, configPath };
  const [command, rule, ...rest] = positionals;
  if (command === undefined) {
    const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit must be a whole number from 1 to 10000; got "${values.limit}".\n${USAGE}`);
    return { command: 'list', rule: null, limit, json: values.json ?? false, configPath };
  }
  if (command !== 'test' && command !== 'retry') throw new UsageError(`unknown command "${command}".\n${USAGE}`);
  if (rest.length > 0) throw new UsageError(`bin/alerts ${command} takes at most one rule name; got ${[rule, ...rest].join(' ')}.\n${USAGE}`);
  if (values.limit !== undefined || values.json) throw new UsageError(`--limit and --json go with the list, not with ${command}.\n${USAGE}`);
  return { command, rule: rule ?? null, limit: DEFAULT_LIMIT, json: false, configPath };
}

export function listAlerts(config: Config, limit: number, json: boolean, out: (text: string) => void): number {
  const db = openExistingDatabase(config.dealsDb, { readonly: true });
  try {
    const rows = new AlertStore(db).recent(limit).map((r) => ({ ...r, host: hostOf(config, r.destination) }));
    if (json) {
      out(JSON.stringify(rows.map(({ payload: _payload, ...r }) => r), null, 2));
      return 0;
    }
    if (rows.length === 0) {
      out(config.alerts.rules.length === 0 ? 'No alerts yet, and no alert rules: set ALERT_WEBHOOK_URL or add alerts.rules to the config file (docs/alerts.md).' : 'No alerts yet.');
      return 0;
    }
    for (const r of rows) {
      const when = r.state === 'delivered' && r.deliveredAt !== null ? `delivered ${msToIso(r.deliveredAt)}` : `${r.state}${r.state === 'pending' ? `, next try ${msToIso(r.nextTryAt)}` : ''}`;
      out(`${msToIso(r.createdAt)}  ${r.id}  to ${r.destination}${r.host ? ` (${r.host})` : ''}  ${when}; ${r.attempts} ${r.attempts === 1 ? 'try' : 'tries'}${r.lastAnswer ? `, last answer ${r.lastAnswer}` : ''}`);
    }
    return 0;
  } finally {
    db.close();
  }
}

function hostOf(config: Config, ruleName: string): string | null {
  const rule = config.alerts.rules.find((r) => r.name === ruleName);
  return rule ? new URL(rule.destination.url).host : null;
}

export async function testRules(config: Config, ruleName: string | null, nowMs: number, out: (text: string) => void, send: Sender = sendAlert): Promise<number> {
  const rules = config.alerts.rules;
  if (rules.length === 0) throw new ConfigError('No alert rules to test: set ALERT_WEBHOOK_URL or add alerts.rules to the config file (docs/alerts.md).');
  let chosen: AlertRule[] = rules;
  if (ruleName !== null) {
    chosen = rules.filter((r) => r.name === ruleName);
    if (chosen.length === 0) throw new UsageError(`No alert rule named "${ruleName}"; the rules are ${rules.map((r) => r.name).join(', ')}.`);
  }
  let failed = 0;
  for (const rule of chosen) {
    const message = render(rule.destination.format, testAlert(rule.name, nowMs, config.alerts.pageUrl));
    const answer = await send(rule.destination.url, message, { timeoutMs: config.alerts.timeoutSeconds * 1000 });
    if (!answer.ok) failed += 1;
    out(`${destinationName(rule)}, ${rule.destination.format}: ${answer.ok ? 'delivered, answered' : 'NOT delivered:'} ${answer.text} (${answer.ms} ms)`);
  }
  return failed === 0 ? 0 : 1;
}

/** Safe while the daemon runs: one short write it picks up on its next pass. */
export function retryParked(config: Config, ruleName: string | null, nowMs: number, out: (text: string) => void): number {
  const db = openExistingDatabase(config.dealsDb);
  try {
    const n = new AlertStore(db).retryParked(ruleName, nowMs);
    out(n === 0 ? `No parked alerts${ruleName === null ? '' : ` for rule ${ruleName}`}.` : `${n} parked alert${n === 1 ? '' : 's'} will be tried again from now, each with ${config.alerts.maxAttempts} tries (alerts.maxAttempts).`);
    return 0;
  } finally {
    db.close();
  }
}

export async function alerts(argv: readonly string[], nowMs: number, out: (text: string) => void): Promise<number> {
  const args = parseAlertArgs(argv);
  if (args.command === 'help') {
    out(USAGE);
    return 0;
  }
  const config = loadConfig({ configPath: args.configPath });
  if (args.command === 'test') return testRules(config, args.rule, nowMs, out);
  if (args.command === 'retry') return retryParked(config, args.rule, nowMs, out);
  return listAlerts(config, args.limit, args.json, out);
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(() => alerts(argv, Date.now(), (text) => process.stdout.write(`${text}\n`)));
}
