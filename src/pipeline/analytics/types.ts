// The analytics' public shapes. A deal row is keyed by database column names (sanitized from
// headers.json); numbers are numbers, money is dollars rounded to cents, dates are ISO strings.

/** One column's value: numbers stored as numbers, text as text, NULL where unknown. */
export type DealValue = number | string | null;
export type DealRow = Record<string, DealValue>;

/** Why a product is not a deal; a readable word for logs, status and the queue's park reason. */
export type RejectReason =
  | 'no_stats'
  | 'no_buy_price'
  | 'no_sell_price'
  | 'few_rank_drops'
  | 'sell_below_min'
  | 'buy_above_sell'
  | 'low_margin'
  | 'no_inferred_sales'
  | 'absurd_price'
  | 'suspicious_price'
  | 'no_used_offer'
  | 'stale_offers'
  | 'price_below_min'
  | 'rank_above_max'
  | 'small_drop'
  | 'bad_data';

export interface PeekResult {
  ok: boolean;
  reason: RejectReason | null;
  buyPriceCents: number | null;
  sellPriceCents: number | null;
  /** The promise of the candidate, for ordering: expected spread (sell - buy) in dollars, 0 when rejected. */
  score: number;
}

export interface AnalysisResult {
  row: DealRow;
  rejected: RejectReason | null;
  /** Inferred sales of the 3-year window, ascending by time. */
  sales: Sale[];
  /** The sales whose prices List at and 1yr. Avg. are computed from (priced, outliers left out). */
  priced: PricedSale[];
  /** Sales of the last 365 days: the engine's counterpart of Keepa's salesRankDrops365. */
  salesLast365: number;
  offerDrops: number;
}

export type SaleCondition = 'Used' | 'New';

/**
 * An inferred sale: Keepa minutes, the UTC calendar month (0 = Jan), and the price in cents and
 * condition learned from the offer drop paired with it (null when none was paired, or no price
 * was in force before it).
 */
export interface Sale {
  t: number;
  month: number;
  priceCents: number | null;
  condition: SaleCondition | null;
}

export interface PricedSale extends Sale {
  priceCents: number;
  condition: SaleCondition;
}

/**
 * Writes one column. `undefined` means "the source was not in this fetch": a full analysis
 * stores NULL, a light update leaves the stored value alone.
 */
export type Put = (column: string, value: number | string | null | undefined) => void;
