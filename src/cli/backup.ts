// bin/backup PATH: a consistent copy of the database through SQLite's online backup, safe while
// the daemon runs. The copy is checked before the command says it is good.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { openExistingDatabase } from '../state/db.js';
import { type CommandArgs, type CommandSpec, CONFIG_OPTION, configPathOf, UsageError } from './args.js';
import { runCommand } from './run.js';

export const BACKUP_COMMAND: CommandSpec = {
  name: 'bin/backup',
  summary: "Writes a consistent copy of the database to PATH through SQLite's online backup (safe while the daemon runs) and checks the copy before it says ok.",
  options: { config: CONFIG_OPTION },
  positional: { name: 'PATH', help: 'a new file for the copy, in an existing folder (a backup never overwrites)', count: 1 },
};

export function backupTarget(args: CommandArgs): string {
  const target = args.positionals[0];
  if (target === undefined) throw new UsageError('Name the file to write the backup to.');
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

export async function backup(args: CommandArgs, out: (line: string) => void): Promise<number> {
  const target = backupTarget(args);
  const config = loadConfig({ configPath: configPathOf(args) });
  const db = openExistingDatabase(config.dealsDb, { readonly: true });
  try {
    let lastShown = -1;
    await db.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        const pct = totalPages === 0 ? 100 : Math.floor(((totalPages - remainingPages) / totalPages) * 100);
        if (pct >= lastShown + 10) {
          out(`backup ${pct}% (${totalPages - remainingPages} of ${totalPages} pages)`);
          lastShown = pct;
        }
        return 200;
      },
    });
  } finally {
    db.close();
  }
  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const check: unknown = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      out(`The copy at ${target} failed SQLite's integrity check (${String(check)}); do not rely on it.`);
      return 1;
    }
    const deals = Number(copy.prepare('SELECT COUNT(*) FROM deals').pluck().get());
    out(`Backed up ${config.dealsDb} to ${target}: ${deals} deals, ${statSync(target).size} bytes, integrity ok.`);
    return 0;
  } finally {
    copy.close();
  }
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(BACKUP_COMMAND, argv, (args) => backup(args, (line) => process.stdout.write(`${line}\n`)));
}
