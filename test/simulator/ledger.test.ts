import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import type { TokenFields } from '../../src/keepa/types.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const KEY = 'sim-secret-key-1234567890';
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('ledger', () => {
  it('records every call with time, path, params, ASINs, status, cost and balance, never the key', async () => {
    const clock = new VirtualClock(START);
    const s = await createSimulator({ clock, seed: 2, catalogSize: 60, refillRate: 10, apiKey: KEY });
    sim = s;
    const asins = s.catalog.asins().slice(0, 3);
    const consumed: number[] = [];
    const calls: [string, Record<string, string>][] = [
      ['/product', { domain: '1', asin: asins.join(',') }],
      ['/token', {}],
      ['/deal', { selection: '{"priceTypes":[2]}' }],
    ];
    for (const [path, params] of calls) {
      const url = new URL(path, s.url);
      for (const [k, v] of Object.entries({ ...params, key: KEY })) url.searchParams.set(k, v);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      consumed.push(((await res.json()) as TokenFields).tokensConsumed);
      clock.advance(1_000);
    }
    const entries = s.ledger.entries();
    expect(entries.map((e) => [e.path, e.status, e.tokensConsumed])).toEqual([
      ['/product', 200, 3],
      ['/token', 200, 0],
      ['/deal', 200, 5],
    ]);
    expect(entries[0]).toMatchObject({ atMs: START, asins, params: { domain: '1', asin: asins.join(',') }, tokensLeft: 600 - 3 });
    expect(entries[2]?.atMs).toBe(START + 2_000);
    expect(JSON.stringify(entries)).not.toContain(KEY);
    const summary = s.ledger.summary();
    expect(summary).toMatchObject({ calls: 3, tokensConsumed: consumed.reduce((a, b) => a + b, 0), asinsRequested: 3, distinctAsins: 3, minTokensLeft: 600 - 8 });
    expect(summary.byPath['/product']).toEqual({ calls: 1, tokensConsumed: 3, statuses: { 200: 1 } });
  });

  it('counts 429s and deficits in the summary', async () => {
    const s = await createSimulator({ clock: new VirtualClock(START), seed: 2, catalogSize: 60, refillRate: 5, initialTokens: 2 });
    sim = s;
    const asin = s.catalog.asins()[0] ?? '';
    expect((await fetch(`${s.url}/product?domain=1&asin=${asin}&offers=20`)).status).toBe(200);
    expect((await fetch(`${s.url}/product?domain=1&asin=${asin}`)).status).toBe(429);
    const summary = s.ledger.summary();
    expect(summary.rateLimited).toBe(1);
    expect(summary.minTokensLeft).toBeLessThan(0);
    expect(s.ledger.entries().at(-1)?.tokensConsumed).toBe(0);
  });

  it('refuses a wrong or missing key with 400, and unknown paths with 404, charging nothing', async () => {
    const s = await createSimulator({ clock: new VirtualClock(START), seed: 2, catalogSize: 60, apiKey: KEY });
    sim = s;
    const wrong = await fetch(`${s.url}/token?key=nope`);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()) as TokenFields).toMatchObject({ tokensConsumed: 0 });
    expect((await fetch(`${s.url}/token`)).status).toBe(400);
    expect((await fetch(`${s.url}/nothing?key=${KEY}`)).status).toBe(404);
    expect((await fetch(`${s.url}/token/?key=${KEY}`)).status).toBe(200);
    expect(s.tokens.state().tokensConsumed).toBe(0);
    expect(s.ledger.entries().map((e) => e.status)).toEqual([400, 400, 404, 200]);
  });
});
