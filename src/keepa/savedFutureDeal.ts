// The last deal Keepa dated in the future, saved by discovery so that status can say, for an hour,
// that Keepa's clock and ours disagree (the other sign, its answers' timestamp, is in savedBucket.ts).
import type { SystemState } from '../state/systemState.js';

const FUTURE_DEAL_KEY = 'keepa.futureDeal';

export interface FutureDeal {
  /** How far ahead of our clock Keepa dated it. */
  aheadMs: number;
  /** When discovery met it. */
  atMs: number;
}

export function saveFutureDeal(system: SystemState, aheadMs: number, nowMs: number): void {
  system.setJson(FUTURE_DEAL_KEY, { aheadMs, atMs: nowMs }, nowMs);
}

export function savedFutureDeal(system: SystemState): FutureDeal | null {
  const v = system.getJson(FUTURE_DEAL_KEY);
  const f = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  return typeof f.aheadMs === 'number' && typeof f.atMs === 'number' ? { aheadMs: f.aheadMs, atMs: f.atMs } : null;
}
