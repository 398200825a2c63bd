// Copies of the database for bin/backup and bin/restore: SQLite's online backup (consistent while
// the daemon writes), and the checks a copy must pass before it is trusted.
import Database from 'better-sqlite3';
import { openExistingDatabase } from './db.js';

/** Tables without which a file is not a keepa-deals database. */
const REQUIRED_TABLES = ['deals', 'queue', 'runs', 'system_state'];

/** Copies the database at `dbPath` to the new file `target`; `progress` is told the pages copied and the total. */
export async function backupDatabase(dbPath: string, target: string, progress: (done: number, total: number) => void): Promise<void> {
  const db = openExistingDatabase(dbPath, { readonly: true });
  try {
    await db.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        progress(totalPages - remainingPages, totalPages);
        return 200;
      },
    });
  } finally {
    db.close();
  }
}

/**
 * Makes a fresh backup one self-contained file (out of WAL mode, so that checking it leaves no -wal
 * or -shm beside it) and checks it: its deal count, or what SQLite's integrity check said.
 */
export function sealBackup(target: string): { deals: number } | { integrity: string } {
  const copy = new Database(target, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const check: unknown = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') return { integrity: String(check) };
    return { deals: Number(copy.prepare('SELECT COUNT(*) FROM deals').pluck().get()) };
  } finally {
    copy.close();
  }
}

/** Copies a backup file to `target` through SQLite, so that a backup taken with its -wal beside it comes whole. */
export async function copyBackup(source: string, target: string): Promise<void> {
  const backup = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await backup.backup(target);
  } finally {
    backup.close();
  }
}

/** Integrity and shape of a database file: the number of deals, or why it cannot be restored. */
export function checkRestorable(path: string): { deals: number } | { problem: string } {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e: unknown) {
    return { problem: `it cannot be opened as a SQLite database (${e instanceof Error ? e.message : String(e)})` };
  }
  try {
    const result: unknown = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') return { problem: `it fails SQLite's integrity check (${String(result)})` };
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all().map(String));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) return { problem: `it is not a keepa-deals database (no ${missing.join(', ')} table)` };
    return { deals: Number(db.prepare('SELECT COUNT(*) FROM deals').pluck().get()) };
  } catch (e: unknown) {
    return { problem: `it cannot be read (${e instanceof Error ? e.message : String(e)})` };
  } finally {
    db.close();
  }
}
