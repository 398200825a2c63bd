// The demo (the daemon without a key) must keep finding new deals for as long as it runs, not only
// in its first minutes: its world on the virtual clock, with the real pipeline at the demo's rate.
import { expect, it } from 'vitest';
import { DEMO_WORLD } from '../../src/simulator/index.js';
import { createHarness } from '../pipeline/harness.js';

const HOUR = 3_600_000;

it('the demo world keeps the daemon saving new deals, and new ones worth showing, hour after hour', async () => {
  const h = await createHarness({ refillRate: 300, sim: DEMO_WORLD, everyMinutes: 1 });
  try {
    const counts = (): { saved: number; visible: number } => h.life.store.db.prepare('SELECT count(*) AS saved, count(CASE WHEN Profit > 0 THEN 1 END) AS visible FROM deals').get() as { saved: number; visible: number };
    const start = h.clock.now();
    // The first hour works through the deals already listed at the start; then new ones, each hour.
    await h.runUntil(start + HOUR);
    const first = counts();
    let before = first;
    for (const hour of [2, 3]) {
      await h.runUntil(start + hour * HOUR);
      const now = counts();
      expect(now.saved - before.saved, `new deals saved in hour ${hour}`).toBeGreaterThanOrEqual(2);
      before = now;
    }
    expect(before.visible - first.visible).toBeGreaterThanOrEqual(2);
  } finally {
    await h.close();
  }
}, 180_000);
