// Deal analytics: pure functions from a Keepa product (plus deal, seller, settings and "now")
// to a deals row keyed by database column names and a rejection reason. No I/O, no clock.
export { analyzeProduct, type AnalyzeInput } from './analyze.js';
export { lightUpdate, type LightUpdateInput } from './lightUpdate.js';
export { sellerQualityScore, winningOfferSellerId } from './offers.js';
export { peekProduct } from './peekVerdict.js';
export { isVisible, VISIBILITY_COLUMNS, visibleSql } from './visible.js';
export { keepaDrops, salesPerYear, sellsOftenEnough } from './velocity.js';
export type { AnalysisResult, DealRow, PeekResult, RejectReason } from './types.js';
