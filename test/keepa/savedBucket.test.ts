import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { CostModel } from '../../src/keepa/cost.js';
import { restoreKeepaState, saveKeepaState } from '../../src/keepa/savedBucket.js';
import { buildStatus } from '../../src/status.js';
import { memoryStore, T0 } from '../helpers.js';

const MINUTE = 60_000;
const CONFIG = { ingestCron: '*/5 * * * *', pipeline: { candidateMaxAgeHours: 72 } };

describe('the bucket figures saved for status', () => {
  it('status shows the balance the bucket itself projects from the saved figures', () => {
    const store = memoryStore();
    const bucket = new TokenBucket({ maxDeficit: 0 });
    bucket.observe({ timestamp: T0, tokensLeft: -40, refillIn: 20_000, refillRate: 5, tokenFlowReduction: 0, tokensConsumed: 0, processingTimeInMs: 1 }, T0);
    saveKeepaState({ store, keepa: { bucket, costs: new CostModel() } }, T0);
    for (const later of [T0 + 19_999, T0 + 20_000, T0 + 9 * MINUTE, T0 + 3 * 60 * MINUTE]) {
      const report = buildStatus({ store, config: CONFIG, nowMs: later, daemonRunning: false });
      expect(report.tokens?.projectedBalance).toBe(bucket.snapshot(later).balance);
    }
    expect(bucket.snapshot(T0 + 3 * 60 * MINUTE).balance).toBe(300);
  });

  it('a restart believes saved figures under an hour old, and asks Keepa when they are older', () => {
    const store = memoryStore();
    const bucket = new TokenBucket({ maxDeficit: 0 });
    bucket.observe({ timestamp: T0, tokensLeft: 100, refillIn: 20_000, refillRate: 5, tokenFlowReduction: 0, tokensConsumed: 0, processingTimeInMs: 1 }, T0);
    saveKeepaState({ store, keepa: { bucket, costs: new CostModel() } }, T0);
    const fresh = { bucket: new TokenBucket({ maxDeficit: 0 }), costs: new CostModel() };
    expect(restoreKeepaState({ store, keepa: fresh }, T0 + 30 * MINUTE)).toEqual({ restored: true, refused: null });
    const stale = { bucket: new TokenBucket({ maxDeficit: 0 }), costs: new CostModel() };
    expect(restoreKeepaState({ store, keepa: stale }, T0 + 61 * MINUTE)).toEqual({ restored: false, refused: 'its figures are more than an hour old' });
    expect(stale.bucket.needsInitialToken()).toBe(true);
  });
});
