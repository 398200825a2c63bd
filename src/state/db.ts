// The one place that opens the database: WAL, a long busy timeout, foreign keys, migrations,
// and the deals columns from headers.json, all before any job runs.
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_DIR } from '../config.js';
import { ConfigError, StorageError } from '../errors.js';
import type { DealColumn } from './columns.js';
import { ensureDeskIndexes } from './dealQuery.js';
import { ensureDealColumns } from './deals.js';
import { applyMigrations, readMigrations } from './migrate.js';

export type Db = Database.Database;

export const MIGRATIONS_DIR = resolve(PROJECT_DIR, 'migrations');

/** The old system died on the 5 s default while another writer held the lock. */
export const BUSY_TIMEOUT_MS = 60_000;

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
    const migrationsApplied = applyMigrations(db, readMigrations(options.migrationsDir ?? MIGRATIONS_DIR), options.nowMs);
    const columnsAdded = ensureDealColumns(db, options.columns);
    ensureDeskIndexes(db, options.columns);
    return { db, migrationsApplied, columnsAdded };
  } catch (e: unknown) {
    db.close();
    if (e instanceof Database.SqliteError && /READONLY|FULL|IOERR|CANTOPEN/.test(e.code)) {
      throw new StorageError(
        `Cannot write the database ${options.path} (${e.message}). Check that the daemon's user may write the file and its folder, and that the disk has free space.`,
        { cause: e },
      );
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

function connect(path: string, options: { create: boolean; readonly?: boolean }): Db {
  if (options.create && path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: !options.create, readonly: options.readonly ?? false });
  } catch (e: unknown) {
    throw new ConfigError(`Cannot open the database ${path}: ${e instanceof Error ? e.message : String(e)}. Check DEALS_DB and the folder's permissions.`, { cause: e });
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  return db;
}
