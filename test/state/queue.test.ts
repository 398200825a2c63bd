import { describe, expect, it } from 'vitest';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

const candidate = (asin: string, lastUpdateKm: number, priority = 0) => ({ asin, lastUpdateKm, priority, dealJson: null });

describe('queue', () => {
  it('lists the most promising due items first', () => {
    const { queue } = memoryStore(smallColumns());
    queue.offer(candidate('LOW', 100, 1), T0);
    queue.offer(candidate('HIGH', 90, 9), T0);
    queue.offer(candidate('MID', 110, 5), T0);
    expect(queue.due('queued', 2, T0).map((i) => i.asin)).toEqual(['HIGH', 'MID']);
  });

  it('a failed item keeps its place with attempts and a next try, then is parked with its reason', () => {
    const { queue } = memoryStore(smallColumns());
    queue.offer(candidate('A', 100), T0);
    const opts = { nowMs: T0, retryDelayMs: 60_000, maxAttempts: 3 };
    expect(queue.fail('A', 'RateLimitedError: 429', 'rate_limited', opts)).toBe(false);
    expect(queue.due('queued', 10, T0 + 59_999)).toHaveLength(0);
    expect(queue.due('queued', 10, T0 + 60_000)).toHaveLength(1);
    expect(queue.fail('A', 'timeout', 'timeout', opts)).toBe(false);
    expect(queue.fail('A', 'timeout', 'timeout', opts)).toBe(true);
    expect(queue.get('A')).toMatchObject({ stage: 'parked', attempts: 3, parkedReason: 'timeout', lastError: 'timeout' });
    expect(queue.parkedByReason()).toEqual({ timeout: 1 });
    expect(queue.offer(candidate('A', 101), T0)).toBe('queued');
    expect(queue.get('A')).toMatchObject({ stage: 'queued', attempts: 0 });
  });

  it('candidates that waited too long expire with a counted reason', () => {
    const { queue } = memoryStore(smallColumns());
    queue.offer(candidate('OLD', 1), T0);
    queue.offer(candidate('NEW', 2), T0 + 3600_000);
    expect(queue.expireQueuedBefore(T0 + 1, T0 + 3600_000)).toEqual(['OLD']);
    expect(queue.depthByStage()).toMatchObject({ queued: 1, expired: 1 });
  });
});

describe('run history', () => {
  it('adds chunk counters and tokens, and marks runs left by a crash as interrupted', () => {
    const { runs } = memoryStore(smallColumns());
    const id = runs.start('ingest', T0);
    runs.recordChunk(id, { scanned: 150, queued: 12 }, 5, T0 + 1000);
    runs.recordChunk(id, { queued: 3, saved: 2 }, 40, T0 + 2000);
    expect(runs.get(id)).toMatchObject({ outcome: 'running', funnel: { scanned: 150, queued: 15, saved: 2 }, tokensSpent: 45, chunks: 2, lastCommitAt: T0 + 2000 });
    expect(runs.markInterrupted()).toBe(1);
    expect(runs.get(id)).toMatchObject({ outcome: 'interrupted', endedAt: T0 + 2000 });
    expect(runs.lastCommitPerJob()).toEqual({ ingest: T0 + 2000 });
  });
});
