// bin/backup PATH: a consistent copy of the database through SQLite's online backup, safe while
// the daemon runs. The copy is checked before the command says it is good. With --into DIR
// --keep N (the backup timer) it writes a dated file and then deletes all but the newest N.
import { accessSync, constants, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { backupDatabase, sealBackup } from '../state/backupCopy.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf, UsageError } from './args.js';
import { runCommand } from './run.js';

export const BACKUP_COMMAND: CommandSpec = {
  name: 'bin/backup',
  summary: "Writes a consistent copy of the database to PATH through SQLite's online backup (safe while the daemon runs) and checks the copy before it says ok.",
  options: {
    into: { type: 'string', value: 'DIR', help: 'instead of PATH: a new file keepa-deals-<UTC time>.db in DIR (what the backup timer runs)' },
    keep: { type: 'string', value: 'N', help: 'with --into: then delete all but the newest N backups in DIR' },
    config: CONFIG_OPTION,
  },
  positional: { name: 'PATH', help: 'a new file for the copy, in an existing folder (a backup never overwrites)', count: 1 },
};

/** The files --into writes; only these are ever deleted by --keep. */
const DATED = /^keepa-deals-\d{8}T\d{6}Z\.db$/;

function keepCount(args: CommandArgs): number | null {
  const raw = args.values.keep;
  if (raw === undefined) return null;
  if (args.values.into === undefined) throw new UsageError('--keep needs --into DIR: it deletes older backups in that folder.');
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < 1) throw new UsageError(`--keep must be a whole number of backups, at least 1; got "${String(raw)}".`);
  return n;
}

export function backupTarget(args: CommandArgs, nowMs: number): string {
  const into = args.values.into;
  if (typeof into === 'string' && args.positionals.length > 0) throw new UsageError('Give either PATH or --into DIR, not both.');
  const target =
    typeof into === 'string'
      ? join(
          into,
          `keepa-deals-${new Date(nowMs)
            .toISOString()
            .replace(/[-:]/g, '')
            .replace(/\.\d+Z$/, 'Z')}.db`,
        )
      : args.positionals[0];
  if (target === undefined) throw new UsageError('Name the file to write the backup to (or --into DIR).');
  if (existsSync(target)) throw new UsageError(`${target} already exists; choose a new file name (a backup never overwrites).`);
  const folder = dirname(resolve(target));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(`The folder ${folder} for the backup does not exist; create it (mkdir -p ${folder}) or name a file in an existing folder.`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new ConfigError(`The folder ${folder} for the backup is not writable by this user; run bin/backup as a user who may write there, or choose another folder.`);
  }
  return target;
}

export async function backup(args: CommandArgs, nowMs: number, out: (line: string) => void): Promise<number> {
  const keep = keepCount(args);
  const target = backupTarget(args, nowMs);
  const config = loadConfig({ configPath: configPathOf(args) });
  let lastShown = -1;
  await backupDatabase(config.dealsDb, target, (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct >= lastShown + 10) {
      out(`backup ${pct}% (${done} of ${total} pages)`);
      lastShown = pct;
    }
  });
  // One self-contained file, so that --keep never leaves a -wal or -shm orphaned.
  const sealed = sealBackup(target);
  if ('integrity' in sealed) {
    out(`The copy at ${target} failed SQLite's integrity check (${sealed.integrity}); do not rely on it.`);
    return 1;
  }
  out(`Backed up ${config.dealsDb} to ${target}: ${sealed.deals} deals, ${statSync(target).size} bytes, integrity ok.`);
  if (keep !== null) prune(dirname(target), keep, out);
  return 0;
}

/** Deletes all but the newest `keep` dated backups in `folder` (the names sort by time). */
function prune(folder: string, keep: number, out: (line: string) => void): void {
  const old = readdirSync(folder)
    .filter((f) => DATED.test(f))
    .sort()
    .slice(0, -keep);
  for (const f of old) rmSync(join(folder, f));
  if (old.length > 0) out(`Deleted ${old.length} older backup(s), keeping the newest ${keep}: ${old.join(', ')}.`);
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(BACKUP_COMMAND, argv, (args) => backup(args, Date.now(), (line) => process.stdout.write(`${line}\n`)));
}
