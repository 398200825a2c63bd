// Key/value system state: the ingest watermark and saved figures (the token bucket) that must
// survive a restart.
import type Database from 'better-sqlite3';

type Db = Database.Database;

/**
 * The discovery watermark: the newest deal (by Keepa lastUpdate, then ASIN) that is in the queue
 * or done. A (lastUpdate, ASIN) pair, so deals sharing one minute are never taken as seen.
 */
export interface Watermark {
  lastUpdateKm: number;
  asin: string;
}

export function compareCursor(a: Watermark, b: Watermark): number {
  if (a.lastUpdateKm !== b.lastUpdateKm) return a.lastUpdateKm - b.lastUpdateKm;
  return a.asin < b.asin ? -1 : a.asin > b.asin ? 1 : 0;
}

const WATERMARK_KEY = 'ingest.watermark';

export class SystemState {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM system_state WHERE key = ?').pluck();
    this.setStmt = db.prepare(
      'INSERT INTO system_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
  }

  getJson(key: string): unknown {
    const v: unknown = this.getStmt.get(key);
    if (typeof v !== 'string') return undefined;
    return JSON.parse(v);
  }

  setJson(key: string, value: unknown, nowMs: number): void {
    this.setStmt.run(key, JSON.stringify(value), nowMs);
  }

  watermark(): Watermark | null {
    const v = this.getJson(WATERMARK_KEY);
    if (typeof v !== 'object' || v === null || !('lastUpdateKm' in v) || !('asin' in v)) return null;
    const { lastUpdateKm, asin } = v;
    if (typeof lastUpdateKm !== 'number' || typeof asin !== 'string') return null;
    return { lastUpdateKm, asin };
  }

  /**
   * Moves the watermark from `expected` to `next` only if nobody moved it meanwhile: an ingest
   * run that started before an operator's rewind must not overwrite the rewind. Returns whether
   * it moved. Call inside the chunk's transaction.
   */
  advanceWatermark(expected: Watermark | null, next: Watermark, nowMs: number): boolean {
    const current = this.watermark();
    const unchanged = current === null ? expected === null : expected !== null && compareCursor(current, expected) === 0;
    if (!unchanged) return false;
    if (current !== null && compareCursor(next, current) <= 0) return false;
    this.setJson(WATERMARK_KEY, next, nowMs);
    return true;
  }

  /** The operator's rewind: the only way the watermark goes back. */
  setWatermark(next: Watermark, nowMs: number): void {
    this.setJson(WATERMARK_KEY, next, nowMs);
  }
}
