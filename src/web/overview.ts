// What the status page and /metrics show beside the status report: the last 24 hours from the
// run history, the last runs, the parked items and the newest visible deals. Read-only.
import type { DealRow } from '../pipeline/analytics/types.js';
import type { QueueItem } from '../state/queue.js';
import type { Run } from '../state/runs.js';
import type { Store } from '../state/store.js';
import type { StatusReport } from '../status.js';

const HOUR = 3_600_000;
/** The balance curve's resolution: fine enough that a full bucket rarely caps inside one step. */
const BALANCE_STEP_MS = 10 * 60_000;

export interface HourBucket {
  startMs: number;
  tokens: number;
  saved: number;
  runs: number;
  failed: number;
}

export interface BalancePoint {
  atMs: number;
  balance: number;
}

export interface Overview {
  nowMs: number;
  /** The last 24 hours, oldest first. */
  hours: HourBucket[];
  /**
   * The token balance over the last 24 hours, estimated backwards from the current figures with
   * the refill rate and the tokens the runs spent (the database keeps no balance history).
   */
  balance: BalancePoint[];
  /** Newest first. */
  runs: Run[];
  parked: QueueItem[];
  deals: DealRow[];
}

export type OverviewStore = Pick<Store, 'runs' | 'queue' | 'deals'>;

export function readOverview(store: OverviewStore, tokens: StatusReport['tokens'], nowMs: number, limits = { runs: 12, parked: 20, deals: 15 }): Overview {
  const dayRuns = store.runs.runsSince(nowMs - 24 * HOUR);
  return {
    nowMs,
    hours: hourlyBuckets(dayRuns, nowMs),
    balance: tokens ? estimateBalance(dayRuns, tokens, nowMs) : [],
    runs: store.runs.recentRuns(limits.runs),
    parked: store.queue.parkedItems(limits.parked),
    deals: store.deals.newestVisible(limits.deals),
  };
}

export function hourlyBuckets(runs: readonly Run[], nowMs: number): HourBucket[] {
  const first = nowMs - 24 * HOUR;
  const hours: HourBucket[] = Array.from({ length: 24 }, (_, i) => ({ startMs: first + i * HOUR, tokens: 0, saved: 0, runs: 0, failed: 0 }));
  for (const run of runs) {
    const bucket = hours[Math.floor((run.startedAt - first) / HOUR)];
    if (bucket === undefined) continue;
    bucket.tokens += run.tokensSpent;
    bucket.saved += run.funnel.saved ?? 0;
    bucket.runs += 1;
    if (run.outcome === 'failed') bucket.failed += 1;
  }
  return hours;
}

/**
 * Two estimates from the refill rate and what the runs spent, each never below the truth (given the
 * model: refill each step, capped at the bucket's size, then spending): forward from a full bucket
 * 24 hours ago, exact from the first moment the real bucket was full; and backward from the current
 * balance, exact until it reaches a full bucket, which hides how long it was full. The lower of the
 * two, never below zero (or today's deficit).
 */
export function estimateBalance(runs: readonly Run[], tokens: NonNullable<StatusReport['tokens']>, nowMs: number): BalancePoint[] {
  const steps = Math.round((24 * HOUR) / BALANCE_STEP_MS);
  // Index i: the step that ends i steps before now.
  const spent = new Array<number>(steps).fill(0);
  for (const run of runs) {
    const i = Math.floor((nowMs - run.startedAt) / BALANCE_STEP_MS);
    if (i >= 0 && i < steps) spent[i] = (spent[i] ?? 0) + run.tokensSpent;
  }
  const { max } = tokens;
  const floor = Math.min(0, tokens.projectedBalance);
  const refill = tokens.refillRate * (BALANCE_STEP_MS / 60_000);
  // Index j: the balance j steps before now.
  const forward = new Array<number>(steps + 1).fill(max);
  for (let i = steps - 1; i >= 0; i--) forward[i] = Math.min(max, (forward[i + 1] ?? max) + refill) - (spent[i] ?? 0);
  const points: BalancePoint[] = [{ atMs: nowMs, balance: tokens.projectedBalance }];
  let backward = tokens.projectedBalance;
  for (let j = 1; j <= steps; j++) {
    const after = backward + (spent[j - 1] ?? 0);
    // Below the floor the walk has lost track (a cap inside a step): leave it to the forward estimate.
    backward = after >= max || after - refill < floor ? max : after - refill;
    points.push({ atMs: nowMs - j * BALANCE_STEP_MS, balance: Math.max(floor, Math.min(backward, forward[j] ?? max)) });
  }
  return points.reverse();
}
