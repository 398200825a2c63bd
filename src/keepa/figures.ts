// What Keepa's token figures can possibly be. An answer that breaks these bounds is a fault (a
// proxy, a bug on either side, a hostile server), not a plan: believing one such answer once made
// the daemon wait for years. The bounds are wide enough for every real plan and answer.
import type { TokenFields } from './types.js';

/** Keepa's largest plans refill a few thousand tokens a minute; this leaves ample room above them. */
export const MAX_REFILL_RATE = 100_000;
/** Tokens live an hour; Keepa may report one refill on top of that before the oldest expire. */
const CAPACITY_MINUTES = 61;
/** A deficit deeper than a day of refill cannot come from calls the bucket granted. */
const MAX_DEFICIT_MINUTES = 24 * 60;
/** Keepa adds tokens every minute; `refillIn` is never more than that, plus its own latency. */
export const MAX_REFILL_IN_MS = 2 * 60_000;
/** How far Keepa's `timestamp` may stray from our clock before we say the clocks disagree. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

const finite = (v: number): boolean => Number.isFinite(v);

/** Why these figures cannot be true, or null when they can. */
export function implausibleFigures(fields: TokenFields, known: { knownRefillRate: number | null; maxDeficit: number }): string | null {
  const { tokensLeft, refillRate, refillIn, tokensConsumed } = fields;
  if (!finite(refillRate) || refillRate <= 0 || refillRate > MAX_REFILL_RATE) return `refillRate ${refillRate} is not a Keepa plan (1 to ${MAX_REFILL_RATE} tokens/minute)`;
  if (!finite(refillIn) || refillIn < 0 || refillIn > MAX_REFILL_IN_MS) return `refillIn ${refillIn} ms is not within the minute between refills`;
  if (!finite(tokensConsumed) || tokensConsumed < 0) return `tokensConsumed ${tokensConsumed} is negative`;
  const rate = Math.max(refillRate, known.knownRefillRate ?? 0);
  if (!finite(tokensLeft) || tokensLeft > CAPACITY_MINUTES * rate) return `tokensLeft ${tokensLeft} is more than an hour of refill at ${rate} tokens/minute`;
  if (tokensLeft < -(MAX_DEFICIT_MINUTES * rate + known.maxDeficit)) return `tokensLeft ${tokensLeft} is a deficit of more than a day of refill at ${rate} tokens/minute`;
  return null;
}
