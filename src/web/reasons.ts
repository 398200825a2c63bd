// Rejection and park reasons in words, for the deals desk and `bin/why`: the queue stores short
// codes (analytics' RejectReason, fetch failures); a reseller reads sentences.
import type { RejectReason } from '../pipeline/analytics/index.js';

const REJECTED: Record<RejectReason, string> = {
  no_stats: 'Keepa sent no statistics for the book, so nothing could be judged.',
  no_buy_price: 'No used offer price was known, so there was nothing to buy.',
  no_sell_price: 'No used or Amazon price to sell at was known.',
  few_rank_drops: 'Its sales rank barely moved in a year: it hardly sells.',
  sell_below_min: 'What it sells for is below the minimum sell price worth the work.',
  buy_above_sell: 'The cheapest used offer costs about as much as the book sells for.',
  low_margin: 'The gap between buy and sell price is below the minimum margin.',
  no_inferred_sales: 'No sale could be inferred from its history (offers leaving with the rank improving), so there is no List at.',
  absurd_price: 'The price its sales point to is above $1,500, which is not believable for a used book.',
  suspicious_price: 'The price its sales point to is more than 3 times the current used price; likely a data error.',
  no_used_offer: 'No live used offer (Like New to Acceptable) with a known total price.',
  price_below_min: 'The cheapest used offer is below the minimum price setting (business.minPrice).',
  rank_above_max: 'Its sales rank is above the maximum setting (business.maxSalesRank).',
  small_drop: 'Its price is not far enough below the 1-year average (business.minPercentDrop).',
  bad_data: 'Keepa sent data the analysis could not read.',
  stale_offers: 'Keepa could not fetch the live offers this time (offersSuccessful false), so there is no current price to buy at.',
};

const OTHER: Record<string, string> = {
  expired: 'It waited in the queue longer than pipeline.candidateMaxAgeHours and was dropped unanalysed.',
  network: 'The requests for it failed on the network.',
  bad_response: 'Keepa answered with something that was not the expected data.',
  not_in_answer: 'Keepa returned no product for this ASIN.',
  save_error: 'The analysis could not be saved (see the daemon log).',
  error: 'An unexpected error stopped its processing (see the daemon log).',
};

export function reasonInWords(code: string): string {
  if (code in REJECTED) return REJECTED[code as RejectReason];
  const other = OTHER[code];
  if (other !== undefined) return other;
  const http = /^http_(\d{3})$/.exec(code);
  if (http) return `Keepa answered HTTP ${http[1]} for it.`;
  return `Reason "${code}".`;
}
