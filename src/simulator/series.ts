// One csv history, stored compactly (Int32Array, Keepa minutes) because a catalog of thousands
// of books with three years of points each would otherwise hold hundreds of MB of JS arrays.
// Width 2 is `[t, v]`; width 3 is the "with shipping" triple `[t, price, shipping]`, whose value
// for statistics is the landed price (price + shipping).

export class Series {
  readonly width: 2 | 3;
  private data: Int32Array;
  private used = 0;

  constructor(width: 2 | 3) {
    this.width = width;
    this.data = new Int32Array(width * 16);
  }

  get length(): number {
    return this.used / this.width;
  }

  time(i: number): number {
    return this.data[i * this.width] ?? 0;
  }

  /** The value statistics use: the price, or for triples the landed price (-1 when no offer). */
  value(i: number): number {
    const base = i * this.width;
    const v = this.data[base + 1] ?? -1;
    if (this.width === 2 || v < 0) return v;
    return v + Math.max(0, this.data[base + 2] ?? 0);
  }

  /**
   * Appends a point unless it repeats the last value. Two changes in the same minute keep only
   * the later one, so consecutive points always have distinct times, as in Keepa's data.
   */
  push(t: number, v: number, shipping = 0): void {
    const w = this.width;
    if (this.used > 0) {
      const last = this.used - w;
      const sameValue = this.data[last + 1] === v && (w === 2 || this.data[last + 2] === shipping);
      if (sameValue) return;
      if (this.data[last] === t) {
        this.used = last;
        if (this.used > 0) {
          const prev = this.used - w;
          if (this.data[prev + 1] === v && (w === 2 || this.data[prev + 2] === shipping)) return;
        }
      }
    }
    if (this.used + w > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.used] = t;
    this.data[this.used + 1] = v;
    if (w === 3) this.data[this.used + 2] = shipping;
    this.used += w;
  }

  /** Index of the last point at or before `t`, or -1. */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.time(mid) <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Statistics value in force at `t`, -1 when none. */
  valueAt(t: number): number {
    const i = this.indexAt(t);
    return i < 0 ? -1 : this.value(i);
  }

  /** Time of the last change at or before `t`, -1 when none. */
  sinceAt(t: number): number {
    const i = this.indexAt(t);
    return i < 0 ? -1 : this.time(i);
  }

  /**
   * The flat csv `[t, v, ...]` (or triples) of the points in [from, to]; with `keepBefore` the
   * last point before `from` is kept too, so the value at the window start is known.
   */
  flat(from: number, to: number, keepBefore: boolean): number[] {
    const end = this.indexAt(to);
    if (end < 0) return [];
    let start = this.indexAt(from - 1) + 1;
    if (keepBefore && start > 0 && (start > end || this.time(start) > from)) start -= 1;
    return Array.from(this.data.subarray(start * this.width, (end + 1) * this.width));
  }

  /** Time-weighted mean over [from, to] of the periods with data (value >= 0); -1 when none. */
  weightedMean(from: number, to: number): number {
    if (to <= from) return -1;
    let i = Math.max(0, this.indexAt(from));
    let sum = 0;
    let weight = 0;
    for (; i < this.length; i++) {
      const start = Math.max(from, this.time(i));
      if (start >= to) break;
      const end = Math.min(to, i + 1 < this.length ? this.time(i + 1) : to);
      const v = this.value(i);
      if (end > start && v >= 0) {
        sum += v * (end - start);
        weight += end - start;
      }
    }
    return weight > 0 ? Math.round(sum / weight) : -1;
  }

  /** `[t, v]` of the lowest (or highest) value with data in [from, to], including the value in force at `from`. */
  extreme(from: number, to: number, kind: 'min' | 'max'): [number, number] | null {
    let best: [number, number] | null = null;
    for (let i = Math.max(0, this.indexAt(from)); i < this.length && this.time(i) <= to; i++) {
      const v = this.value(i);
      if (v < 0) continue;
      if (!best || (kind === 'min' ? v < best[1] : v > best[1])) best = [this.time(i), v];
    }
    return best;
  }

  /**
   * Count of falls by more than `share` of the earlier value between consecutive points (both
   * with data) whose later point is in [from, to].
   */
  drops(from: number, to: number, share: number): number {
    let count = 0;
    for (let i = Math.max(1, this.indexAt(from - 1) + 1); i < this.length && this.time(i) <= to; i++) {
      const prev = this.value(i - 1);
      const cur = this.value(i);
      if (prev >= 0 && cur >= 0 && cur < prev * (1 - share)) count++;
    }
    return count;
  }
}
