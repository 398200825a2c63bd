import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlreadyRunningError } from '../../src/errors.js';
import { acquireProcessLock, isLocked, lockPathFor } from '../../src/state/processLock.js';

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'kd-lock-')), 'deals.db');
const noop = (): void => {};

describe('process lock', () => {
  it('a second daemon on the same database is refused with a message naming the holder', async () => {
    const db = tempDb();
    const first = await acquireProcessLock(db, noop);
    const second = acquireProcessLock(db, noop);
    await expect(second).rejects.toBeInstanceOf(AlreadyRunningError);
    await expect(acquireProcessLock(db, noop)).rejects.toThrow(new RegExp(`pid ${process.pid} on ${hostname()}`));
    expect(await isLocked(db)).toBe(true);
    await first.release();
    expect(await isLocked(db)).toBe(false);
    const third = await acquireProcessLock(db, noop);
    await third.release();
  });

  it('a lock left by a crashed daemon (its pid is gone) does not block the restart', async () => {
    const db = tempDb();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(lockPathFor(db));
    writeFileSync(`${db}.owner.json`, JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const lock = await acquireProcessLock(db, noop);
    expect(await isLocked(db)).toBe(true);
    await lock.release();
  });
});
