// The one token bucket of the process (docs/design.md rule 1). It mirrors Keepa's own bucket from the
// figures of every answer, 429 bodies included, and projects it forward between answers, so a
// wait is computed, never polled: the old system drained the tokens it waited for by calling
// /token in a loop, waited for more tokens than a bucket can hold, and slept-woke-failed forever
// at 5 tokens/minute.
//
// Keepa's rules it relies on (keepa.com/#!api, summarised in docs/keepa.md):
// - tokens are added every minute at `refillRate`; `refillIn` is the time to the next addition;
// - unused tokens expire after an hour, so the balance never usefully exceeds 60 x refillRate;
// - "All API requests execute regardless of your current token balance, as long as it's positive.
//   Requesting large result sets may cause your token balance to go negative";
// - while the balance is not positive, calls get HTTP 429 and consume nothing.
// Balances may be fractional (54.5, -13.0): `tokenFlowReduction` charges fractions.
//
// No figure is believed before it is checked against what is possible (figures.ts): one absurd
// answer (`tokensLeft: -1e9`, `refillRate: 0`) once made the bucket wait for years and saved that
// state for the next start. Such an answer is ignored and the next one trusted again.
import { TokenBudgetError } from '../errors.js';
import { implausibleFigures } from './figures.js';
import { type BucketSnapshot, implausibleSnapshot } from './savedBucket.js';
import type { TokenFields } from './types.js';

const MINUTE_MS = 60_000;
/** Tokens live an hour, so the bucket holds at most this many minutes of refill. */
const CAPACITY_MINUTES = 60;
/** Floating-point slack when comparing fractional balances. */
const EPSILON = 1e-9;

export interface BucketOptions {
  /** How far below zero one call may drive the balance (a positive number of tokens). */
  maxDeficit: number;
}

export interface Ticket {
  readonly id: number;
  readonly job: string;
  readonly cost: number;
}

export type Reservation = { granted: true; ticket: Ticket } | { granted: false; waitMs: number };

export class TokenBucket {
  private balance = 0;
  private asOfMs = 0;
  private refillRate: number | null = null;
  private nextRefillMs: number | null = null;
  private figuresAtMs: number | null = null;
  private rechargeSinceMs: number | null = null;
  private tokenFlowReduction = 0;
  private readonly spent = new Map<string, number>();
  private readonly inFlight = new Map<number, Ticket>();
  private lastTicket = 0;
  /** Why the last answer's figures were ignored; null while answers are believed. */
  private distrust: string | null = null;
  private clockSkewMs = 0;

  constructor(private readonly options: BucketOptions) {
    if (!(options.maxDeficit >= 0)) throw new RangeError(`maxDeficit must be 0 or more tokens, not ${options.maxDeficit}`);
  }

  /** True only before any figures were seen or restored: the client's cue for one /token call. */
  needsInitialToken(): boolean {
    return this.figuresAtMs === null;
  }

  /** Most tokens the bucket can hold (60 x refillRate), or null while the rate is unknown. */
  capacity(): number | null {
    return this.refillRate === null ? null : CAPACITY_MINUTES * this.refillRate;
  }

  /** The dearest call that can ever be granted: a full bucket plus the allowed deficit. */
  ceiling(): number | null {
    const capacity = this.capacity();
    return capacity === null ? null : capacity + this.options.maxDeficit;
  }

  /**
   * The largest estimate that would be granted at `nowMs`. Before any figures it is the deficit
   * allowance: whatever Keepa's (positive) balance is, such a call cannot end below the floor.
   */
  grantableNow(nowMs: number): number {
    if (this.needsInitialToken()) return this.options.maxDeficit;
    this.project(nowMs);
    return this.balance > EPSILON ? this.balance + this.options.maxDeficit : 0;
  }

  /**
   * Milliseconds until a call estimated at `cost` could be granted (0: now), computed from the
   * refill schedule. Throws TokenBudgetError when it never could. Changes nothing, so a run can
   * ask before it starts work and checkpoint instead of waiting (docs/design.md rule 3).
   */
  waitFor(cost: number, nowMs: number): number {
    if (cost <= 0 || this.needsInitialToken()) return 0;
    this.assertPossible(cost);
    this.project(nowMs);
    const refills = this.refillsNeeded(cost);
    if (refills === 0) return 0;
    if (refills === null || this.nextRefillMs === null) throw this.neverRefills(cost);
    return this.nextRefillMs - nowMs + (refills - 1) * MINUTE_MS;
  }

  /** Grants and debits `cost`, or says how long until it could be granted. Never sleeps. */
  reserve(cost: number, options: { job: string; nowMs: number }): Reservation {
    const waitMs = this.waitFor(cost, options.nowMs);
    if (waitMs > 0) {
      this.rechargeSinceMs ??= options.nowMs;
      return { granted: false, waitMs };
    }
    if (cost > 0) {
      this.balance -= cost;
      this.rechargeSinceMs = null;
    }
    const ticket: Ticket = { id: ++this.lastTicket, job: options.job, cost: Math.max(0, cost) };
    this.inFlight.set(ticket.id, ticket);
    return { granted: true, ticket };
  }

  /**
   * Closes a granted call. With Keepa's figures the balance becomes Keepa's, less what other calls
   * still in flight were debited, and the tokens consumed are booked to the ticket's job. Without
   * figures (network failure, unreadable or impossible figures) the estimate stays debited: Keepa
   * may have charged. Returns the tokens booked (what Keepa charged, 0 when its figures were not
   * believed) and what `observe` returns.
   */
  settle(ticket: Ticket, fields: TokenFields | null, atMs: number): { charged: number; ignored: string | null } {
    this.inFlight.delete(ticket.id);
    if (fields === null) return { charged: 0, ignored: null };
    const ignored = this.observe(fields, atMs);
    if (this.distrust !== null || fields.tokensConsumed <= 0) return { charged: 0, ignored };
    this.spent.set(ticket.job, (this.spent.get(ticket.job) ?? 0) + fields.tokensConsumed);
    return { charged: fields.tokensConsumed, ignored };
  }

  /**
   * Learns Keepa's figures from any answer (429 bodies and /token included). Impossible figures are
   * ignored; the return value says why, once per run of such answers (for one log line), else null.
   */
  observe(fields: TokenFields, atMs: number): string | null {
    const problem = implausibleFigures(fields, { knownRefillRate: this.refillRate, maxDeficit: this.options.maxDeficit });
    if (problem !== null) {
      const first = this.distrust === null;
      this.distrust = problem;
      return first ? problem : null;
    }
    this.distrust = null;
    if (this.figuresAtMs !== null && atMs < this.figuresAtMs) return null;
    let pending = 0;
    for (const ticket of this.inFlight.values()) pending += ticket.cost;
    this.balance = fields.tokensLeft - pending;
    this.asOfMs = atMs;
    this.refillRate = Math.max(0, fields.refillRate);
    this.nextRefillMs = atMs + Math.max(0, fields.refillIn);
    this.figuresAtMs = atMs;
    this.tokenFlowReduction = fields.tokenFlowReduction;
    this.clockSkewMs = fields.timestamp - atMs;
    if (this.balance <= EPSILON) this.rechargeSinceMs ??= atMs;
    return null;
  }

  /**
   * Keepa refused a call for lack of tokens (HTTP 429). Whatever the figures said, the balance is
   * not positive for us, so the next grant waits for at least one refill: never a tight loop.
   */
  refused(atMs: number): void {
    this.project(atMs);
    this.balance = Math.min(this.balance, 0);
    this.rechargeSinceMs ??= atMs;
  }

  snapshot(nowMs: number): BucketSnapshot {
    if (!this.needsInitialToken()) this.project(nowMs);
    return {
      balance: this.balance,
      asOfMs: this.asOfMs,
      refillRate: this.refillRate,
      capacity: this.capacity(),
      nextRefillMs: this.nextRefillMs,
      figuresAtMs: this.figuresAtMs,
      rechargeSinceMs: this.rechargeSinceMs,
      tokenFlowReduction: this.tokenFlowReduction,
      spentByJob: Object.fromEntries(this.spent),
      clockSkewMs: this.clockSkewMs,
    };
  }

  /**
   * Takes over a saved state; refills since it was saved are projected, capped at capacity. A state
   * that is impossible, or older than the hour in which Keepa's tokens expire, is refused (the
   * return value says why) and the bucket stays blind: the client asks /token once.
   */
  restore(snapshot: BucketSnapshot, nowMs: number): string | null {
    const problem = implausibleSnapshot(snapshot, nowMs, this.options.maxDeficit);
    if (problem !== null) return problem;
    this.balance = snapshot.balance;
    this.asOfMs = snapshot.asOfMs;
    this.refillRate = snapshot.refillRate;
    this.nextRefillMs = snapshot.nextRefillMs;
    this.figuresAtMs = snapshot.figuresAtMs;
    this.rechargeSinceMs = snapshot.rechargeSinceMs;
    this.tokenFlowReduction = snapshot.tokenFlowReduction;
    this.clockSkewMs = snapshot.clockSkewMs ?? 0;
    this.spent.clear();
    for (const [job, tokens] of Object.entries(snapshot.spentByJob)) this.spent.set(job, tokens);
    this.inFlight.clear();
    if (!this.needsInitialToken()) this.project(nowMs);
    return null;
  }

  /** Adds the whole-minute refills that happened up to `nowMs`. */
  private project(nowMs: number): void {
    if (nowMs <= this.asOfMs) return;
    this.asOfMs = nowMs;
    if (this.refillRate === null || this.nextRefillMs === null) return;
    const projected = projectBalance({ balance: this.balance, refillRate: this.refillRate, capacity: this.capacity() ?? 0, nextRefillMs: this.nextRefillMs }, nowMs);
    this.balance = projected.balance;
    this.nextRefillMs = projected.nextRefillMs;
  }

  /** Whole refills until the balance is positive and `cost` stays above the floor; null: never. */
  private refillsNeeded(cost: number): number | null {
    const floor = -this.options.maxDeficit;
    if (this.balance > EPSILON && this.balance - cost >= floor - EPSILON) return 0;
    const rate = this.refillRate ?? 0;
    if (rate <= 0) return null;
    const toPositive = this.balance > EPSILON ? 0 : Math.floor(-this.balance / rate + EPSILON) + 1;
    const toFloor = Math.max(0, Math.ceil((cost + floor - this.balance) / rate - EPSILON));
    return Math.max(toPositive, toFloor);
  }

  private assertPossible(cost: number): void {
    const ceiling = this.ceiling();
    if (ceiling === null || this.refillRate === 0 || cost <= ceiling + EPSILON) return;
    throw new TokenBudgetError(
      `A Keepa call estimated at ${round(cost)} tokens can never run: at ${this.refillRate} tokens/minute the bucket ` +
        `holds at most ${this.capacity()} tokens, plus a deficit of ${this.options.maxDeficit}. ` +
        `Split the work into batches of at most ${round(ceiling)} tokens.`,
    );
  }

  private neverRefills(cost: number): TokenBudgetError {
    return new TokenBudgetError(`A Keepa call estimated at ${round(cost)} tokens cannot run: Keepa reports a refill rate of 0 tokens/minute ` + `and a balance of ${round(this.balance)}. Check the Keepa API subscription.`);
  }
}

/**
 * The balance at `nowMs` of figures known at an earlier time: whole-minute refills since
 * `nextRefillMs`, capped at capacity; a balance already above capacity (Keepa said so) is kept.
 * The bucket projects itself with it, and status projects the saved figures with it.
 */
export function projectBalance(figures: { balance: number; refillRate: number; capacity: number; nextRefillMs: number }, nowMs: number): { balance: number; nextRefillMs: number } {
  const { balance, refillRate, capacity, nextRefillMs } = figures;
  if (nowMs < nextRefillMs) return { balance, nextRefillMs };
  const refills = 1 + Math.floor((nowMs - nextRefillMs) / MINUTE_MS);
  const refilled = balance >= capacity || refillRate <= 0 ? balance : Math.min(capacity, balance + refills * refillRate);
  return { balance: refilled, nextRefillMs: nextRefillMs + refills * MINUTE_MS };
}

function round(tokens: number): number {
  return Math.round(tokens * 100) / 100;
}
