import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { columnsFromHeaders, columnType, sanitizeColumnName } from '../../src/state/columns.js';
import { projectColumns } from '../helpers.js';

describe('sanitizeColumnName', () => {
  it.each([
    ['1yr. Avg.', '1yr_Avg'],
    ['% Down', 'Percent_Down'],
    ['FBA Pick&Pack Fee', 'FBA_PickandPack_Fee'],
    ['List at', 'List_at'],
    ['Price Now', 'Price_Now'],
    ['Sales Rank - 30 days avg.', 'Sales_Rank_30_days_avg'],
    ['Referral Fee %', 'Referral_Fee_Percent'],
  ])('%s -> %s', (header, name) => {
    expect(sanitizeColumnName(header)).toBe(name);
  });
});

describe('column types', () => {
  it('stores money and percentages as REAL, ranks and counts as INTEGER, names as TEXT', () => {
    expect(columnType('List_at')).toBe('REAL');
    expect(columnType('Profit')).toBe('REAL');
    expect(columnType('Percent_Down')).toBe('REAL');
    expect(columnType('Used_90_days_avg')).toBe('REAL');
    expect(columnType('Sales_Rank_Current')).toBe('INTEGER');
    expect(columnType('Sales_Rank_Drops_last_365_days')).toBe('INTEGER');
    expect(columnType('Used_Offer_Count_Current')).toBe('INTEGER');
    expect(columnType('Title')).toBe('TEXT');
    expect(columnType('Seller')).toBe('TEXT');
    expect(columnType('Deal_found')).toBe('TEXT');
  });

  it('the project headers.json is valid and keeps the stable column names', () => {
    const names = projectColumns().map((c) => c.name);
    for (const stable of ['ASIN', 'List_at', '1yr_Avg', 'Price_Now', 'Profit']) expect(names).toContain(stable);
  });
});

describe('a bad headers.json is refused with a clear error', () => {
  it.each([
    ['not a list', { a: 1 }, /must be a JSON list/],
    ['empty', [], /empty list/],
    ['a number entry', ['ASIN', 5], /entry 1 is 5/],
    ['duplicates after sanitizing', ['ASIN', '% Down', 'Percent Down'], /both become column "Percent_Down"/],
    ['no ASIN', ['Title'], /no "ASIN" entry/],
  ])('%s', (_what, headers, message) => {
    expect(() => columnsFromHeaders(headers)).toThrow(ConfigError);
    expect(() => columnsFromHeaders(headers)).toThrow(message);
  });
});
