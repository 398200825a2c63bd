// A programming error in the analysis is no verdict on the data: Keepa data the analysis cannot
// read is `bad_data`, but a TypeError thrown by the analysis fails its chunk, whose items are
// retried, then parked, and the error is logged as one.
import { describe, expect, it, vi } from 'vitest';
import type { KeepaCategoryNode } from '../../src/keepa/types.js';
import { createLogger } from '../../src/log.js';
import { analyzeProduct } from '../../src/pipeline/analytics/index.js';
import type { BusinessSettings } from '../../src/settings.js';
import { lineSink } from '../helpers.js';
import { NOW_MS, product, SETTINGS } from './analytics/builders.js';
import { createHarness } from './harness.js';

const broken = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/pipeline/analytics/analyze.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/pipeline/analytics/analyze.js')>();
  return {
    ...original,
    analyzeProduct: (input: Parameters<typeof original.analyzeProduct>[0]) => {
      if (broken.on) throw new TypeError("Cannot read properties of undefined (reading 'cents')");
      return original.analyzeProduct(input);
    },
  };
});

const HOUR = 3_600_000;

describe('errors in the analysis', () => {
  it('a malformed product is bad_data; a TypeError from the analysis is thrown, not read as bad data', () => {
    const malformed = { ...product(), categoryTree: 42 as unknown as KeepaCategoryNode[] };
    expect(analyzeProduct({ product: malformed, settings: SETTINGS, nowMs: NOW_MS }).rejected).toBe('bad_data');
    expect(() => analyzeProduct({ product: product(), settings: undefined as unknown as BusinessSettings, nowMs: NOW_MS })).toThrow(TypeError);
  });

  it('a TypeError in the analysis fails the chunk: its items are retried, then parked, never rejected as bad_data, and an error is logged', async () => {
    const { lines, stream } = lineSink();
    const log = createLogger({ level: 'info', format: 'json', stream });
    const h = await createHarness({ refillRate: 20, pipeline: { maxAttempts: 2 }, log });
    broken.on = true;
    try {
      await h.runUntil(h.clock.now() + 12 * HOUR);
      const { store } = h.life;
      expect(store.queue.parkedByReason().error).toBeGreaterThan(0);
      expect(store.db.prepare("SELECT COUNT(*) FROM queue WHERE reject_reason = 'bad_data'").pluck().get()).toBe(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM deals').pluck().get()).toBe(0);
      expect(lines.some((l) => /"level":"error"/.test(l) && /enrich of \d+ items failed in the analysis: TypeError/.test(l))).toBe(true);
    } finally {
      broken.on = false;
      await h.close();
    }
  }, 60_000);
});
