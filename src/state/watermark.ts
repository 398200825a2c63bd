// The discovery watermark (docs/design.md rule 5): it never skips, never goes back by itself and
// never passes the present. Kept in system_state so that it survives a restart.
import type { SystemState } from './systemState.js';

/**
 * The newest deal (by Keepa lastUpdate, then ASIN) that is in the queue or done. A (lastUpdate,
 * ASIN) pair, so deals sharing one minute are never taken as seen.
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

export class WatermarkStore {
  constructor(private readonly system: SystemState) {}

  current(): Watermark | null {
    const v = this.system.getJson(WATERMARK_KEY);
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
  advance(expected: Watermark | null, next: Watermark, nowMs: number): boolean {
    const current = this.current();
    const unchanged = current === null ? expected === null : expected !== null && compareCursor(current, expected) === 0;
    if (!unchanged) return false;
    if (current !== null && compareCursor(next, current) <= 0) return false;
    this.system.setJson(WATERMARK_KEY, next, nowMs);
    return true;
  }

  /** Sets it regardless of where it is: the operator's rewind, and a watermark pulled back from the future. */
  set(next: Watermark, nowMs: number): void {
    this.system.setJson(WATERMARK_KEY, next, nowMs);
  }
}
