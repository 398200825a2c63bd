// bin/rewind --hours N: moves the ingest watermark back to now - N hours so that the next runs
// re-scan that period. Safe while the daemon runs: an ingest run that started before the rewind
// will not advance over it (WatermarkStore.advance).
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { keepaMinutesToIso, msToKeepaMinutes } from '../keepa/time.js';
import { openExistingDatabase } from '../state/db.js';
import { SystemState } from '../state/systemState.js';
import { WatermarkStore } from '../state/watermark.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf, UsageError } from './args.js';
import { runCommand } from './run.js';

const MAX_HOURS = 24 * 365 * 3;

export const REWIND_COMMAND: CommandSpec = {
  name: 'bin/rewind',
  summary: 'Moves the ingest watermark back to now - N hours so that the next runs re-scan that period. Safe while the daemon runs.',
  options: { hours: { type: 'string', value: 'N', help: `hours to go back, a number greater than 0 and at most ${MAX_HOURS}`, required: true }, config: CONFIG_OPTION },
};

export function parseHours(args: CommandArgs): number {
  const raw = args.values.hours;
  if (typeof raw !== 'string') throw new UsageError('--hours is required.');
  const hours = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(hours) || hours <= 0 || hours > MAX_HOURS) {
    throw new UsageError(`--hours must be a number of hours greater than 0 and at most ${MAX_HOURS}; got "${raw}".`);
  }
  return hours;
}

export function rewind(args: CommandArgs, nowMs: number, out: (line: string) => void): number {
  const hours = parseHours(args);
  const config = loadConfig({ configPath: configPathOf(args) });
  const db = openExistingDatabase(config.dealsDb);
  try {
    let watermark: WatermarkStore;
    try {
      watermark = new WatermarkStore(new SystemState(db));
    } catch (e: unknown) {
      throw new ConfigError(`${config.dealsDb} is not a keepa-deals database (${e instanceof Error ? e.message : String(e)}). Check DEALS_DB.`, { cause: e });
    }
    const target = msToKeepaMinutes(nowMs - hours * 3_600_000);
    const current = watermark.current();
    if (current === null) {
      out('No watermark yet: the daemon has not scanned the deal list, so the first run covers everything. Nothing changed.');
      return 0;
    }
    const from = `${keepaMinutesToIso(current.lastUpdateKm)} (ASIN ${current.asin || '-'})`;
    if (current.lastUpdateKm <= target) {
      out(`The watermark ${from} is already older than ${hours} h ago (${keepaMinutesToIso(target)}). Nothing changed.`);
      return 0;
    }
    // ASIN '' sorts before every ASIN, so every deal of the target minute is scanned again.
    watermark.set({ lastUpdateKm: target, asin: '' }, nowMs);
    out(`Watermark moved back from ${from} to ${keepaMinutesToIso(target)}. The next ingest runs re-scan the last ${hours} h.`);
    return 0;
  } finally {
    db.close();
  }
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(REWIND_COMMAND, argv, (args) => rewind(args, Date.now(), (line) => process.stdout.write(`${line}\n`)));
}
