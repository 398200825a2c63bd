import { describe, expect, it } from 'vitest';
import { daemonLevel } from '../../bench/metrics.js';
import { checkTokenBound, type TokenBoundFigures, tokenBoundFigures } from '../../bench/tokenBound.js';
import type { DriveResult, SaveEvent } from '../../bench/types.js';
import type { LedgerEntry } from '../../src/simulator/index.js';

const HOUR = 3_600_000;
const ENRICH = { history: '1', offers: '20' };

function entry(atMs: number, path: string, tokens: number, asins: string[] = []): LedgerEntry {
  return { seq: atMs, atMs, method: 'GET', path, params: path === '/product' ? ENRICH : {}, asins, status: 200, tokensConsumed: tokens, tokensLeft: 0, faults: [] };
}

function run(saves: SaveEvent[], visibleAtEnd: { asin: string; sellerNamed: boolean }[]): DriveResult {
  return {
    options: { policy: 'daemon', refillRate: 5, days: 8 / 24, stream: { seed: 7, catalogSize: 10, dealsPerHour: 1 } },
    startMs: 0,
    endMs: 8 * HOUR,
    ledger: [entry(1, '/deal', 5), entry(2, '/product', 495, ['A', 'B', 'C'])],
    saves,
    seen: [
      { asin: 'A', creationMs: HOUR, atMs: HOUR },
      { asin: 'B', creationMs: -HOUR, atMs: HOUR },
      { asin: 'C', creationMs: 2 * HOUR, atMs: 2 * HOUR },
    ],
    visible: visibleAtEnd,
    commits: [],
    samples: [],
    funnel: {},
    opportunities: ['A', 'B'],
    isOpportunity: { A: true, B: true, C: false },
    listedAt: { [`A@${HOUR}`]: 1.25 * HOUR },
    priceMoves: [],
    judgedFree: [],
    accuracy: {} as DriveResult['accuracy'],
    rssMb: 0,
    cpuMs: 0,
    simCpuMs: 0,
    wallMs: 0,
  };
}

describe('token-bound figures', () => {
  it('counts an opportunity made visible when a saved row passed the visible rule, even if its copy sold before the end', () => {
    const saves: SaveEvent[] = [
      { asin: 'A', savedAtMs: 1.5 * HOUR, dealLastUpdateMs: HOUR, profit: 9, visible: true },
      { asin: 'B', savedAtMs: 3 * HOUR, dealLastUpdateMs: HOUR, profit: 9, visible: true },
      { asin: 'C', savedAtMs: 3 * HOUR, dealLastUpdateMs: HOUR, profit: 2, visible: true },
    ];
    const f = tokenBoundFigures(
      run(saves, [
        { asin: 'B', sellerNamed: true },
        { asin: 'C', sellerNamed: false },
      ]),
      daemonLevel,
      24 * HOUR,
    );
    expect(f).toMatchObject({ tokens: 500, visible: 3, opportunitiesVisible: 2, opportunitiesPer1k: 4, sellersNamedShare: 0.5 });
    expect(f.trueShare).toBeCloseTo(2 / 3, 10);
    // Only A appeared within the run: created at 1 h, listed by Keepa at 1.25 h, saved at 1.5 h.
    // B was in the list before the start.
    expect(f.freshnessP95H).toBe(0.25);
    expect(f.freshnessFromCreationP95H).toBe(0.5);
  });

  it('checks the daemon against the oracle and the old policy at each rate', () => {
    const base: TokenBoundFigures = {
      policy: 'daemon',
      refillRate: 20,
      tokens: 1000,
      visible: 10,
      opportunitiesVisible: 9,
      opportunitiesPer1k: 9,
      freshnessP95H: 0.4,
      freshnessFromCreationP95H: 0.4,
      repeatsShare: 0.01,
      funnel: {},
      split: { discovery: 0, peek: 0, enrich: 0, seller: 0, refresh: 0, repeats: { peek: 0, enrich: 0, refresh: 0 } },
      sellersNamedShare: 1,
      trueShare: 0.9,
      wallMs: 0,
    };
    const checks = checkTokenBound([base, { ...base, policy: 'oracle', opportunitiesVisible: 11 }, { ...base, policy: 'baseline', opportunitiesPer1k: 5 }]);
    expect(checks.find((c) => c.target.startsWith('opportunities visible'))).toMatchObject({ met: false, stands: '9 of 11: 81.8%' });
    expect(checks.find((c) => c.target.startsWith('opportunities per 1,000'))).toMatchObject({ met: false, stands: '9.00 vs 5.00: x1.80' });
    expect(checks.find((c) => c.target.startsWith('p95'))).toMatchObject({ met: true });
    expect(checks).toHaveLength(6);
  });
});
