// Order statistics over integer cents. Inputs are sorted ascending by the caller, so one sort
// serves several statistics.

/** Median of a sorted list, rounded to whole cents; null for an empty list. */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  const hi = sorted[mid] ?? 0;
  return n % 2 === 1 ? hi : Math.round(((sorted[mid - 1] ?? 0) + hi) / 2);
}

/** The p-quantile (0..1) with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.ceil(pos)] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * The most frequent value of a sorted list when some value occurs more than once, else null.
 * Ties go to the lowest such price, so a list price never leans on the optimistic side.
 */
export function mode(sorted: readonly number[]): number | null {
  let best: number | null = null;
  let bestCount = 1;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = sorted[i] ?? null;
    }
  }
  return best;
}

export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
