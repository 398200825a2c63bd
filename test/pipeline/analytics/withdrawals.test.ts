// In the simulator's world, where most offer-count drops are listings withdrawn, the inference
// must count none of them as a sale: every inferred sale has a true one behind it
// (bench/accuracy.ts classifies the others, the same way the benchmark does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InferenceErrors, inferenceErrors } from '../../../bench/accuracy.js';
import { VirtualClock } from '../../../src/clock.js';
import { SALES_WINDOW_MINUTES } from '../../../src/pipeline/analytics/sales.js';
import { createSimulator, type Simulator } from '../../../src/simulator/index.js';

const START = Date.UTC(2026, 2, 1);
const DAY_MS = 86_400_000;
const WINDOW_MS = SALES_WINDOW_MINUTES * 60_000;
const BOOKS = 60;

let sim: Simulator;
let clock: VirtualClock;

beforeAll(async () => {
  clock = new VirtualClock(START);
  sim = await createSimulator({ clock, seed: 7, catalogSize: 400 });
  clock.set(START + 7 * DAY_MS);
});
afterAll(() => sim.close());

function total(found: InferenceErrors[]): InferenceErrors {
  const sum: InferenceErrors = { trueSales: 0, inferredSales: 0, withdrawnCountedAsSales: 0, inventedSales: 0 };
  for (const f of found) {
    sum.trueSales += f.trueSales;
    sum.inferredSales += f.inferredSales;
    sum.withdrawnCountedAsSales += f.withdrawnCountedAsSales;
    sum.inventedSales += f.inventedSales;
  }
  return sum;
}

/** Each book as fetched at `atOf(its true sales)`, when that gives a time. */
function errorsAt(atOf: (salesMs: number[]) => number | undefined): InferenceErrors {
  const found: InferenceErrors[] = [];
  for (const asin of sim.catalog.asins().slice(0, BOOKS)) {
    const truth = sim.marketTruth(asin);
    if (!truth) throw new Error(`no truth for ${asin}`);
    const at = atOf(truth.sales.map((s) => s.ms));
    if (at === undefined) continue;
    const product = sim.productAt(asin, at);
    if (!product) throw new Error(`no product for ${asin}`);
    found.push(inferenceErrors(product, truth, at));
  }
  return total(found);
}

describe('withdrawn listings are not sales', () => {
  it('counts none as a sale over the 3-year windows of a simulated week', () => {
    const found = errorsAt(() => clock.now());
    expect(found.trueSales).toBeGreaterThan(1_000);
    expect(found.withdrawnCountedAsSales).toBe(0);
    expect(found.inventedSales).toBe(0);
  });

  it('counts none when the window opens between a sale and the rank fall that shows it', () => {
    // The sale's offer drop falls a minute before the window; its rank fall, hours later, inside.
    // Read from the window's start only, the fall took a withdrawal of after it for its drop.
    const found = errorsAt((salesMs) => {
      const sale = salesMs.find((ms) => ms + WINDOW_MS + 60_000 <= clock.now());
      return sale === undefined ? undefined : sale + WINDOW_MS + 60_000;
    });
    expect(found.trueSales).toBeGreaterThan(1_000);
    expect(found.withdrawnCountedAsSales).toBe(0);
    expect(found.inventedSales).toBe(0);
  });
});
