import { describe, expect, it } from 'vitest';
import { offerIfNew } from '../../src/pipeline/newWork.js';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

const candidate = (asin: string, lastUpdateKm: number, priority = 0) => ({ asin, lastUpdateKm, priority, dealJson: null });

describe('new work', () => {
  it('an ASIN is new work only when its deal is newer than the one processed', () => {
    const { queue } = memoryStore(smallColumns());
    expect(offerIfNew(queue, candidate('A', 100), T0)).toBe('queued');
    expect(offerIfNew(queue, candidate('A', 100), T0)).toBe('seen');
    expect(offerIfNew(queue, candidate('A', 105), T0)).toBe('updated');
    queue.finish('A', 'done', null, T0);
    expect(offerIfNew(queue, candidate('A', 105), T0)).toBe('seen');
    expect(offerIfNew(queue, candidate('A', 90), T0)).toBe('seen');
    expect(offerIfNew(queue, candidate('A', 106), T0)).toBe('queued');
    expect(queue.get('A')).toMatchObject({ stage: 'queued', lastUpdateKm: 106, processedLastUpdateKm: 105 });
  });
});
