// bin/status [--json]: what a person needs to know whether deals are flowing. Exit code 0 ok,
// 1 degraded, 2 stalled, 3 when the status itself cannot be read (no database, not a database,
// a bad setting).
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { loadColumns } from '../state/columns.js';
import { openExistingDatabase } from '../state/db.js';
import { isLocked } from '../state/processLock.js';
import { storeFor } from '../state/store.js';
import { buildStatus, type StatusReport, VERDICT_EXIT_CODE } from '../status.js';
import { renderStatusText } from '../statusText.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf } from './args.js';
import { runCommand } from './run.js';

const UNKNOWN_EXIT_CODE = 3;

export const STATUS_COMMAND: CommandSpec = {
  name: 'bin/status',
  summary: 'Says whether deals are flowing. Exit code 0 ok, 1 degraded, 2 stalled, 3 when the status cannot be read.',
  options: { json: { type: 'boolean', help: 'print the report as JSON (what GET /status answers)' }, config: CONFIG_OPTION },
};

export async function status(args: CommandArgs, nowMs: number, out: (text: string) => void): Promise<number> {
  const config = loadConfig({ configPath: configPathOf(args) });
  const db = openExistingDatabase(config.dealsDb, { readonly: true });
  try {
    let report: StatusReport;
    try {
      const store = storeFor(db, loadColumns(config.headersPath), config.peek.minSalesPerYear);
      report = buildStatus({ store, config, nowMs, daemonRunning: await isLocked(config.dealsDb) });
    } catch (e: unknown) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`Cannot read the status from ${config.dealsDb} (${e instanceof Error ? e.message : String(e)}); check that DEALS_DB names the daemon's database.`, { cause: e });
    }
    out(args.values.json === true ? JSON.stringify(report, null, 2) : renderStatusText(report));
    return VERDICT_EXIT_CODE[report.verdict];
  } finally {
    db.close();
  }
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(STATUS_COMMAND, argv, (args) => status(args, Date.now(), (text) => process.stdout.write(`${text}\n`)), { config: UNKNOWN_EXIT_CODE, failure: UNKNOWN_EXIT_CODE });
}
