// The one place that opens the database: WAL, a short busy timeout, foreign keys, a quick check,
// migrations, and the deals columns from headers.json, all before any job runs.
import { existsSync, mkdirSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_DIR } from '../config.js';
import { ConfigError, DatabaseGoneError, StorageError } from '../errors.js';
import type { DealColumn } from './columns.js';
import { ensureDeskIndexes } from './dealQuery.js';
import { ensureDealColumns } from './deals.js';
import { applyMigrations, readMigrations } from './migrate.js';

export type Db = Database.Database;

export const MIGRATIONS_DIR = resolve(PROJECT_DIR, 'migrations');

/**
 * better-sqlite3 is synchronous: while SQLite waits for another process's lock, the status server
 * and SIGTERM wait too. A wait this long fails the statement; the chunk or run fails and the next
 * tick retries. A failing run meets the wait a few times in a row (its commit, the failure record,
 * the run's end, the lease), so this bounds the freeze to seconds and a stop comes well within
 * systemd's TimeoutStopSec (30 s). The only other writers (bin/rewind) hold the lock for milliseconds.
 */
export const BUSY_TIMEOUT_MS = 1_000;

export interface OpenOptions {
  /** A file path, or ':memory:' for tests. */
  path: string;
  columns: readonly DealColumn[];
  nowMs: number;
  migrationsDir?: string;
}

export interface OpenedDatabase {
  db: Db;
  migrationsApplied: number[];
  columnsAdded: string[];
}

export function openDatabase(options: OpenOptions): OpenedDatabase {
  const db = connect(options.path, { create: true });
  try {
    quickCheck(db, options.path);
    const migrationsApplied = applyMigrations(db, readMigrations(options.migrationsDir ?? MIGRATIONS_DIR), options.nowMs);
    const columnsAdded = ensureDealColumns(db, options.columns);
    ensureDeskIndexes(db, options.columns);
    return { db, migrationsApplied, columnsAdded };
  } catch (e: unknown) {
    db.close();
    if (e instanceof ConfigError) throw e;
    if (e instanceof Database.SqliteError && /READONLY|FULL|IOERR|CANTOPEN/.test(e.code)) {
      throw new StorageError(`Cannot write the database ${options.path} (${e.message}). Check that the daemon's user may write the file and its folder, and that the disk has free space.`, { cause: e });
    }
    throw e;
  }
}

/**
 * Opens an existing database for the operator commands (status, rewind, backup), which must never
 * create one by mistake: a typo in DEALS_DB would otherwise show an empty, "healthy" database.
 */
export function openExistingDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !existsSync(path)) {
    throw new ConfigError(`No database at ${path}. Check DEALS_DB (the daemon creates the database on its first start).`);
  }
  return connect(path, { create: false, readonly: options.readonly ?? false });
}

/**
 * A read-only connection for one export: it reads every row once, so a page cache of 2 MB is as
 * fast as a larger one and keeps the export's memory small.
 */
export function openExportReader(path: string): Db {
  const db = openExistingDatabase(path, { readonly: true });
  db.pragma('cache_size = -2000');
  return db;
}

function connect(path: string, options: { create: boolean; readonly?: boolean }): Db {
  if (options.create && path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: !options.create, readonly: options.readonly ?? false });
  } catch (e: unknown) {
    throw new ConfigError(`Cannot open the database ${path}: ${e instanceof Error ? e.message : String(e)}. Check DEALS_DB and the folder's permissions.`, { cause: e });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A page cache of 4 MB instead of better-sqlite3's 16 MB: the start's quick check alone
      // filled all 16 of the daemon's resident memory, and the operating system caches the file
      // anyway (the desk's pages took the same CPU time with 2, 4 or 16 MB over 50,000 deals).
      // Read-only connections are short commands or an export, which sets its own.
      db.pragma('cache_size = -4000');
    }
    db.pragma('foreign_keys = ON');
  } catch (e: unknown) {
    db.close();
    if (e instanceof Database.SqliteError && /NOTADB|CORRUPT/.test(e.code)) throw damaged(path, e.message, e);
    throw e;
  }
  return db;
}

function damaged(path: string, what: string, cause?: unknown): ConfigError {
  return new ConfigError(`The database ${path} is damaged (${what}). Restore the last backup (bin/restore BACKUP), or move the file away to start with an empty database.`, { cause });
}

/** SQLite's quick check (structure, not every index entry): a damaged file is refused at start. */
function quickCheck(db: Db, path: string): void {
  let result: unknown[];
  try {
    result = db.pragma('quick_check(1)', { simple: false }) as unknown[];
  } catch (e: unknown) {
    if (e instanceof Database.SqliteError && /NOTADB|CORRUPT/.test(e.code)) throw damaged(path, e.message, e);
    throw e;
  }
  const first = result[0] as Record<string, unknown> | undefined;
  const verdict = first === undefined ? 'no answer' : String(Object.values(first)[0]).replace(/\s+/g, ' ').trim();
  if (verdict !== 'ok') throw damaged(path, `quick_check: ${verdict}`);
}

/**
 * A check that the file at `path` is still the one opened (same device and inode): deleted,
 * moved or replaced, it throws DatabaseGoneError, since whatever is written next would be lost.
 */
export function databaseFileGuard(path: string): () => void {
  if (path === ':memory:') return () => undefined;
  const opened = statSync(path);
  return () => {
    let now: Stats | null;
    try {
      now = statSync(path);
    } catch {
      now = null;
    }
    if (now !== null && now.ino === opened.ino && now.dev === opened.dev) return;
    throw new DatabaseGoneError(`The database file ${path} was ${now === null ? 'deleted' : 'replaced'} while the daemon ran; what it writes now would be lost. Stopping: restore the database (bin/restore) or start the daemon again to begin a new one.`);
  };
}
