import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlreadyRunningError, LockLostError } from '../../src/errors.js';
import { acquireProcessLock, isLocked, lockPathFor } from '../../src/state/processLock.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'kd-lock-'));

describe('process lock', () => {
  it('a second daemon on the same database is refused with a message naming the holder', async () => {
    const db = join(tempDir(), 'deals.db');
    const first = await acquireProcessLock(db);
    await expect(acquireProcessLock(db)).rejects.toBeInstanceOf(AlreadyRunningError);
    await expect(acquireProcessLock(db)).rejects.toThrow(new RegExp(`pid ${process.pid} on ${hostname()}`));
    expect(await isLocked(db)).toBe(true);
    await first.release();
    expect(await isLocked(db)).toBe(false);
    const third = await acquireProcessLock(db);
    await third.release();
  });

  it('a symlink to the database meets the same lock', async () => {
    const dir = tempDir();
    const db = join(dir, 'deals.db');
    writeFileSync(db, '');
    const link = join(tempDir(), 'link.db');
    symlinkSync(db, link);
    const first = await acquireProcessLock(db);
    try {
      expect(lockPathFor(link)).toBe(lockPathFor(db));
      await expect(acquireProcessLock(link)).rejects.toBeInstanceOf(AlreadyRunningError);
      expect(await isLocked(link)).toBe(true);
    } finally {
      await first.release();
    }
  });

  it('a lock file deleted or replaced under the daemon is noticed', async () => {
    const db = join(tempDir(), 'deals.db');
    const lock = await acquireProcessLock(db);
    expect(() => lock.verify()).not.toThrow();
    renameSync(lock.lockPath, `${lock.lockPath}.moved`);
    expect(() => lock.verify()).toThrow(LockLostError);
    expect(() => lock.verify()).toThrow(/was deleted while the daemon ran, so it no longer keeps a second daemon out/);
    await lock.release();
    rmSync(`${lock.lockPath}.moved`);
  });
});
