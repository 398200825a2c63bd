// The deal record from Keepa's deal list, as the queue keeps it (JSON) for the columns it feeds
// and for telling a real price change from Keepa merely reading the product again.
import { CsvType, type KeepaDeal } from '../keepa/types.js';

export function parseDeal(json: string | null): KeepaDeal | null {
  if (json === null) return null;
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && 'asin' in v ? (v as KeepaDeal) : null;
  } catch {
    return null;
  }
}

/** The used price a deal shows (cents), or null. */
export function usedPrice(d: KeepaDeal | null): number | null {
  const v = d?.current[CsvType.USED];
  return typeof v === 'number' && v > 0 ? v : null;
}
