// One daemon per database: a lock file beside it (proper-lockfile, refreshed while we run, stale
// by itself when a daemon dies), plus an owner note so the refusal can name the holder.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import { AlreadyRunningError } from '../errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface ProcessLock {
  lockPath: string;
  release(): Promise<void>;
}

/** A lock not refreshed for this long is stale; the holder refreshes it every STALE_MS / 3. */
const STALE_MS = 30_000;

export const lockPathFor = (dbPath: string): string => `${dbPath}.lock`;
const ownerPathFor = (dbPath: string): string => `${dbPath}.owner.json`;

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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether another live daemon holds the database (for operator commands such as restore). */
export async function isLocked(dbPath: string): Promise<boolean> {
  return lockfile.check(dbPath, { realpath: false, lockfilePath: lockPathFor(dbPath), stale: STALE_MS });
}

/**
 * Takes the database for this process, or throws AlreadyRunningError naming the holder. A lock
 * left by a crashed daemon on this host (its pid is gone) is taken over at once, so a restart
 * under systemd is never refused by its own previous life.
 */
export async function acquireProcessLock(dbPath: string, onCompromised: (e: Error) => void): Promise<ProcessLock> {
  const lockPath = lockPathFor(dbPath);
  mkdirSync(dirname(lockPath), { recursive: true });
  const options = { realpath: false, lockfilePath: lockPath, stale: STALE_MS, update: STALE_MS / 3, onCompromised };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dbPath, options);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    const owner = readLockOwner(dbPath);
    if (owner !== null && owner.host === hostname() && owner.pid !== process.pid && !isAlive(owner.pid)) {
      rmSync(lockPath, { recursive: true, force: true });
      release = await lockfile.lock(dbPath, options);
    } else {
      const who = owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}` : 'another process';
      throw new AlreadyRunningError(
        `Another keepa-deals daemon (${who}) holds ${dbPath}. Stop it first (systemctl stop keepa-deals), or point DEALS_DB at another database.`,
        { cause: e },
      );
    }
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(ownerPathFor(dbPath), `${JSON.stringify(owner)}\n`);
  return {
    lockPath,
    release: async () => {
      rmSync(ownerPathFor(dbPath), { force: true });
      await release();
    },
  };
}
