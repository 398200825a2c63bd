// bin/restore BACKUP: puts a backup in place of the database while the daemon is stopped. It takes
// the daemon's own lock for the whole restore, so it refuses while a daemon runs and no daemon can
// start halfway. The backup is copied through SQLite (a backup taken with its -wal beside it comes
// whole) and checked before anything is moved; the database it replaces is kept beside it.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { AlreadyRunningError } from '../errors.js';
import { checkRestorable, copyBackup } from '../state/backupCopy.js';
import { acquireProcessLock, type ProcessLock } from '../state/processLock.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf, UsageError } from './args.js';
import { runCommand } from './run.js';

export const RESTORE_COMMAND: CommandSpec = {
  name: 'bin/restore',
  summary: 'Puts a backup in place of the database, checked first; refused while the daemon runs. The database it replaces is kept beside it.',
  options: { config: CONFIG_OPTION },
  positional: { name: 'BACKUP', help: 'a file written by bin/backup', count: 1 },
};

export function restoreSource(args: CommandArgs): string {
  const source = args.positionals[0];
  if (source === undefined) throw new UsageError('Name the backup file to restore.');
  if (!existsSync(source)) throw new UsageError(`${source} does not exist.`);
  return source;
}

/** Moves a database aside with its -wal (whose name must follow the file's), dropping its -shm. */
function keepAside(dbPath: string, stamp: string): string {
  const kept = `${dbPath}.before-restore-${stamp}`;
  renameSync(dbPath, kept);
  if (existsSync(`${dbPath}-wal`)) renameSync(`${dbPath}-wal`, `${kept}-wal`);
  rmSync(`${dbPath}-shm`, { force: true });
  return kept;
}

export async function restore(args: CommandArgs, nowMs: number, out: (line: string) => void): Promise<number> {
  const source = restoreSource(args);
  const config = loadConfig({ configPath: configPathOf(args) });
  const dbPath = config.dealsDb;
  let lock: ProcessLock;
  try {
    lock = await acquireProcessLock(dbPath);
  } catch (e: unknown) {
    if (!(e instanceof AlreadyRunningError)) throw e;
    out(`Not restoring: ${e.message}`);
    return 2;
  }
  try {
    const copy = `${dbPath}.restoring`;
    rmSync(copy, { force: true });
    try {
      await copyBackup(source, copy);
    } catch (e: unknown) {
      rmSync(copy, { force: true });
      out(`Not restoring: ${source} cannot be read as a SQLite database (${e instanceof Error ? e.message : String(e)}). Nothing changed.`);
      return 1;
    }
    const verdict = checkRestorable(copy);
    if ('problem' in verdict) {
      for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
      out(`Not restoring ${source}: ${verdict.problem}. Nothing changed.`);
      return 1;
    }
    // Left by the read-only check, never holding data: the copy came whole from the backup API.
    rmSync(`${copy}-wal`, { force: true });
    rmSync(`${copy}-shm`, { force: true });
    const kept = existsSync(dbPath) ? keepAside(dbPath, new Date(nowMs).toISOString().replace(/[:.]/g, '-')) : null;
    renameSync(copy, dbPath);
    out(`Restored ${source} to ${dbPath}: ${verdict.deals} deals, integrity ok.`);
    out(kept ? `The database it replaced is kept as ${kept}; delete it once the daemon runs well.` : 'There was no database there before.');
    out("Start the daemon again (systemctl start keepa-deals); it resumes from the backup's queue and watermark.");
    return 0;
  } finally {
    await lock.release();
  }
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(RESTORE_COMMAND, argv, (args) => restore(args, Date.now(), (line) => process.stdout.write(`${line}\n`)));
}
