// The page's 24-hour figures: the token balance it estimates from the run history matches what
// the bucket really held, for a bucket that refills to full between busy spells and for one that
// never gets off the floor (a 5-token plan spending everything).
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/state/runs.js';
import type { StatusReport } from '../../src/status.js';
import { estimateBalance, hourlyBuckets } from '../../src/web/overview.js';
import { T0 } from '../helpers.js';

const STEP = 10 * 60_000;
const STEPS = 144;
const NOW = T0 + 24 * 3_600_000;

function run(startedAt: number, tokensSpent: number, saved = 0): Run {
  return { id: 0, job: 'ingest', startedAt, endedAt: startedAt + 1000, outcome: 'ok', funnel: { saved }, tokensSpent, chunks: 1, lastCommitAt: startedAt + 1000, error: null };
}

function tokens(balance: number, refillRate: number, max: number): NonNullable<StatusReport['tokens']> {
  return { balance, refillRate, max, atMs: NOW, nextRefillMs: NOW + 60_000, rechargingSince: null, spentByJob: {}, projectedBalance: balance, rechargingForMs: null };
}

/** Runs one step at a time from 24 h ago, Keepa's way: refill up to the cap, then spend. */
function simulate(start: number, refill: number, max: number, want: (step: number, available: number) => number): { runs: Run[]; truth: number[] } {
  const runs: Run[] = [];
  const truth = [start];
  let balance = start;
  for (let i = 0; i < STEPS; i++) {
    balance = Math.min(max, balance + refill);
    const spent = want(i, balance);
    balance -= spent;
    runs.push(run(NOW - (STEPS - i) * STEP + STEP / 2, spent));
    truth.push(balance);
  }
  return { runs, truth };
}

describe('token balance estimate', () => {
  it('follows a bucket that drains in busy spells and refills to full between them', () => {
    const { runs, truth } = simulate(300, 50, 300, (i) => (i % 30 < 8 ? 80 : 5));
    const estimate = estimateBalance(runs, tokens(truth.at(-1) ?? 0, 5, 300), NOW).map((p) => p.balance);
    expect(estimate).toHaveLength(STEPS + 1);
    expect(estimate).toEqual(truth);
    expect(Math.min(...estimate)).toBeLessThan(100);
  });

  it('follows a bucket held at the floor by a pipeline that spends each refill', () => {
    const { runs, truth } = simulate(0, 50, 300, (_, available) => available);
    const estimate = estimateBalance(runs, tokens(0, 5, 300), NOW).map((p) => p.balance);
    expect(estimate).toEqual(truth);
  });
});

describe('hourly buckets', () => {
  it('add up tokens and saved deals by the hour a run started, ignoring older runs', () => {
    const hours = hourlyBuckets([run(NOW - 25 * 3_600_000, 99, 9), run(NOW - 90 * 60_000, 10, 2), run(NOW - 80 * 60_000, 5, 1), run(NOW - 60_000, 7, 3)], NOW);
    expect(hours).toHaveLength(24);
    expect(hours.at(-2)).toMatchObject({ tokens: 15, saved: 3, runs: 2 });
    expect(hours.at(-1)).toMatchObject({ tokens: 7, saved: 3, runs: 1 });
    expect(hours.reduce((a, h) => a + h.saved, 0)).toBe(6);
  });
});
