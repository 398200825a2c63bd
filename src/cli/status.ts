// bin/status [--json]: what a person needs to know whether deals are flowing. Exit code 0 ok,
// 1 degraded, 2 stalled (3 when the status itself cannot be read).
import { configPathFromArgs, loadConfig } from '../config.js';
import { openExistingDatabase } from '../state/db.js';
import { loadColumns } from '../state/columns.js';
import { isLocked } from '../state/processLock.js';
import { storeFor } from '../state/store.js';
import { buildStatus, renderStatusText, VERDICT_EXIT_CODE } from '../status.js';
import { runCommand } from './run.js';

const UNKNOWN_EXIT_CODE = 3;

export async function status(argv: readonly string[], nowMs: number, out: (text: string) => void): Promise<number> {
  const config = loadConfig({ configPath: configPathFromArgs(argv) });
  const db = openExistingDatabase(config.dealsDb, { readonly: true });
  try {
    const store = storeFor(db, loadColumns(config.headersPath), config.peek.minSalesPerYear);
    const report = buildStatus({ store, config, nowMs, daemonRunning: await isLocked(config.dealsDb) });
    out(argv.includes('--json') ? JSON.stringify(report, null, 2) : renderStatusText(report));
    return VERDICT_EXIT_CODE[report.verdict];
  } finally {
    db.close();
  }
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(() => status(argv, Date.now(), (text) => process.stdout.write(`${text}\n`)), UNKNOWN_EXIT_CODE);
}
