// Deal analytics: pure functions from a Keepa product (plus deal, seller, settings and "now")
// to a deals row keyed by database column names and a rejection reason. No I/O, no clock.
export { type AnalyzeInput, analyzeProduct } from './analyze.js';
export { type LightUpdateInput, lightUpdate } from './lightUpdate.js';
export { sellerQualityScore, winningOfferSellerId } from './offers.js';
export { peekDeal, peekProduct } from './peekVerdict.js';
export { sellerColumns } from './row.js';
export type { AnalysisResult, DealRow, PeekResult, RejectReason } from './types.js';
export { keepaDrops, salesPerYear, sellsOftenEnough } from './velocity.js';
export { isVisible, VISIBILITY_COLUMNS, visibleSql } from './visible.js';
