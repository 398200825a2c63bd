// Everything the simulator assumes about Keepa that no source we could read states outright.
// Each constant is marked "unverified" with what we believe and why; correct it here and the
// simulator follows. Facts that are documented (docs/keepa.md, Keepa's Java client) live where
// they are used and are not repeated here.

/** Tokens charged per `/deal` page. Unverified: the old system observed 5; Keepa's docs name no figure. */
export const DEAL_PAGE_COST = 5;

/**
 * `offers=N` is charged 6 tokens per page of up to 10 offers, per product, instead of the 1 per
 * product. Unverified: which offers count. We count the live offers actually returned, with at
 * least one page, so a product with 0 to 10 live offers costs 6, 11 to 20 costs 12, and so on.
 */
export const OFFER_PAGE_COST = 6;
export const OFFERS_PER_PAGE = 10;

/** Accepted range of `offers`. Unverified: outside it the simulator answers 400. */
export const MIN_OFFERS_PARAM = 20;
export const MAX_OFFERS_PARAM = 100;

/**
 * Body of a 429: the token fields only (tokensConsumed 0), no `error` object. Unverified: Keepa's
 * Java client reads a 429 body as a normal Response and only looks at its token fields.
 */
export const RATE_LIMIT_BODY_HAS_ERROR = false;

/**
 * A wrong key is answered 400 with zeroed token fields and an `error` object. Unverified: with no
 * valid key Keepa cannot know the account, so zeros are the best guess for the token figures.
 */
export const INVALID_KEY_STATUS = 400;

/**
 * `deltaPercentRange` applies to the size of the drop and `delta` / `deltaPercent` are positive
 * for a price drop (average minus current). Unverified: Deal.java calls delta "the absolute
 * difference between the current value and the average", and the documented filter minimum of
 * 10 only makes sense for drops counted positive.
 */
export const DROP_IS_POSITIVE = true;

/**
 * `dateRange` outside 0-3 (the old system sent 4) is served as 3 (90 days). Unverified: Keepa
 * answered the old query with deals, so it did not reject it; which interval it used is unknown.
 */
export const FALLBACK_DATE_RANGE = 3;

/**
 * Range filters (`currentRange`, `deltaRange`, `deltaPercentRange`, `salesRankRange`) apply only
 * when `isRangeEnabled` is `true`, and `minRating`, `hasReviews`, `mustHaveAmazonOffer`,
 * `mustNotHaveAmazonOffer` only when `isFilterEnabled` is `true`. Unverified: DealRequest.java
 * describes them as "switch to enable the range/filter options".
 */
export const RANGES_NEED_SWITCH = true;

/**
 * A missing `domainId` (or one sent as a string, which Keepa ignores) is served as 1 (amazon.com).
 * Unverified: the old system sent `"domainId": "1"` and still got US deals.
 */
export const DEFAULT_DOMAIN_ID = 1;

/**
 * A selection without a usable `priceTypes` is refused with 400. Unverified: Keepa may instead
 * fall back to type 0 (Amazon) and return an empty list.
 */
export const PRICE_TYPES_REQUIRED = true;

/** `sortType` 0, missing or unknown is served as 1 (newest deals first). Unverified. */
export const DEFAULT_SORT_TYPE = 1;

/**
 * `days=N` keeps the points of the last N days plus the last point before them, so the value at
 * the start of the window is known. Unverified: Keepa may cut exactly at the window start.
 */
export const DAYS_KEEPS_POINT_BEFORE = true;

/**
 * Unknown ASINs come back as a stub product (`title` null, `csv` null) and are not charged.
 * Unverified: Keepa documents "1 per product found" but not the shape of a product not found.
 * A repeated ASIN in one request is answered (and charged) once.
 */
export const UNKNOWN_ASIN_STUB = true;

/**
 * Stats of the "with shipping" types (18-27, 32) are landed prices (price + shipping).
 * Unverified: it is how Keepa's site shows them.
 */
export const SHIPPING_TYPES_STATS_ARE_LANDED = true;

/**
 * `avg` of a deal's day interval covers the last 48 hours (Deal.java says so); week, month and
 * 90 days cover 7, 31 and 90 days. Documented, kept here beside the deal-list retention it drives:
 * a deal stays listed while its cheap offer is live and its age is within the dateRange interval.
 * The retention rule is ours (unverified): Keepa does not document how long a deal stays listed.
 */
export const DEAL_INTERVAL_DAYS = [2, 7, 31, 90] as const;
export const DATE_RANGE_WINDOW_DAYS = [1, 7, 31, 90] as const;

/** Seconds a deal query's answer is cached (documented: 120 s); same query and page, same answer. */
export const DEAL_CACHE_MS = 120_000;
export const DEAL_PAGE_SIZE = 150;

/**
 * `salesRankDrops*` count rank falls of more than 10% between consecutive points. Unverified:
 * Keepa does not say what it counts, but on 14 of 16 real books counting those falls gives its
 * figure within 25%, while counting every decrease gives many times more (the rank wobbles).
 */
export const RANK_DROP_SHARE = 0.1;

/** Keepa's seller id for Amazon itself (documented in Keepa's seller examples). */
export const AMAZON_SELLER_ID = 'ATVPDKIKX0DER';
