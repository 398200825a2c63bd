// Shapes of Keepa's JSON answers, limited to the fields keepa-deals reads.
// Field names follow Keepa's documentation and its Java client (Product, Stats, Offer, Deal).
// Every field that Keepa may omit is optional; -1 in a number means "no data".

/** Token figures that Keepa puts in every JSON answer, error bodies included. */
export interface TokenFields {
  timestamp: number;
  tokensLeft: number;
  refillIn: number;
  refillRate: number;
  tokenFlowReduction: number;
  tokensConsumed: number;
  processingTimeInMs: number;
}

/** A flat history `[t0, v0, t1, v1, ...]` (or triples for the "with shipping" types), or null. */
export type CsvHistory = number[] | null;

export interface KeepaStats {
  current: (number | null)[];
  avg?: (number | null)[];
  avg30?: (number | null)[];
  avg90?: (number | null)[];
  avg180?: (number | null)[];
  avg365?: (number | null)[];
  /** `[keepaTime, value]` or null per csv index. */
  min?: ([number, number] | null)[];
  max?: ([number, number] | null)[];
  minInInterval?: ([number, number] | null)[];
  maxInInterval?: ([number, number] | null)[];
  outOfStockPercentage90?: (number | null)[];
  salesRankDrops30?: number;
  salesRankDrops90?: number;
  salesRankDrops180?: number;
  salesRankDrops365?: number;
  totalOfferCount?: number;
  offerCountFBA?: number;
  offerCountFBM?: number;
  buyBoxPrice?: number;
  buyBoxShipping?: number;
  buyBoxUsedPrice?: number;
  buyBoxUsedShipping?: number;
}

export interface KeepaOffer {
  offerId?: number;
  sellerId: string;
  /** 1 new, 2 used like new, 3 very good, 4 good, 5 acceptable, 6 refurbished, 7-10 collectible. */
  condition: number;
  isFBA: boolean;
  isAmazon?: boolean;
  isPrime?: boolean;
  isShippable?: boolean;
  lastSeen?: number;
  /** `[t, price, shipping, t, price, shipping, ...]`; shipping -1 = unknown. */
  offerCSV: number[];
}

export interface KeepaCategoryNode {
  catId: number;
  name: string;
}

export interface KeepaProduct {
  asin: string;
  domainId?: number;
  /** 0 standard ... 4 invalid: Keepa has no product for the ASIN. */
  productType?: number;
  title?: string | null;
  /** Indexed by csv type; see docs/keepa.md. */
  csv?: CsvHistory[] | null;
  stats?: KeepaStats | null;
  offers?: KeepaOffer[] | null;
  liveOffersOrder?: number[] | null;
  /** false: Keepa could not retrieve or refresh the offers, so those it sends are stale. */
  offersSuccessful?: boolean;
  categoryTree?: KeepaCategoryNode[] | null;
  rootCategory?: number;
  categories?: number[] | null;
  author?: string | null;
  binding?: string | null;
  manufacturer?: string | null;
  brand?: string | null;
  productGroup?: string | null;
  type?: string | null;
  partNumber?: string | null;
  format?: string | null;
  edition?: string | null;
  languages?: string[][] | null;
  contributors?: string[][] | null;
  numberOfItems?: number;
  numberOfPages?: number;
  /** YYYYMMDD, YYYYMM or YYYY as a number; -1 when unknown. */
  publicationDate?: number;
  releaseDate?: number;
  packageHeight?: number;
  packageLength?: number;
  packageWidth?: number;
  packageWeight?: number;
  packageQuantity?: number;
  /** Keepa minutes. */
  trackingSince?: number;
  listedSince?: number;
  lastUpdate?: number;
  lastPriceChange?: number;
  lastRatingUpdate?: number;
  fbaFees?: { pickAndPackFee?: number | null } | null;
  referralFeePercentage?: number | null;
  frequentlyBoughtTogether?: string[] | null;
  /** Amazon's item type keyword, such as `textbooks`. */
  itemTypeKeyword?: string | null;
  /** The variation family; the entry whose asin is this product names its attributes. */
  variations?: { asin: string; attributes?: { dimension: string; value: string }[] | null }[] | null;
  salesRankReference?: number;
}

export interface KeepaSeller {
  sellerId: string;
  sellerName?: string | null;
  /** Positive ratings in percent (0-100), -1 when unknown. */
  currentRating?: number;
  currentRatingCount?: number;
  ratingCount?: number;
}

export interface KeepaDeal {
  asin: string;
  title?: string | null;
  /** Keepa minutes. */
  creationDate: number;
  lastUpdate: number;
  /** csv-indexed current values. */
  current: number[];
  /** First index: dateRange interval (day, week, month, 90 days); second: csv type. */
  avg?: number[][];
  delta?: number[][];
  deltaPercent?: number[][];
  currentSince?: number[];
  /** Keepa's sales-rank drop counts, as in a product's stats (-1: not known). */
  salesRankDrops30?: number;
  salesRankDrops90?: number;
  salesRankDrops180?: number;
  salesRankDrops365?: number;
  rootCat?: number;
  categories?: number[];
  image?: number[] | string | null;
}

export interface DealPage {
  dr: KeepaDeal[];
  categoryIds?: number[];
  categoryNames?: string[];
  categoryCount?: number[];
}

export interface ProductResponse extends TokenFields {
  products: KeepaProduct[];
}

export interface DealResponse extends TokenFields {
  deals: DealPage;
}

export interface SellerResponse extends TokenFields {
  sellers: Record<string, KeepaSeller>;
}

/** csv type indices used by keepa-deals (docs/keepa.md). */
export const CsvType = {
  AMAZON: 0,
  NEW: 1,
  USED: 2,
  SALES_RANK: 3,
  LIST_PRICE: 4,
  NEW_FBM_SHIPPING: 7,
  NEW_FBA: 10,
  COUNT_NEW: 11,
  COUNT_USED: 12,
  RATING: 16,
  COUNT_REVIEWS: 17,
  BUY_BOX_SHIPPING: 18,
  USED_LIKE_NEW_SHIPPING: 19,
  USED_VERY_GOOD_SHIPPING: 20,
  USED_GOOD_SHIPPING: 21,
  USED_ACCEPTABLE_SHIPPING: 22,
  BUY_BOX_USED_SHIPPING: 32,
} as const;

/** The "with shipping" csv types whose histories are triples `[t, price, shipping]` (18-27, the eBay 28-29, 32 and 7; docs/keepa.md). */
export const TRIPLE_CSV_TYPES: ReadonlySet<number> = new Set([7, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 32]);
