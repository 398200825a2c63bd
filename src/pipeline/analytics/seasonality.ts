// Seasonality: keyword rules on title, categories and manufacturer (docs/analytics.md, "Columns
// read from the product"), and the monthly distribution of the inferred sales.
import type { KeepaProduct } from '../../keepa/types.js';
import type { Sale } from './types.js';

export interface KeywordSeason {
  /** `Seasonality_Type`, e.g. `Textbook (Summer)`. */
  label: string;
  /** `Sells`: the months it sells best, e.g. `Jul-Sep`. */
  sells: string;
}

export const YEAR_ROUND: KeywordSeason = { label: 'Year-round', sells: 'All Year' };

const PUBLISHERS = /\b(cengage|mcgraw[- ]?hill|pearson|wiley|macmillan|sage)\b/i;
// "community college" has its own, later rule; the textbook rule must not swallow it.
const COLLEGE = /(?<!community )\bcollege\b|\buniversity\b/i;
// Case-sensitive: the exam "AP", not "ap" inside "chapter" or a lower-case word.
const AP = /\bAP\b/;

type Rule = readonly [RegExp, KeywordSeason];

// Matched against title, category names and manufacturer together, in order.
const TOPIC_RULES: readonly Rule[] = [
  [/\blaw school\b|\bbar exam\b/i, { label: 'Law School', sells: 'Oct' }],
  [/\bnursing\b|\bnclex\b/i, { label: 'Nursing School', sells: 'Mar-Apr' }],
  [/\bmedical school\b|\bmcat\b/i, { label: 'Medical School', sells: 'Aug-Sep' }],
  [/\bcommunity college\b/i, { label: 'Community College', sells: 'Sep-Oct, Jan-Feb' }],
  [/\bgardening\b/i, { label: 'Gardening', sells: 'Mar-Apr' }],
  [/\bgrilling\b|\bbbq\b|\bbarbecue\b/i, { label: 'Grilling', sells: 'May-Jun' }],
  [/\bchristmas\b|\bholiday gifts?\b/i, { label: 'Holiday', sells: 'Nov-Dec' }],
  [/\bnew year\b|\bfitness\b|\bdiet\b/i, { label: 'New Year', sells: 'Jan' }],
  [/\btax (prep|preparation|guide)\b/i, { label: 'Tax Season', sells: 'Jan-Apr' }],
  [/\btravel\b/i, { label: 'Travel', sells: 'May-Aug' }],
  [/\bhalloween\b/i, { label: 'Halloween', sells: 'Sep-Oct' }],
  [/\bthanksgiving\b/i, { label: 'Thanksgiving', sells: 'Nov' }],
  [/\bvalentine|\bromance\b/i, { label: "Valentine's Day", sells: 'Feb' }],
];

/** First matching rule wins: textbook, high school AP, then the topic rules; else Year-round. */
export function keywordSeason(product: KeepaProduct): KeywordSeason {
  const title = product.title ?? '';
  const categories = (product.categoryTree ?? []).map((c) => c?.name ?? '').join(' | ');
  const manufacturer = product.manufacturer ?? '';
  if (PUBLISHERS.test(manufacturer) || COLLEGE.test(title)) {
    return /\bwinter\b/i.test(title) ? { label: 'Textbook (Winter)', sells: 'Jan-Feb' } : { label: 'Textbook (Summer)', sells: 'Jul-Sep' };
  }
  if (AP.test(title) && /\bhigh school\b/i.test(categories)) return { label: 'High School AP Textbooks', sells: 'Jul-Sep' };
  const text = `${title} | ${categories} | ${manufacturer}`;
  for (const [pattern, season] of TOPIC_RULES) {
    if (pattern.test(text)) return season;
  }
  return YEAR_ROUND;
}

// The season that holds each month, for naming a peak seen in the sales: the textbook rushes
// (Aug-Sep, Jan) and the holidays (Nov-Dec) first, the calendar seasons for the other months.
const SEASON_OF_MONTH = ['Textbook (Winter)', 'Spring', 'Spring', 'Spring', 'Spring', 'Summer', 'Summer', 'Textbook (Summer)', 'Textbook (Summer)', 'Fall', 'Holiday', 'Holiday'] as const;

const MIN_SALES_TO_JUDGE = 6;
const MIN_PEAK_SALES = 3;

/**
 * `Detailed_Seasonality` from the monthly distribution of sales. With fewer than 6 sales there is
 * too little to judge and the keyword label stands. Otherwise a month stands out when it holds at
 * least 3 sales and at least twice its even share (n / 12); the busiest month (earliest on ties)
 * is named by its season, and no standing-out month means `Year-round`.
 */
export function detailedSeasonality(sales: readonly Sale[], keywords: KeywordSeason): string {
  const n = sales.length;
  if (n < MIN_SALES_TO_JUDGE) return keywords.label;
  const counts = new Array<number>(12).fill(0);
  for (const s of sales) {
    counts[s.month] = (counts[s.month] ?? 0) + 1;
  }
  let busiest = 0;
  for (let m = 1; m < 12; m++) if ((counts[m] ?? 0) > (counts[busiest] ?? 0)) busiest = m;
  const c = counts[busiest] ?? 0;
  return c >= MIN_PEAK_SALES && c >= (2 * n) / 12 ? (SEASON_OF_MONTH[busiest] ?? YEAR_ROUND.label) : YEAR_ROUND.label;
}
