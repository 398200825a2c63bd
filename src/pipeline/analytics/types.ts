// The analytics' public shapes. A deal row is keyed by database column names (sanitized from
// headers.json); numbers are numbers, money is dollars rounded to cents, dates are ISO strings.

export type DealRow = Record<string, number | string | null>;

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
  salesCount: number;
  offerDrops: number;
  /** The inferred sales behind List at and 1yr. Avg., ascending by time (the deals desk shows them). */
  sales: readonly Sale[];
}

/** An inferred sale: Keepa minutes, the price in cents and the UTC calendar month (0 = Jan). */
export interface Sale {
  t: number;
  priceCents: number;
  month: number;
}

/**
 * Writes one column. `undefined` means "the source was not in this fetch": a full analysis
 * stores NULL, a light update leaves the stored value alone.
 */
export type Put = (column: string, value: number | string | null | undefined) => void;
