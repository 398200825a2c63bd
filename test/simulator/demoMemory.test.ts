// The demo daemon (no key) runs its simulator in-process for as long as it is left running: what
// the simulator keeps must stop growing with the books it was asked about and the calls it
// answered. Unbounded, a demo daemon on a virtual clock grew by some 20 MB of heap a simulated day.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { createSimulator, DEMO_WORLD, type Simulator } from '../../src/simulator/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const START = Date.UTC(2026, 0, 15, 12);
const KEY = 'demokey0000000000000000000000';
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function get(s: Simulator, path: string, params: Record<string, string> = {}): Promise<void> {
  const url = new URL(path, s.url);
  for (const [k, v] of Object.entries({ ...params, key: KEY })) url.searchParams.set(k, v);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
}

it('keeps the market histories of a bounded number of books, however many it was asked about', async () => {
  const clock = new VirtualClock(START);
  const s = await createSimulator({ ...DEMO_WORLD, clock, refillRate: 300, apiKey: KEY });
  sim = s;
  const batches = [0, 1, 2, 3].map((b) =>
    s.catalog
      .asins()
      .slice(b * 100, b * 100 + 100)
      .join(','),
  );
  await get(s, '/product', { domain: '1', asin: batches[0] ?? '' });
  const afterFirst = heapMb();
  for (const asin of batches.slice(1)) await get(s, '/product', { domain: '1', asin });
  // 300 more books' three-year histories kept would be some 90 MB.
  expect(heapMb() - afterFirst).toBeLessThan(15);
}, 120_000);

it('keeps the latest calls in its ledger, not every call', async () => {
  const s = await createSimulator({ ...DEMO_WORLD, clock: new VirtualClock(START), refillRate: 300, apiKey: KEY });
  sim = s;
  for (let i = 0; i < 1_100; i++) await get(s, '/token');
  const entries = s.ledger.entries();
  expect(entries).toHaveLength(1_000);
  expect(entries.at(-1)?.seq).toBe(1_100);
  expect(s.ledger.summary().calls).toBe(1_000);
}, 60_000);
