// bin/backup PATH: a consistent copy of the database through SQLite's online backup, safe while
// the daemon runs. The copy is checked before the command says it is good.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { configPathFromArgs, loadConfig } from '../config.js';
import { openExistingDatabase } from '../state/db.js';
import { runCommand, UsageError } from './run.js';

const USAGE = 'usage: bin/backup PATH [--config PATH]   (PATH: a new file for the copy)';

export function backupTarget(argv: readonly string[]): string {
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--config');
  const target = positional[0];
  if (target === undefined) throw new UsageError(`Name the file to write the backup to. ${USAGE}`);
  if (positional.length > 1) throw new UsageError(`Give one backup path, not ${positional.length}. ${USAGE}`);
  if (existsSync(target)) throw new UsageError(`${target} already exists; choose a new file name (a backup never overwrites).`);
  return target;
}

export async function backup(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const target = backupTarget(argv);
  const config = loadConfig({ configPath: configPathFromArgs(argv) });
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
  runCommand(() => backup(argv, (line) => process.stdout.write(`${line}\n`)));
}
