// bin/alerts: the recent alerts with their delivery state; `bin/alerts test [RULE]` sends a test
// message to each rule's destination (or RULE's) and says what it answered; `bin/alerts retry
// [RULE]` puts parked alerts back in line. Destinations are shown by rule name and host only: a
// webhook URL holds its secret.
import { type AlertRule, destinationName } from '../alerts/config.js';
import { render } from '../alerts/formats.js';
import { testAlert } from '../alerts/message.js';
import { type Sender, sendAlert } from '../alerts/send.js';
import { type Config, loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { msToIso } from '../keepa/time.js';
import { AlertStore } from '../state/alerts.js';
import { openExistingDatabase } from '../state/db.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf, UsageError } from './args.js';
import { runCommand } from './run.js';

const DEFAULT_LIMIT = 20;

export const ALERTS_COMMAND: CommandSpec = {
  name: 'bin/alerts',
  summary: `The recent alerts, newest first, with their delivery state.
  bin/alerts test [RULE]   sends a test message to RULE's destination (all rules without RULE)
  bin/alerts retry [RULE]  parked alerts (RULE's, or all) are tried again from now`,
  options: {
    limit: { type: 'string', value: 'N', help: `how many alerts to list (default ${DEFAULT_LIMIT}, at most 10000)` },
    json: { type: 'boolean', help: 'list them as JSON' },
    config: CONFIG_OPTION,
  },
  positional: { name: '[test|retry [RULE]]', help: 'send a test message, or retry parked alerts (of RULE, or all)', count: 2 },
};

interface Args {
  command: 'list' | 'test' | 'retry';
  rule: string | null;
  limit: number;
  json: boolean;
  configPath: string | null;
}

export function parseAlertArgs(args: CommandArgs): Args {
  const { values, positionals } = args;
  const configPath = configPathOf(args);
  const [command, rule] = positionals;
  if (command === undefined) {
    const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit must be a whole number from 1 to 10000; got "${String(values.limit)}".`);
    return { command: 'list', rule: null, limit, json: values.json === true, configPath };
  }
  if (command !== 'test' && command !== 'retry') throw new UsageError(`bin/alerts has no command "${command}"; it knows test and retry.`);
  if (values.limit !== undefined || values.json === true) throw new UsageError(`--limit and --json go with the list, not with ${command}.`);
  return { command, rule: rule ?? null, limit: DEFAULT_LIMIT, json: false, configPath };
}

export function listAlerts(config: Config, limit: number, json: boolean, out: (text: string) => void): number {
  const db = openExistingDatabase(config.dealsDb, { readonly: true });
  try {
    const rows = new AlertStore(db).recent(limit).map((r) => ({ ...r, host: hostOf(config, r.destination) }));
    if (json) {
      out(
        JSON.stringify(
          rows.map(({ payload: _payload, ...r }) => r),
          null,
          2,
        ),
      );
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

export async function alerts(commandArgs: CommandArgs, nowMs: number, out: (text: string) => void): Promise<number> {
  const args = parseAlertArgs(commandArgs);
  const config = loadConfig({ configPath: args.configPath });
  if (args.command === 'test') return testRules(config, args.rule, nowMs, out);
  if (args.command === 'retry') return retryParked(config, args.rule, nowMs, out);
  return listAlerts(config, args.limit, args.json, out);
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(ALERTS_COMMAND, argv, (args) => alerts(args, Date.now(), (text) => process.stdout.write(`${text}\n`)));
}
