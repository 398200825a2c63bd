// The one back-off function of the daemon (style.md habit 10). Transient failures (network, timeout,
// 5xx) get exponential back-off with full jitter, so retries spread out instead of hammering Keepa in
// step. When the server tells us when things change (`refillIn`, or a wait computed from it by the
// token bucket) that hint wins: there is no point in retrying before the refill, and only a little
// jitter is added so the retry lands just after it rather than racing it.

export interface BackoffOptions {
  /** Milliseconds until the server's state changes (the next refill that makes the call possible). */
  hintMs?: number;
  /** First ceiling of the jitter window; doubles with every attempt. */
  baseMs?: number;
  /** The jitter window never grows past this. */
  maxMs?: number;
  /** Uniform in [0, 1); injected by tests for determinism. */
  random?: () => number;
}

const DEFAULT_BASE_MS = 500;
const DEFAULT_MAX_MS = 30_000;
/** Keepa's `refillIn` is rounded to the millisecond on its clock, not ours: arrive a little after. */
const HINT_MARGIN_MS = 250;

/** Milliseconds to wait before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? DEFAULT_BASE_MS;
  const maxMs = options.maxMs ?? DEFAULT_MAX_MS;
  const random = options.random ?? Math.random;
  if (options.hintMs !== undefined) {
    return Math.ceil(Math.max(0, options.hintMs)) + HINT_MARGIN_MS + Math.floor(random() * baseMs);
  }
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
