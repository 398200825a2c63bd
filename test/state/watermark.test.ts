import { describe, expect, it } from 'vitest';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

describe('watermark', () => {
  it('advances only from the value it was read at, so a rewind during a run is kept', () => {
    const { watermark } = memoryStore(smallColumns());
    expect(watermark.current()).toBeNull();
    expect(watermark.advance(null, { lastUpdateKm: 100, asin: 'B' }, T0)).toBe(true);
    const readAtRunStart = watermark.current();
    watermark.set({ lastUpdateKm: 40, asin: '' }, T0);
    expect(watermark.advance(readAtRunStart, { lastUpdateKm: 120, asin: 'C' }, T0)).toBe(false);
    expect(watermark.current()).toEqual({ lastUpdateKm: 40, asin: '' });
  });

  it('never goes back by itself; ties on one minute are ordered by ASIN', () => {
    const { watermark } = memoryStore(smallColumns());
    watermark.advance(null, { lastUpdateKm: 100, asin: 'B' }, T0);
    expect(watermark.advance({ lastUpdateKm: 100, asin: 'B' }, { lastUpdateKm: 100, asin: 'A' }, T0)).toBe(false);
    expect(watermark.advance({ lastUpdateKm: 100, asin: 'B' }, { lastUpdateKm: 100, asin: 'C' }, T0)).toBe(true);
    expect(watermark.current()).toEqual({ lastUpdateKm: 100, asin: 'C' });
  });
});
