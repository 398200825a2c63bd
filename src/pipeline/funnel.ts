// A run's funnel: counters by name (scanned, queued, peeked, rejected_<reason>, tokens_<stage>...)
// that each chunk adds to and commits with its changes.
import type { Funnel } from '../state/runs.js';

/** Adds one to a funnel counter. */
export function bump(funnel: Funnel, key: string, by = 1): void {
  funnel[key] = (funnel[key] ?? 0) + by;
}
