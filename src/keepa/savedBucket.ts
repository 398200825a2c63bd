// The token figures saved with every chunk (docs/design.md rules 1 and 9). Status reads them from
// the database rather than asking a live process, and a restart resumes with them rather than
// starting blind, but only when they are possible and under an hour old: Keepa's tokens expire
// after an hour, and one absurd saved state once made the daemon wait for years at every start.
import type { SystemState } from '../state/systemState.js';
import type { CostSnapshot } from './cost.js';
import { CLOCK_TOLERANCE_MS, implausibleFigures, MAX_REFILL_IN_MS } from './figures.js';
import type { TokenFields } from './types.js';

export const BUCKET_STATE_KEY = 'keepa.bucket';
export const COST_STATE_KEY = 'keepa.costs';

/** A saved state older than this says nothing about the balance now: tokens expire after an hour. */
const SNAPSHOT_MAX_AGE_MS = 60 * 60_000;

/** The bucket's plain, JSON-able state: for `status`, and saved so that a restart does not start blind. */
export interface BucketSnapshot {
  /** Projected balance at `asOfMs`. */
  balance: number;
  asOfMs: number;
  /** Tokens per minute; null until Keepa has said. */
  refillRate: number | null;
  /** 60 x refillRate; informational, recomputed on restore. */
  capacity: number | null;
  nextRefillMs: number | null;
  /** When Keepa last reported figures. */
  figuresAtMs: number | null;
  /** Since when calls have been refused for lack of tokens; null while calls are granted. */
  rechargeSinceMs: number | null;
  tokenFlowReduction: number;
  /** Tokens Keepa reported consumed, per job label. */
  spentByJob: Record<string, number>;
  /** Keepa's clock minus ours at the last answer (its `timestamp`), for status. */
  clockSkewMs?: number;
}

/** Why a saved bucket state must not be restored at `nowMs`, or null when it may. */
export function implausibleSnapshot(s: BucketSnapshot, nowMs: number, maxDeficit: number): string | null {
  if (s.figuresAtMs === null) return null;
  if (!Number.isFinite(s.figuresAtMs) || s.figuresAtMs > nowMs + CLOCK_TOLERANCE_MS) return 'its figures are dated in the future';
  if (nowMs - s.figuresAtMs > SNAPSHOT_MAX_AGE_MS) return 'its figures are more than an hour old';
  if (s.refillRate === null || s.nextRefillMs === null || !Number.isFinite(s.nextRefillMs) || !Number.isFinite(s.asOfMs)) return 'it has no refill schedule';
  if (s.nextRefillMs > s.asOfMs + MAX_REFILL_IN_MS) return 'its next refill is further away than a minute';
  const fields: TokenFields = { timestamp: s.figuresAtMs, tokensLeft: s.balance, refillIn: 0, refillRate: s.refillRate, tokenFlowReduction: 0, tokensConsumed: 0, processingTimeInMs: 0 };
  return implausibleFigures(fields, { knownRefillRate: null, maxDeficit });
}

/** What is saved: the bucket's state and the costs it learned (the Keepa client's `bucket` and `costs`). */
interface Saved {
  bucket: { snapshot(nowMs: number): BucketSnapshot; restore(snapshot: BucketSnapshot, nowMs: number): string | null };
  costs: { snapshot(): CostSnapshot; restore(snapshot: CostSnapshot): void };
}

/** Saves the figures; the chunk commit calls it inside its transaction. */
export function saveKeepaState(deps: { store: { system: SystemState }; keepa: Saved }, nowMs: number): void {
  deps.store.system.setJson(BUCKET_STATE_KEY, deps.keepa.bucket.snapshot(nowMs), nowMs);
  deps.store.system.setJson(COST_STATE_KEY, deps.keepa.costs.snapshot(), nowMs);
}

/**
 * A restart resumes with the last known token figures and learned costs instead of starting blind.
 * `refused` says why saved token figures were not believed (the bucket then asks Keepa once).
 */
export function restoreKeepaState(deps: { store: { system: SystemState }; keepa: Saved }, nowMs: number): { restored: boolean; refused: string | null } {
  const bucket = deps.store.system.getJson(BUCKET_STATE_KEY);
  const costs = deps.store.system.getJson(COST_STATE_KEY);
  if (isCostSnapshot(costs)) deps.keepa.costs.restore(costs);
  if (!isBucketSnapshot(bucket)) return { restored: false, refused: null };
  const refused = deps.keepa.bucket.restore(bucket, nowMs);
  return { restored: refused === null, refused };
}

function isBucketSnapshot(v: unknown): v is BucketSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.balance === 'number' && typeof o.asOfMs === 'number' && typeof o.spentByJob === 'object' && o.spentByJob !== null;
}

function isCostSnapshot(v: unknown): v is CostSnapshot {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).recent === 'object';
}

/** The saved token figures as status shows them. */
export interface TokenFigures {
  balance: number;
  refillRate: number;
  max: number;
  /** When the balance was `balance` (epoch ms). */
  atMs: number;
  /** When the next refill was due at `atMs`. */
  nextRefillMs: number;
  /** Since when calls have been refused or the balance was not positive, or null. */
  rechargingSince: number | null;
  /** Tokens consumed per job since the bucket's figures began. */
  spentByJob: Record<string, number>;
}

/** The figures the last chunk saved, or null when none were (no Keepa answer yet). */
export function savedTokenFigures(system: SystemState): TokenFigures | null {
  const v = system.getJson(BUCKET_STATE_KEY);
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.balance !== 'number' || typeof o.refillRate !== 'number' || typeof o.asOfMs !== 'number') return null;
  const spentByJob: Record<string, number> = {};
  if (typeof o.spentByJob === 'object' && o.spentByJob !== null) {
    for (const [job, n] of Object.entries(o.spentByJob)) if (typeof n === 'number') spentByJob[job] = n;
  }
  return {
    balance: o.balance,
    refillRate: o.refillRate,
    max: typeof o.capacity === 'number' ? o.capacity : o.refillRate * 60,
    atMs: o.asOfMs,
    nextRefillMs: typeof o.nextRefillMs === 'number' ? o.nextRefillMs : o.asOfMs,
    rechargingSince: typeof o.rechargeSinceMs === 'number' ? o.rechargeSinceMs : null,
    spentByJob,
  };
}

/** Keepa's clock minus ours at the last saved answer, or undefined when none was saved. */
export function savedClockSkewMs(system: SystemState): number | undefined {
  const v = system.getJson(BUCKET_STATE_KEY);
  const skew = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).clockSkewMs : undefined;
  return typeof skew === 'number' ? skew : undefined;
}
