// bin/why ASIN: an operator asks what happened to one book and reads the stage, the verdict in
// words, the tokens spent and the dates; an unknown book exits 1, a bad argument 2.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { WHY_COMMAND, why } from '../../src/cli/why.js';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import { projectColumns } from '../helpers.js';
import { asinOf, type DeskFixture, deskDatabase, NOW } from '../web/deskFixture.js';

let f: DeskFixture;

beforeAll(() => {
  f = deskDatabase(projectColumns(), 12);
  const q = f.store.queue;
  q.offer({ asin: 'B0REJECTED', lastUpdateKm: 8_000_000, priority: 3, dealJson: null }, NOW - 7_200_000);
  q.addTokens(['B0REJECTED'], 1);
  q.advance('B0REJECTED', 'peeked', NOW - 7_000_000, 14.5);
  q.addTokens(['B0REJECTED', asinOf(3)], 30);
  q.finish('B0REJECTED', 'rejected', 'small_drop', NOW - 7_000_000, true);
  q.offer({ asin: asinOf(3), lastUpdateKm: 8_000_000, priority: 3, dealJson: null }, NOW - 7_200_000);
  // Waiting for its peek: a used copy at $25 against a 90-day average of $60, 24 sales a year, listed 30 minutes ago.
  const listedKm = msToKeepaMinutes(NOW - 1_800_000);
  const deal = { asin: 'B0WAITING1', creationDate: listedKm, lastUpdate: listedKm, current: [-1, -1, 2_500, 40_000, -1, -1, -1, -1, -1, -1, -1, 2, 4], avg: [[], [], [], [-1, -1, 6_000]], salesRankDrops365: 24 };
  q.offer({ asin: 'B0WAITING1', lastUpdateKm: listedKm, priority: 1, dealJson: JSON.stringify(deal) }, NOW - 1_800_000);
  vi.stubEnv('DEALS_DB', f.path);
});

afterAll(() => {
  vi.unstubAllEnvs();
  f.close();
});

function run(args: string[]): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = why(parseCommandArgs(WHY_COMMAND, args), NOW, (l) => lines.push(l));
  return { code, lines };
}

describe('bin/why', () => {
  it("tells a rejected book's verdict in words with the tokens spent on it", () => {
    const { code, lines } = run(['b0rejected']);
    expect(code).toBe(0);
    expect(lines).toContain('Queue: rejected, 0 failed attempts since it was last queued, 16.0 tokens spent on it.');
    expect(lines).toContain('Verdict: rejected: Its price is not far enough below the 1-year average (business.minPercentDrop).');
    expect(lines.some((l) => l.startsWith('Priority: 14.50'))).toBe(true);
    expect(lines.some((l) => l.startsWith('When: queued 2026-11-20T10:00:00.000Z (2 h ago)'))).toBe(true);
    expect(lines).toContain('Deal: not saved.');
  });

  it('shows a saved deal with its figures and why it is not shown', () => {
    const { lines } = run([asinOf(9)]);
    expect(lines[0]).toBe(`${asinOf(9)} "Statistics for Everyone, volume 9"`);
    expect(lines.find((l) => l.startsWith('Deal:'))).toMatch(/^Deal: saved, not shown: Profit is -\$/);
    expect(lines.some((l) => /List at \$\d+\.\d\d, profit -\$/.test(l))).toBe(true);
  });

  it('shows how the value model ranks a waiting book: its inputs from the deal and the dollars a token they give', () => {
    const { lines } = run(['B0WAITING1']);
    expect(lines).toContain('Verdict: waiting for its peek (stats only, 1 token).');
    expect(lines).toContain(`Value from the deal: buy $25.00, sell $60.00 (its 90-day used average), 24.0 sales a year, price there since ${new Date(NOW - 1_800_000).toISOString()}, 8 tokens still to pay.`);
    // Survival after 30 minutes of a 2-hour mean life: exp(-0.25) = 78%.
    expect(lines).toContain('  $12.51 profit x 100% chance it sells in 3 months x 78% chance the copy is still there / 8 tokens = $1.21 a token now.');
  });

  it('exits 1 for a book it never met and refuses what is not an ASIN', () => {
    expect(run(['B0NOTKNOWN']).code).toBe(1);
    expect(() => run(['not-an-asin'])).toThrow(/is not an ASIN/);
    expect(() => run([])).toThrow(/Give one ASIN/);
  });
});
