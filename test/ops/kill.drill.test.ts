// Recovery drill: `kill -9` of the real daemon at random moments (during start, migrations, ingest
// chunks), then restart on the same SQLite file. Nothing committed may be lost, the file stays
// sound, and the restarted daemon takes up the queue without waiting for a dead lease or lock.
// KD_DRILL_KILLS sets the number of kills (default 20, 30 to 60 s on 2 cores), KD_DRILL_SEED the moments.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, killStragglers, readDb, startDaemon } from './daemon.js';

const KILLS = Number(process.env.KD_DRILL_KILLS ?? 20);
/** A line logged right after a chunk commits: the next chunk is being fetched or written. */
const CHUNK = /^(ingest started|deal page \d+|enriched \d+)/;

/** mulberry32: the drill's moments are random but the same on every run, and a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'kd-kill-'));
afterAll(() => {
  killStragglers();
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 drill', () => {
  it(`survives ${KILLS} kills at random moments without losing a committed deal`, { timeout: 60_000 + KILLS * 6_000 }, async () => {
    assertBuilt();
    const dbPath = join(dir, 'deals.db');
    const env = { DEALS_DB: dbPath, HTTP_PORT: '0' };
    const next = random(Number(process.env.KD_DRILL_SEED ?? 7));
    const counts: number[] = [];
    let saved = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const daemon = startDaemon(env);
      // Timed from events, not from the spawn, so that a loaded machine still gets kills inside
      // the ingest run: a quarter during start, the rest shortly after one of its first chunks.
      const t0 = Date.now();
      if (next() < 0.25) {
        await sleep(100 + next() * 1500);
      } else {
        const nth = 1 + Math.floor(next() * 3);
        await Promise.race([daemon.waitFor(CHUNK, 15_000, nth), daemon.waitFor(/^ingest finished/, 15_000)]).catch(() => undefined);
        await sleep(next() * 150);
      }
      const at = Date.now() - t0;
      const { signal } = await daemon.stop('SIGKILL');
      expect(signal, `kill ${i} at ${at} ms: the daemon had already exited:\n${daemon.text()}`).toBe('SIGKILL');
      if (!existsSync(dbPath)) continue;
      const facts = readDb(dbPath);
      expect(facts.integrity, `kill ${i} at ${at} ms`).toBe('ok');
      const lost = [...saved].filter((a) => !facts.asins.has(a));
      expect(lost, `kill ${i} at ${at} ms lost committed deals`).toEqual([]);
      saved = facts.asins;
      counts.push(facts.deals);
    }

    // One more life, left to finish a run: the interrupted runs are marked, no lease or lock holds
    // it back, and the queue it inherits drains.
    const last = startDaemon(env);
    await last.waitFor(/^ingest finished/, 30_000);
    const { code } = await last.stop('SIGTERM');
    expect(code).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    try {
      const runs = db.prepare('SELECT outcome, error FROM runs ORDER BY id').all() as Array<{ outcome: string; error: string | null }>;
      expect(runs.filter((r) => r.outcome === 'running')).toEqual([]);
      expect(runs.filter((r) => r.outcome === 'skipped' && /lease/.test(r.error ?? ''))).toEqual([]);
      expect(runs.at(-1)?.outcome).toMatch(/^(ok|partial)$/);
      const open = Number(db.prepare("SELECT COUNT(*) FROM queue WHERE stage IN ('queued', 'peeked') AND next_try_at <= ?").pluck().get(Date.now()));
      const final = readDb(dbPath);
      expect(final.integrity).toBe('ok');
      expect([...saved].filter((a) => !final.asins.has(a))).toEqual([]);
      console.info(`kill drill: ${KILLS} kills, deals after each kill ${counts.join(' ')}, after the last run ${final.deals}; ${runs.filter((r) => r.outcome === 'interrupted').length} runs interrupted; ${open} items still due in the queue`);
      expect(final.deals).toBeGreaterThan(0);
      expect(open).toBe(0);
    } finally {
      db.close();
    }
  });
});
