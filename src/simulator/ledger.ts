// Every call the simulator answered (or swallowed), with what it cost, so tests and benchmarks
// can compare what the daemon spent with what it needed. The access key is never recorded.

export interface LedgerEntry {
  seq: number;
  /** Simulated time of the call, epoch ms. */
  atMs: number;
  method: string;
  path: string;
  /** Query parameters (and the POSTed deal selection as `selection`), without `key`. */
  params: Record<string, string>;
  /** ASINs asked for (`/product`). */
  asins: string[];
  /** HTTP status sent; 0 when no answer was sent (hang). */
  status: number;
  tokensConsumed: number;
  /** Balance after the call. */
  tokensLeft: number;
  /** Fault kinds applied to the call. */
  faults: string[];
}

export interface PathSummary {
  calls: number;
  tokensConsumed: number;
  statuses: Record<number, number>;
}

export interface LedgerSummary {
  calls: number;
  tokensConsumed: number;
  /** Calls answered 429. */
  rateLimited: number;
  /** Calls answered 5xx. */
  serverErrors: number;
  /** ASINs asked for over all `/product` calls, and how many distinct. */
  asinsRequested: number;
  distinctAsins: number;
  /** Lowest balance seen after a call (null before any call). */
  minTokensLeft: number | null;
  byPath: Record<string, PathSummary>;
}

export class Ledger {
  private readonly list: LedgerEntry[] = [];
  private recorded = 0;

  /** `limit`: the latest calls kept; a long-running demo would otherwise keep every call it ever answered. */
  constructor(private readonly limit = Infinity) {}

  record(entry: Omit<LedgerEntry, 'seq'>): void {
    this.recorded++;
    this.list.push({ ...entry, seq: this.recorded });
    if (this.list.length > this.limit) this.list.shift();
  }

  entries(path?: string): readonly LedgerEntry[] {
    return path === undefined ? this.list : this.list.filter((e) => e.path === path);
  }

  clear(): void {
    this.list.length = 0;
    this.recorded = 0;
  }

  summary(): LedgerSummary {
    const byPath: Record<string, PathSummary> = {};
    const distinct = new Set<string>();
    let tokensConsumed = 0;
    let rateLimited = 0;
    let serverErrors = 0;
    let asinsRequested = 0;
    let minTokensLeft: number | null = null;
    for (const e of this.list) {
      let p = byPath[e.path];
      if (p === undefined) {
        p = { calls: 0, tokensConsumed: 0, statuses: {} };
        byPath[e.path] = p;
      }
      p.calls++;
      p.tokensConsumed += e.tokensConsumed;
      p.statuses[e.status] = (p.statuses[e.status] ?? 0) + 1;
      tokensConsumed += e.tokensConsumed;
      if (e.status === 429) rateLimited++;
      if (e.status >= 500) serverErrors++;
      asinsRequested += e.asins.length;
      for (const asin of e.asins) distinct.add(asin);
      if (minTokensLeft === null || e.tokensLeft < minTokensLeft) minTokensLeft = e.tokensLeft;
    }
    return {
      calls: this.list.length,
      tokensConsumed,
      rateLimited,
      serverErrors,
      asinsRequested,
      distinctAsins: distinct.size,
      minTokensLeft,
      byPath,
    };
  }
}
