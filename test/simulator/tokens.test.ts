import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import type { ProductResponse, TokenFields } from '../../src/keepa/types.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { TokenAccount } from '../../src/simulator/tokens.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const TOKEN_FIELDS = ['timestamp', 'tokensLeft', 'refillIn', 'refillRate', 'tokenFlowReduction', 'tokensConsumed', 'processingTimeInMs'];

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function call<T>(s: Simulator, path: string, params: Record<string, string | number> = {}): Promise<{ status: number; json: T }> {
  const url = new URL(path, s.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as T };
}

describe('token account', () => {
  it("refills refillRate tokens at the account's moment in each minute", () => {
    const clock = new VirtualClock(START);
    const account = new TokenAccount({ clock, refillRate: 5, initialTokens: 0, phaseMs: 20_000 });
    expect(account.state().refillIn).toBe(20_000);
    clock.advance(19_999);
    expect(account.state().tokensLeft).toBe(0);
    clock.advance(1);
    expect(account.state()).toMatchObject({ tokensLeft: 5, refillIn: 60_000 });
    clock.advance(3 * 60_000);
    expect(account.state().tokensLeft).toBe(20);
  });

  it('never holds more than 60 x refillRate, or the fixed maximum', () => {
    const clock = new VirtualClock(START);
    const account = new TokenAccount({ clock, refillRate: 5, initialTokens: 0, phaseMs: 0 });
    clock.advance(5 * 3_600_000);
    expect(account.state()).toMatchObject({ tokensLeft: 300, maxTokens: 300 });
    const fixed = new TokenAccount({ clock, refillRate: 5, maxTokens: 40, initialTokens: 0, phaseMs: 0 });
    clock.advance(3_600_000);
    expect(fixed.state()).toMatchObject({ tokensLeft: 40, maxTokens: 40 });
  });

  it('lets a call run while the balance is positive and go into deficit', () => {
    const clock = new VirtualClock(START);
    const account = new TokenAccount({ clock, refillRate: 5, initialTokens: 1, phaseMs: 0 });
    expect(account.canRun()).toBe(true);
    account.charge(13);
    expect(account.state().tokensLeft).toBe(-12);
    expect(account.canRun()).toBe(false);
    clock.advance(3 * 60_000);
    expect(account.state().tokensLeft).toBe(3);
    expect(account.canRun()).toBe(true);
  });

  it('applies a refill rate change from its moment on, capping the balance at the new maximum', () => {
    const clock = new VirtualClock(START);
    const account = new TokenAccount({ clock, refillRate: 20, initialTokens: 0, phaseMs: 0 });
    account.scheduleRefillRate(START + 2 * 60_000 + 30_000, 5);
    clock.advance(5 * 60_000);
    // Two refills at 20, then three at 5.
    expect(account.state()).toMatchObject({ tokensLeft: 55, refillRate: 5, maxTokens: 300 });
    account.setBalance(1_000);
    account.setRefillRate(10);
    expect(account.state()).toMatchObject({ tokensLeft: 600, refillRate: 10, maxTokens: 600 });
  });

  it('keeps fractional balances as they are', () => {
    const clock = new VirtualClock(START);
    const account = new TokenAccount({ clock, refillRate: 5, phaseMs: 0 });
    account.setBalance(54.5);
    account.charge(67.5);
    expect(account.state().tokensLeft).toBe(-13);
  });
});

describe('token fields over HTTP', () => {
  it('charges a call that overdraws a positive balance, then answers 429 consuming nothing', async () => {
    const clock = new VirtualClock(START);
    sim = await createSimulator({ clock, seed: 3, catalogSize: 50, refillRate: 5, initialTokens: 3 });
    const asin = sim.catalog.asins()[0] ?? '';
    const first = await call<ProductResponse>(sim, '/product', { domain: 1, asin, offers: 20, history: 0 });
    expect(first.status).toBe(200);
    expect(first.json.tokensConsumed).toBeGreaterThanOrEqual(6);
    expect(first.json.tokensLeft).toBe(3 - first.json.tokensConsumed);

    const refused = await call<TokenFields>(sim, '/product', { domain: 1, asin });
    expect(refused.status).toBe(429);
    expect(Object.keys(refused.json).sort()).toEqual([...TOKEN_FIELDS].sort());
    expect(refused.json).toMatchObject({ tokensConsumed: 0, tokensLeft: first.json.tokensLeft, refillRate: 5, tokenFlowReduction: 0 });
    expect(refused.json.refillIn).toBeGreaterThan(0);
    expect(refused.json.refillIn).toBeLessThanOrEqual(60_000);
    expect(refused.json.timestamp).toBe(START);

    clock.advance(refused.json.refillIn + 60_000);
    const after = await call<ProductResponse>(sim, '/product', { domain: 1, asin });
    expect(after.status).toBe(200);
    expect(after.json.tokensLeft).toBe(first.json.tokensLeft + 10 - 1);
  });

  it('answers /token for free with every token field', async () => {
    const clock = new VirtualClock(START);
    sim = await createSimulator({ clock, seed: 3, catalogSize: 50, refillRate: 20 });
    const { status, json } = await call<TokenFields>(sim, '/token');
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual([...TOKEN_FIELDS].sort());
    expect(json).toMatchObject({ tokensLeft: 1_200, refillRate: 20, tokensConsumed: 0 });
  });

  it('reports a refill rate changed at runtime in the next answer', async () => {
    const clock = new VirtualClock(START);
    sim = await createSimulator({ clock, seed: 3, catalogSize: 50, refillRate: 20 });
    sim.tokens.setRefillRate(5);
    const { json } = await call<TokenFields>(sim, '/token');
    expect(json).toMatchObject({ refillRate: 5, tokensLeft: 300 });
  });
});
