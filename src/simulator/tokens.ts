// Token accounting as Keepa does it (docs/keepa.md): the balance refills `refillRate` tokens once
// a minute at the account's own moment in the minute, never above the maximum (tokens older than
// an hour expire, so the maximum is 60 x refillRate unless fixed); a call runs whenever the
// balance is positive and may drive it negative; while it is not positive calls get 429 and
// consume nothing. The balance is brought forward lazily from the clock at each use, so a
// virtual clock can jump days at once.

import type { Clock } from '../clock.js';
import type { TokenFields } from '../keepa/types.js';

const MINUTE_MS = 60_000;

export interface TokenAccountOptions {
  clock: Clock;
  refillRate: number;
  /** Fixed maximum; by default 60 x the current refill rate. */
  maxTokens?: number;
  /** Balance at start; by default the maximum. */
  initialTokens?: number;
  /** Where in each minute (0-59,999 ms) this account's refills happen. */
  phaseMs: number;
}

export interface TokenState {
  tokensLeft: number;
  refillRate: number;
  maxTokens: number;
  /** Ms until the next refill. */
  refillIn: number;
  /** Total charged since start. */
  tokensConsumed: number;
}

export class TokenAccount {
  private readonly clock: Clock;
  private readonly fixedMax: number | undefined;
  private readonly phaseMs: number;
  private balance: number;
  private rate: number;
  private lastMs: number;
  private consumed = 0;
  private scheduled: { atMs: number; rate: number }[] = [];

  constructor(options: TokenAccountOptions) {
    checkRate(options.refillRate);
    this.clock = options.clock;
    this.rate = options.refillRate;
    this.fixedMax = options.maxTokens;
    this.phaseMs = ((options.phaseMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
    this.lastMs = options.clock.now();
    this.balance = options.initialTokens ?? this.max;
  }

  get max(): number {
    return this.fixedMax ?? 60 * this.rate;
  }

  state(): TokenState {
    const now = this.clock.now();
    this.advance(now);
    return {
      tokensLeft: this.balance,
      refillRate: this.rate,
      maxTokens: this.max,
      refillIn: this.refillIn(now),
      tokensConsumed: this.consumed,
    };
  }

  /** Keepa runs a call whenever the balance is positive, however much the call will cost. */
  canRun(): boolean {
    this.advance(this.clock.now());
    return this.balance > 0;
  }

  charge(tokens: number): void {
    this.advance(this.clock.now());
    this.balance -= tokens;
    this.consumed += tokens;
  }

  /** Changes the refill rate from now on (a plan change); the balance is capped at the new maximum. */
  setRefillRate(rate: number): void {
    checkRate(rate);
    this.advance(this.clock.now());
    this.rate = rate;
    this.balance = Math.min(this.balance, this.max);
  }

  /** Changes the refill rate at a given simulated time (a fault: "the rate changed mid-run"). */
  scheduleRefillRate(atMs: number, rate: number): void {
    checkRate(rate);
    this.scheduled.push({ atMs, rate });
    this.scheduled.sort((a, b) => a.atMs - b.atMs);
  }

  /** Sets the balance outright (tests: start from a deficit, a fractional balance...). */
  setBalance(tokens: number): void {
    this.advance(this.clock.now());
    this.balance = tokens;
  }

  /** The token fields of an answer sent now. */
  fields(tokensConsumed: number, processingTimeInMs: number): TokenFields {
    const now = this.clock.now();
    this.advance(now);
    return {
      timestamp: now,
      tokensLeft: this.balance,
      refillIn: this.refillIn(now),
      refillRate: this.rate,
      tokenFlowReduction: 0,
      tokensConsumed,
      processingTimeInMs,
    };
  }

  private refillIn(now: number): number {
    const sinceRefill = (((now - this.phaseMs) % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
    return MINUTE_MS - sinceRefill;
  }

  private advance(now: number): void {
    while (this.scheduled[0] && this.scheduled[0].atMs <= now) {
      const change = this.scheduled.shift();
      if (!change) break;
      this.accrue(change.atMs);
      this.rate = change.rate;
      this.balance = Math.min(this.balance, this.max);
    }
    this.accrue(now);
  }

  /** Adds the refills whose moment falls in (lastMs, to]. */
  private accrue(to: number): void {
    if (to <= this.lastMs) return;
    const refills = Math.floor((to - this.phaseMs) / MINUTE_MS) - Math.floor((this.lastMs - this.phaseMs) / MINUTE_MS);
    if (refills > 0 && this.balance < this.max) {
      this.balance = Math.min(this.max, this.balance + refills * this.rate);
    }
    this.lastMs = to;
  }
}

function checkRate(rate: number): void {
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new RangeError(`refillRate must be a positive number of tokens per minute (got ${rate})`);
  }
}
