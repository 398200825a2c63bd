// Keepa time is minutes since 2011-01-01T00:00:00Z. The old system once used 2000 as the
// epoch and read 2026 data as 2015, so this is the only place that converts.

/** Minutes between the Unix epoch and Keepa's epoch (2011-01-01T00:00:00Z). */
export const KEEPA_EPOCH_OFFSET_MINUTES = 21_564_000;
const MS_PER_MINUTE = 60_000;

export function keepaMinutesToMs(keepaMinutes: number): number {
  return (keepaMinutes + KEEPA_EPOCH_OFFSET_MINUTES) * MS_PER_MINUTE;
}

/** Rounds down to the whole Keepa minute that contains `ms`. */
export function msToKeepaMinutes(ms: number): number {
  return Math.floor(ms / MS_PER_MINUTE) - KEEPA_EPOCH_OFFSET_MINUTES;
}

/** ISO 8601 UTC string of a Keepa time; the one format the daemon writes dates in. */
export function keepaMinutesToIso(keepaMinutes: number): string {
  return new Date(keepaMinutesToMs(keepaMinutes)).toISOString();
}

export function msToIso(ms: number): string {
  return new Date(ms).toISOString();
}
