import { describe, expect, it } from 'vitest';
import type { AlertConditions } from '../../src/alerts/config.js';
import { dealFacts, matchesRule } from '../../src/alerts/rules.js';
import type { DealRow } from '../../src/pipeline/analytics/types.js';

const ANY: AlertConditions = { minProfit: null, minRoi: null, maxSalesRank: null, minSalesPerYear: null, condition: [], season: [] };
const DEAL: DealRow = { ASIN: 'B0TEST0001', Profit: 12, All_in_Cost: 10, List_at: 35, Sales_Rank_Current: 50_000, Sales_Rank_Drops_last_365_days: 9, Condition: 'Used - Very Good', Detailed_Seasonality: 'Textbook (Summer)', Seasonality_Type: 'Textbook (Summer)' };

describe('alert rules', () => {
  it('reads ROI as profit over the all-in cost and sales a year from the rank drops', () => {
    expect(dealFacts(DEAL)).toEqual({ profit: 12, roi: 120, salesRank: 50_000, salesPerYear: 9, condition: 'Used - Very Good', season: 'Textbook (Summer)' });
  });

  it('every condition must hold; a deal without profit or list price never matches', () => {
    expect(matchesRule(ANY, DEAL)).toBe(true);
    expect(matchesRule({ ...ANY, minProfit: 12 }, DEAL)).toBe(true);
    expect(matchesRule({ ...ANY, minProfit: 12.01 }, DEAL)).toBe(false);
    expect(matchesRule({ ...ANY, minRoi: 150 }, DEAL)).toBe(false);
    expect(matchesRule({ ...ANY, maxSalesRank: 40_000 }, DEAL)).toBe(false);
    expect(matchesRule({ ...ANY, minSalesPerYear: 10 }, DEAL)).toBe(false);
    expect(matchesRule({ ...ANY, condition: ['like new', 'very good'] }, DEAL)).toBe(true);
    expect(matchesRule({ ...ANY, condition: ['Acceptable'] }, DEAL)).toBe(false);
    expect(matchesRule({ ...ANY, season: ['textbook'] }, DEAL)).toBe(true);
    expect(matchesRule({ ...ANY, season: ['Holiday'] }, DEAL)).toBe(false);
    expect(matchesRule(ANY, { ...DEAL, Profit: -1 })).toBe(false);
    expect(matchesRule(ANY, { ...DEAL, List_at: null })).toBe(false);
    // A figure the deal lacks fails the condition that needs it.
    expect(matchesRule({ ...ANY, minSalesPerYear: 1 }, { ...DEAL, Sales_Rank_Drops_last_365_days: null })).toBe(false);
  });
});
