// Drills for a disk that fills up or a database file that turns read-only under a running daemon:
// the log and the status say so, the daemon neither dies nor spins the CPU, and it recovers by
// itself once the disk has room or the file is writable again. Both need root (a small tmpfs,
// chattr +i) and are skipped without it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cpuSeconds, type DaemonProcess, freePort, killStragglers, readDb, startDaemon } from './daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-storage-'));
const undo: Array<() => void> = [];
/** Ticks every 2 s so that a few failing runs fit in a short test. */
const FAST = { INGEST_CRON: '*/2 * * * * *' };

beforeAll(assertBuilt);
afterAll(() => {
  killStragglers();
  for (const step of undo.reverse()) step();
  rmSync(dir, { recursive: true, force: true });
});

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function health(url: string): Promise<{ status: number; verdict: string; reasons: string[] }> {
  const res = await fetch(`${url}/health`);
  const body = (await res.json()) as { verdict: string; reasons: string[] };
  return { status: res.status, ...body };
}

/** Polls /health (the daemon's own view, read from its database) until `accept` or `timeoutMs`. */
async function healthUntil(url: string, accept: (h: Awaited<ReturnType<typeof health>>) => boolean, timeoutMs: number): Promise<Awaited<ReturnType<typeof health>>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const h = await health(url);
    if (accept(h) || Date.now() > end) return h;
    await sleep(1000);
  }
}

/** The share of one core the daemon used over `ms` while failing every tick. */
async function cpuShare(daemon: DaemonProcess, ms: number): Promise<number> {
  const before = cpuSeconds(daemon.pid);
  await sleep(ms);
  return (cpuSeconds(daemon.pid) - before) / (ms / 1000);
}

describe.concurrent('storage failures under a running daemon', () => {
  it('a full disk: logged and shown as the reason, no crash, no spinning, recovery when space returns', { timeout: 120_000 }, async (ctx) => {
    const mount = join(dir, 'small');
    mkdirSync(mount);
    if (!tryRun('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mount])) ctx.skip('cannot mount a small tmpfs here (needs root)');
    undo.push(() => tryRun('umount', ['-l', mount]));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const daemon = startDaemon({ ...FAST, DEALS_DB: join(mount, 'deals.db'), HTTP_PORT: String(port) });
    try {
      const error = await daemon.waitFor(/database or disk is full/, 30_000);
      expect(error.level).toBe('error');
      await daemon.waitFor(/database or disk is full/, 20_000, 3);
      const cpu = await cpuShare(daemon, 6_000);
      console.info(`disk full: ${daemon.entries.filter((e) => /disk is full/.test(e.message)).length} failed ticks logged, ${Math.round(cpu * 1000) / 10}% of a core while failing`);
      expect(cpu).toBeLessThan(0.3);
      expect(daemon.child.exitCode).toBeNull();
      const h = await healthUntil(url, (x) => x.reasons.some((r) => /disk is full|cannot write to its database/.test(r)), 45_000);
      expect(h.reasons.join('\n')).toMatch(/database or disk is full \(check the free space on the disk that holds DEALS_DB|the daemon cannot write to its database \(disk full or read-only\?\)/);

      expect(tryRun('mount', ['-o', 'remount,size=64m', mount])).toBe(true);
      await daemon.waitFor(/^enriched \d+, saved [1-9]/, 30_000);
      expect(readDb(join(mount, 'deals.db'))).toMatchObject({ integrity: 'ok' });
      expect((await daemon.stop('SIGTERM')).code).toBe(0);
    } finally {
      await daemon.stop('SIGKILL');
    }
  });

  it('a database file made read-only: the log says so at once, /health 503 within 15 s, recovery when writable', { timeout: 120_000 }, async (ctx) => {
    const dbPath = join(dir, 'deals.db');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const daemon = startDaemon({ ...FAST, DEALS_DB: dbPath, HTTP_PORT: String(port) });
    try {
      await daemon.waitFor(/^ingest finished/, 30_000);
      // Not the -shm: it is memory-mapped, and a write to an immutable mapping is a SIGBUS.
      const files = [dbPath, `${dbPath}-wal`];
      if (!tryRun('chattr', ['+i', ...files])) ctx.skip('chattr +i is not available here (not root, or no immutable flag on this file system)');
      undo.push(() => tryRun('chattr', ['-i', ...files]));
      const failed = daemon.entries.length;
      const error = await daemon.waitFor(/^ingest (could not run|failed): .*(disk I\/O error|readonly)/, 20_000);
      expect(daemon.entries.indexOf(error)).toBeGreaterThanOrEqual(failed);
      const cpu = await cpuShare(daemon, 6_000);
      const t0 = Date.now();
      const h = await healthUntil(url, (x) => x.status === 503, 60_000);
      console.info(`read-only file: ${Math.round(cpu * 1000) / 10}% of a core while failing; /health 503 after ${Math.round((Date.now() - t0) / 1000) + 6} s: ${h.reasons[0] ?? ''}`);
      expect(cpu).toBeLessThan(0.3);
      expect(h.verdict).toBe('stalled');
      expect(h.reasons[0]).toMatch(/^no ingest run recorded for \d+ s although the daemon runs and ingest is scheduled every 2 s: the daemon cannot write to its database \(disk full or read-only\?\); see its log$/);

      expect(tryRun('chattr', ['-i', ...files])).toBe(true);
      const since = daemon.entries.length;
      await daemon.waitFor(/^ingest finished/, 30_000, daemon.entries.slice(0, since).filter((e) => /^ingest finished/.test(e.message)).length + 1);
      expect((await healthUntil(url, (x) => x.status === 200, 10_000)).status).toBe(200);
      expect((await daemon.stop('SIGTERM')).code).toBe(0);
      expect(readDb(dbPath).integrity).toBe('ok');
    } finally {
      await daemon.stop('SIGKILL');
    }
  });
});
