// Reading Keepa csv histories in place, as Keepa really sends them: null entries, -1 values, a
// dangling timestamp at the end, triples for the "with shipping" types. Nothing is copied: a
// rank history of 3 years holds tens of thousands of numbers, and copying them dominated the
// analysis. Times stay in Keepa minutes.
import { type KeepaProduct, TRIPLE_CSV_TYPES } from '../../keepa/types.js';

export const MINUTES_PER_HOUR = 60;
export const MINUTES_PER_DAY = 1440;

/** A view of one history: `n` complete points of `stride` numbers each (a trailing partial point is ignored). */
export interface History {
  raw: readonly unknown[];
  stride: number;
  n: number;
}

export function history(product: KeepaProduct, type: number): History {
  const raw = product.csv?.[type];
  const stride = TRIPLE_CSV_TYPES.has(type) ? 3 : 2;
  return Array.isArray(raw) ? { raw, stride, n: Math.floor(raw.length / stride) } : { raw: [], stride, n: 0 };
}

/** Time of point i; NaN when Keepa sent no usable time (then its value reads as no data). */
export function timeAt(h: History, i: number): number {
  const t = h.raw[i * h.stride];
  return typeof t === 'number' ? t : NaN;
}

/** Value of point i (for a triple, its price without shipping), -1 for no data. */
export function valueAt(h: History, i: number): number {
  const at = i * h.stride;
  const v = h.raw[at + 1];
  return typeof v === 'number' && v >= 0 && typeof h.raw[at] === 'number' ? v : -1;
}

/**
 * Index to start reading a window beginning at `fromMinute`: the last valid point before it,
 * so a difference or a "price in force" at the window's start still sees its predecessor.
 * Found by binary search (Keepa's times ascend), so only the window is read.
 */
export function windowStart(h: History, fromMinute: number): number {
  let lo = 0;
  let hi = h.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (!(timeAt(h, mid) >= fromMinute)) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    if (valueAt(h, i) >= 0) return i;
  }
  return lo;
}

/** First index whose time is > t; a point without a time counts as earlier (it holds no data). */
export function firstAfter(h: History, t: number): number {
  let lo = 0;
  let hi = h.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (!(timeAt(h, mid) > t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
