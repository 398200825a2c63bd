// One daemon per database: a lock the kernel holds for the process, plus an owner note so the
// refusal can name the holder.
//
// The lock is SQLite's own exclusive lock (an fcntl lock) on a small file beside the database,
// taken once and kept by `locking_mode = EXCLUSIVE`. The kernel drops it when the process ends, by
// any death, and nothing needs refreshing: the lock file proper-lockfile kept before had to be
// touched every 10 s by the main thread, which a long SQLite wait blocks, so it went stale and let a
// second daemon in. The lock is named after the database's real path, so a symlink to the database
// meets the same lock.
//
// fcntl locks are dropped when the process closes any descriptor of the file, so nothing in the
// daemon may open the lock file except through SQLite (which guards against exactly that).
import { mkdirSync, readFileSync, realpathSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AlreadyRunningError, LockLostError } from '../errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface ProcessLock {
  lockPath: string;
  /** Throws LockLostError when the lock file was deleted or replaced: the lock no longer excludes anyone. */
  verify(): void;
  release(): Promise<void>;
}

/** A checker (bin/status) holds the lock for an instant; a starting daemon waits this long for it. */
const ACQUIRE_WAIT_MS = 1_000;

/** The database's path with symlinks resolved (its folder's, while the file does not exist yet). */
export function realDatabasePath(dbPath: string): string {
  const absolute = resolve(dbPath);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

export const lockPathFor = (dbPath: string): string => `${realDatabasePath(dbPath)}-daemon.lock`;
const ownerPathFor = (dbPath: string): string => `${realDatabasePath(dbPath)}.owner.json`;

export function readLockOwner(dbPath: string): LockOwner | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(ownerPathFor(dbPath), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const o = parsed as Record<string, unknown>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.startedAt !== 'string') return null;
    return { pid: o.pid, host: o.host, startedAt: o.startedAt };
  } catch {
    return null;
  }
}

const isBusy = (e: unknown): boolean => e instanceof Database.SqliteError && /^SQLITE_BUSY|^SQLITE_LOCKED/.test(e.code);

/** Whether another live daemon holds the database (for operator commands such as status). */
export async function isLocked(dbPath: string): Promise<boolean> {
  let db: Database.Database;
  try {
    db = new Database(lockPathFor(dbPath), { fileMustExist: true });
  } catch {
    return false; // no lock file: no daemon ever ran here
  }
  try {
    db.pragma('busy_timeout = 0');
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return false;
  } catch (e: unknown) {
    if (isBusy(e)) return true;
    throw e;
  } finally {
    db.close();
  }
}

/** Takes the database for this process, or throws AlreadyRunningError naming the holder. */
export async function acquireProcessLock(dbPath: string): Promise<ProcessLock> {
  mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  const lockPath = lockPathFor(dbPath);
  const db = new Database(lockPath);
  try {
    db.pragma(`busy_timeout = ${ACQUIRE_WAIT_MS}`);
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
  } catch (e: unknown) {
    db.close();
    if (!isBusy(e)) throw e;
    const owner = readLockOwner(dbPath);
    const who = owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}` : 'another process';
    throw new AlreadyRunningError(`Another keepa-deals daemon (${who}) holds ${dbPath}. Stop it first (systemctl stop keepa-deals), or point DEALS_DB at another database.`, { cause: e });
  }
  const identity = statSync(lockPath);
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(ownerPathFor(dbPath), `${JSON.stringify(owner)}\n`);
  return {
    lockPath,
    verify: () => {
      let now: Stats | null;
      try {
        now = statSync(lockPath);
      } catch {
        now = null;
      }
      if (now === null || now.ino !== identity.ino || now.dev !== identity.dev) {
        throw new LockLostError(`The lock file ${lockPath} was ${now === null ? 'deleted' : 'replaced'} while the daemon ran, so it no longer keeps a second daemon out. Stopping; check that no other keepa-deals daemon uses ${dbPath}, then start it again.`);
      }
    },
    // The lock file stays: a daemon waiting on it must not lock a deleted file while another creates a new one.
    release: async () => {
      rmSync(ownerPathFor(dbPath), { force: true });
      db.close();
    },
  };
}
