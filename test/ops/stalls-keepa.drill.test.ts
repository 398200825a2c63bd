// Drills on the real daemon (`node bin/daemon.js`) for what Keepa (or something posing as Keepa)
// can answer: absurd token figures, a deal from the future, a gzip bomb, a connection reset. Each asserts what an operator would notice: work goes on (or stops with a
// sentence), memory and CPU stay bounded, SIGTERM is answered promptly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import { KEEPA_CACHE_MS } from '../../src/pipeline/discoveryPlan.js';
import { assertBuilt, type DaemonProcess, freePort, get, killStragglers, memoryMb, startDaemon, statusUrl } from './daemon.js';
import { gzipBomb, HOSTILE_KEY, type HostileKeepa, startHostileKeepa } from './hostile.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-stalls-'));
/** Ingest every 2 s: "within one schedule interval" is then a short wait. */
const TICK_MS = 2_000;
const FAST = { INGEST_CRON: '*/2 * * * * *' };
/**
 * Looks at the deal list come no oftener than Keepa refreshes its answer; with `refreshShare` 1 a
 * refresh may have spent the bucket when a look is due, which then waits for the next minute's refill.
 */
const DEAL_LOOK_MS = KEEPA_CACHE_MS + 60_000 + 4 * TICK_MS + 5_000;

beforeAll(assertBuilt);
afterAll(() => {
  killStragglers();
  rmSync(dir, { recursive: true, force: true });
});

function readDbJson(dbPath: string, key: string): unknown {
  const db = new Database(dbPath, { readonly: true });
  try {
    const v = db.prepare('SELECT value FROM system_state WHERE key = ?').pluck().get(key);
    return typeof v === 'string' ? JSON.parse(v) : null;
  } finally {
    db.close();
  }
}

/** A config file for a keyed daemon against the hostile Keepa: scans whenever a run starts. */
function hostileConfig(name: string): string {
  const path = join(dir, `${name}.json`);
  // Refresh whatever is saved, so that /product is called on every run even when no deal is new.
  writeFileSync(path, JSON.stringify({ pipeline: { discoverEveryMinutes: 0, maxRunSeconds: 5, maxTokenWaitSeconds: 2, refreshAfterHours: 0, refreshShare: 1 } }));
  return path;
}

/** A deal the hostile Keepa adds to the list: Keepa caches a list for 120 s, so the proxy adds deals itself. */
const deal = (asin: string, km: number): Record<string, unknown> => ({ asin, title: asin, creationDate: km, lastUpdate: km, current: [-1, -1, 1500, 50000] });

describe('hostile Keepa answers', () => {
  let keepa: HostileKeepa;
  let daemon: DaemonProcess;
  let dbPath: string;

  beforeAll(async () => {
    const bomb = await gzipBomb(1024 * 1024 * 1024);
    // 6,000 tokens a minute: discovery is never spaced out for lack of tokens.
    keepa = await startHostileKeepa({ refillRate: 6000, bomb });
    dbPath = join(dir, 'hostile.db');
    // Looks come 120 s apart (Keepa's cache time), so the first look already carries a deal dated a year ahead.
    const yearAhead = msToKeepaMinutes(Date.now() + 365 * 86_400_000);
    keepa.arm({ path: '/deal', kind: 'rewrite', edit: (b) => (b.deals as { dr: unknown[] }).dr.unshift(deal('B0FUTURE01', yearAhead)) });
    daemon = startDaemon({ ...FAST, HTTP_PORT: String(await freePort()), KEEPA_API_KEY: HOSTILE_KEY, KEEPA_BASE_URL: keepa.url, DEALS_DB: dbPath }, ['--config', hostileConfig('hostile')]);
    await daemon.waitFor(/^ingest finished/, 30_000);
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop('SIGKILL');
    await keepa?.close();
  });

  /** Resolves with the time of the first answer on `path` after `sinceMs` that Keepa served normally. */
  async function nextServed(path: string | RegExp, sinceMs: number, timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs;
    const matches = (p: string): boolean => (typeof path === 'string' ? p === path : path.test(p));
    for (;;) {
      const hit = keepa.seen.find((s) => matches(s.path) && s.atMs > sinceMs && s.status === 200);
      if (hit) return hit.atMs;
      if (Date.now() > end) throw new Error(`no ${path} call within ${timeoutMs} ms after the fault; the log:\n${daemon.text().slice(-3000)}`);
      await sleep(100);
    }
  }

  it(
    'a deal dated a year ahead is queued with its time clamped; a deal updated after it is still queued, and status names the clock',
    async () => {
      // The daemon's first look read the deal from the future (armed before it started).
      await daemon.waitFor(/^Keepa dated a deal \d+ min in the future/, 10_000);
      const queued = (asin: string): number | null => {
        const db = new Database(dbPath, { readonly: true });
        try {
          return (db.prepare('SELECT deal_last_update_km FROM queue WHERE asin = ?').pluck().get(asin) as number | undefined) ?? null;
        } finally {
          db.close();
        }
      };
      await sleep(1000);
      expect(queued('B0FUTURE01')).toBeLessThanOrEqual(msToKeepaMinutes(Date.now()));
      const laterKm = msToKeepaMinutes(Date.now()) + 1;
      const laterAt = Date.now();
      keepa.arm({ path: '/deal', kind: 'rewrite', edit: (b) => (b.deals as { dr: unknown[] }).dr.unshift(deal('B0LATER001', laterKm)) });
      await nextServed('/deal', laterAt, DEAL_LOOK_MS);
      const end = Date.now() + 20_000;
      while (queued('B0LATER001') === null && Date.now() < end) await sleep(500);
      expect(queued('B0LATER001'), `the deal after the future-dated one was not queued; the log:\n${daemon.text().slice(-3000)}`).toBe(laterKm);
      const watermark = readDbJson(dbPath, 'ingest.watermark') as { lastUpdateKm: number };
      expect(watermark.lastUpdateKm).toBeLessThanOrEqual(msToKeepaMinutes(Date.now() + 5 * 60_000));
      const status = JSON.parse((await get(`${await statusUrl(daemon)}/status`)).body) as { reasons: string[] };
      expect(status.reasons.join(' ')).toMatch(/Keepa's clock disagrees with ours: it dated a deal 36\d(\.\d)? days in the future/);
    },
    60_000 + DEAL_LOOK_MS,
  );

  it('a token shock (tokensLeft -1e9, then refillRate 0) is ignored: calls go on within one schedule interval, no restart', async () => {
    for (const edit of [(b: Record<string, unknown>) => (b.tokensLeft = -1e9), (b: Record<string, unknown>) => (b.refillRate = 0)]) {
      const armedAt = Date.now();
      // On /product: refresh calls it on every run, so the shock comes at once (a deal-list look comes every 120 s).
      keepa.arm({ path: '/product', kind: 'rewrite', edit });
      const shockAt = await nextServed('/product', armedAt, 30_000);
      // The next paid call after the absurd answer comes within one schedule interval.
      const next = await nextServed(/^\/(deal|product)$/, shockAt, TICK_MS);
      console.info(`token shock: next paid call ${next - shockAt} ms after the absurd answer`);
    }
    expect(daemon.entries.filter((e) => /^ignored impossible token figures/.test(e.message)).map((e) => e.message)).toEqual([
      expect.stringMatching(/tokensLeft -1000000000 is a deficit of more than a day of refill/),
      expect.stringMatching(/refillRate 0 is not a Keepa plan/),
    ]);
    const saved = readDbJson(dbPath, 'keepa.bucket') as { balance: number; refillRate: number };
    expect(saved.balance).toBeGreaterThan(-1e6);
    // The discovery plan paces looks by this rate: still the real one, so looks keep their pace.
    expect(saved.refillRate).toBe(6000);
  }, 60_000);

  it('a 1 GB gzip answer is refused, with the daemon under 300 MB, and work goes on', async () => {
    const armedAt = Date.now();
    keepa.arm({ path: '/product', kind: 'bomb' });
    await daemon.waitFor(/failed: ResponseTooLargeError: Keepa \/product sent an answer larger than 134217728 bytes decompressed/, 60_000);
    const peak = memoryMb(daemon.pid, 'VmHWM');
    console.info(`gzip bomb: refused; peak RSS of the daemon ${Math.round(peak)} MB`);
    expect(peak).toBeLessThan(300);
    await nextServed('/product', armedAt, 30_000);
  }, 90_000);

  it('a paid call lost to a connection reset is retried once, not three times', async () => {
    const armedAt = Date.now();
    keepa.arm({ path: '/product', kind: 'reset' }, 2);
    // The client counts the attempts of one call: two, the reset and one retry. (Counted here from
    // the server's side, by URL, the retry was sometimes missing: it can fail before it reaches
    // Keepa, on a kept-alive socket the server had just closed, and a failed chunk's items come
    // back in a later call with the same URL.)
    await daemon.waitFor(/failed: NetworkError: .*gave up after 2 attempts/, 60_000);
    expect(keepa.seen.filter((s) => s.path === '/product' && s.atMs > armedAt && s.status === 'reset').length).toBeGreaterThan(0);
  }, 90_000);
});
