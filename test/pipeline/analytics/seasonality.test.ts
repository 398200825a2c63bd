import { describe, expect, it } from 'vitest';
import type { KeepaProduct } from '../../../src/keepa/types.js';
import { analyzeProduct } from '../../../src/pipeline/analytics/index.js';
import { saleAt } from '../../../src/pipeline/analytics/sales.js';
import { detailedSeasonality, keywordSeason, YEAR_ROUND } from '../../../src/pipeline/analytics/seasonality.js';
import { csv, NOW_MS, product, SETTINGS, salesHistories, utc } from './builders.js';

function season(p: Partial<KeepaProduct>) {
  return keywordSeason(product(p));
}

const categories = (...names: string[]) => names.map((name, i) => ({ catId: i + 1, name }));

describe('keyword seasonality', () => {
  it('labels textbooks by publisher or a college title, Winter when the title says so', () => {
    expect(season({ manufacturer: 'Cengage Learning' })).toEqual({ label: 'Textbook (Summer)', sells: 'Jul-Sep' });
    expect(season({ manufacturer: 'McGraw Hill' }).label).toBe('Textbook (Summer)');
    expect(season({ title: 'University Physics, Winter Edition' })).toEqual({ label: 'Textbook (Winter)', sells: 'Jan-Feb' });
    // "Sage" is a publisher in the manufacturer, a herb in a title.
    expect(season({ title: 'Sage and Thyme: Herbs for the Kitchen' })).toEqual(YEAR_ROUND);
  });

  it('matches the word AP in high school categories, not "chapter"', () => {
    const hs = categories('Books', 'Teen & Young Adult', 'High School');
    expect(season({ title: 'AP Biology Premium', categoryTree: hs }).label).toBe('High School AP Textbooks');
    expect(season({ title: 'Chapter Books for Teens', categoryTree: hs })).toEqual(YEAR_ROUND);
  });

  it('gives community college its own season, not the textbook one', () => {
    expect(season({ title: 'Succeeding at Community College' })).toEqual({ label: 'Community College', sells: 'Sep-Oct, Jan-Feb' });
  });

  it('applies the topic rules in order, first match wins', () => {
    expect(season({ title: 'Passing the Bar Exam' }).sells).toBe('Oct');
    expect(season({ title: 'NCLEX-RN Review' }).sells).toBe('Mar-Apr');
    expect(season({ title: 'The Vegetable Gardening Bible' }).label).toBe('Gardening');
    expect(season({ title: 'Weber BBQ Bible' }).sells).toBe('May-Jun');
    expect(season({ title: 'A Christmas Carol' }).sells).toBe('Nov-Dec');
    // Travel (May-Aug) comes before Halloween in the rule order.
    expect(season({ title: 'Halloween Travel Guide' }).label).toBe('Travel');
    expect(season({ title: 'Plain', categoryTree: categories('Books', 'Romance') }).sells).toBe('Feb');
    expect(season({ title: 'Plain' })).toEqual(YEAR_ROUND);
  });
});

describe('seasonality from the sales', () => {
  const label = { label: 'Gardening', sells: 'Mar-Apr' };
  const sale = (month: number, day: number) => saleAt(utc(2024, month, day), 2000);

  it('names the season of a month that stands out', () => {
    // 6 sales, 4 in August: 4 >= 3 and 4 >= 2 x 6 / 12 = 1.
    expect(detailedSeasonality([sale(8, 1), sale(8, 8), sale(8, 15), sale(8, 22), sale(2, 1), sale(5, 1)], label)).toBe('Textbook (Summer)');
    expect(detailedSeasonality([sale(11, 1), sale(11, 8), sale(12, 15), sale(12, 22), sale(12, 29), sale(5, 1)], label)).toBe('Holiday');
  });

  it('says Year-round when no month stands out', () => {
    // 12 sales, 1 a month: 1 < 3.
    expect(
      detailedSeasonality(
        Array.from({ length: 12 }, (_, m) => sale(m + 1, 10)),
        label,
      ),
    ).toBe('Year-round');
  });

  it('keeps the keyword label with fewer than 6 sales', () => {
    expect(detailedSeasonality([sale(8, 1), sale(8, 8), sale(8, 15)], label)).toBe('Gardening');
  });

  it("puts a peak seen in 3+ sales in Peak Season whatever the label, else the label's months", () => {
    // Sep 2024 sales at $40, Mar 2025 at $20: peak Sep, trough Mar.
    const sales = [utc(2024, 9, 1), utc(2024, 9, 10), utc(2025, 3, 1), utc(2025, 3, 10)].map((t, i) => ({ t, price: i < 2 ? 4000 : 2000 }));
    const gardening = { title: 'Gardening Through the Year' };
    const seen = analyzeProduct({ product: product({ ...gardening, csv: csv(salesHistories(sales)) }), settings: SETTINGS, nowMs: NOW_MS }).row;
    expect([seen['Seasonality_Type'], seen['Sells'], seen['Peak_Season'], seen['Trough_Season'], seen['Expected_Trough_Price']]).toEqual(['Gardening', 'Mar-Apr', 'Sep', 'Mar', 20]);
    const unseen = analyzeProduct({ product: product({ ...gardening, csv: csv(salesHistories(sales.slice(0, 1))) }), settings: SETTINGS, nowMs: NOW_MS }).row;
    expect([unseen['Peak_Season'], unseen['Trough_Season']]).toEqual(['Mar-Apr', null]);
  });
});
