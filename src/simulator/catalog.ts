// The simulated catalog: N books derived from a seed, each with an archetype that decides how
// its market behaves (market.ts) and what the right answer about it is (ground truth).
// Books are generated on first use from seed + index, so a catalog of thousands costs nothing
// until it is read, and the same seed gives the same books in any order of access.

import { hashSeed, Random } from './random.js';
import { FIRST_NAMES, LAST_NAMES, NONFICTION_TOPICS, type Subcategory, TEXTBOOK_PUBLISHERS, TEXTBOOK_SUBJECTS, TEXTBOOK_TOPICS, TEXTBOOKS, TITLE_ADJECTIVES, TITLE_NOUNS, TRADE_CATEGORIES, TRADE_PUBLISHERS } from './words.js';

/**
 * dead: no sales at all, rank only decays. loser: sells, but too cheaply (or its deals are too
 * shallow) to leave a profit after fees. opportunity: sells regularly at a good price and its
 * deals bring a used offer far below that price.
 */
export type Archetype = 'dead' | 'loser' | 'opportunity';

export interface GroundTruth {
  asin: string;
  archetype: Archetype;
  isOpportunity: boolean;
  /** Textbook demand: sales peak in Aug-Sep and January. */
  seasonal: boolean;
  /** Cents: the price used copies sell at (for dead inventory, the price they are listed at). */
  typicalPrice: number;
  salesPerMonth: number;
}

export interface Book {
  index: number;
  asin: string;
  archetype: Archetype;
  seasonal: boolean;
  title: string;
  author: string;
  publisher: string;
  binding: string;
  category: Subcategory;
  edition: string | null;
  numberOfPages: number;
  publicationDate: number;
  typicalPrice: number;
  salesPerDay: number;
  /** Rank right after a sale (sellers) or at the start of tracking (dead inventory). */
  saleRank: number;
  /** Days for the rank to double without a sale. */
  rankGrowthDays: number;
  usedOffersTarget: number;
  newOffersTarget: number;
  newPriceFactor: number;
  listPrice: number;
  /** Cents while Amazon sells the book new; -1 when Amazon never does. */
  amazonPrice: number;
  trackingSinceMs: number;
  listedSinceMs: number;
  pickAndPackFee: number | null;
  referralFeePercentage: number | null;
  packageHeight: number;
  packageLength: number;
  packageWidth: number;
  packageWeight: number;
  /** 0-50 (45 = 4.5 stars). */
  rating: number;
  reviewCount: number;
  /** Deal offers are listed at typicalPrice x a factor drawn from this range. */
  dealPriceFactor: readonly [number, number];
  /** Keepa tracks its eBay prices (csv 28, 29). */
  ebay: boolean;
  /** Length of its csv and stats arrays: 34 (older answers) or 36 (newer). */
  csvLength: 34 | 36;
}

/** Low enough that a sale's rank improvement (a third at least) is never cut short by it. */
export const RANK_FLOOR = 1_000;
export const RANK_CAP = 6_000_000;
const DAY_MS = 86_400_000;

export interface CatalogOptions {
  seed: number;
  size: number;
  /** The simulation's start; histories reach about three years back from it. */
  startMs: number;
}

/** Rounds cents to a "$x.99" price, which is how sellers price and what makes prices repeat. */
export function shelfPrice(cents: number): number {
  return Math.max(99, Math.round(cents / 100) * 100 - 1);
}

export class Catalog {
  readonly seed: number;
  readonly size: number;
  readonly startMs: number;
  private readonly asinList: string[];
  private readonly indexByAsin = new Map<string, number>();
  private readonly books: (Book | undefined)[];

  constructor(options: CatalogOptions) {
    if (!Number.isInteger(options.size) || options.size < 1 || options.size > 10_000_000) {
      throw new RangeError(`catalogSize must be an integer from 1 to 10,000,000 (got ${options.size})`);
    }
    this.seed = options.seed;
    this.size = options.size;
    this.startMs = options.startMs;
    this.asinList = Array.from({ length: options.size }, (_, i) => makeAsin(options.seed, i));
    this.asinList.forEach((asin, i) => {
      this.indexByAsin.set(asin, i);
    });
    this.books = new Array<Book | undefined>(options.size);
  }

  asins(): readonly string[] {
    return this.asinList;
  }

  indexOf(asin: string): number | undefined {
    return this.indexByAsin.get(asin);
  }

  book(index: number): Book {
    const cached = this.books[index];
    if (cached) return cached;
    const asin = this.asinList[index];
    if (asin === undefined) throw new RangeError(`No book at index ${index} in a catalog of ${this.size}`);
    const book = makeBook(this.seed, index, asin, this.startMs);
    this.books[index] = book;
    return book;
  }

  bookByAsin(asin: string): Book | undefined {
    const index = this.indexOf(asin);
    return index === undefined ? undefined : this.book(index);
  }

  groundTruth(asin: string): GroundTruth | undefined {
    const book = this.bookByAsin(asin);
    if (!book) return undefined;
    return {
      asin,
      archetype: book.archetype,
      isOpportunity: book.archetype === 'opportunity',
      seasonal: book.seasonal,
      typicalPrice: book.typicalPrice,
      salesPerMonth: Math.round(book.salesPerDay * 30 * 100) / 100,
    };
  }
}

// ISBN-10 ASINs for most books and "B0..." for some; both derived from the index through a
// bijection, so ASINs are unique without a lookup table.
function makeAsin(seed: number, index: number): string {
  const kind = new Random(hashSeed(seed, index, 'asin-kind'));
  const offset = hashSeed(seed, 'asin-offset');
  if (kind.chance(0.1)) {
    const space = 36 ** 8;
    const n = (index * 1_000_003 + offset) % space;
    return `B0${n.toString(36).toUpperCase().padStart(8, '0')}`;
  }
  const body = `${kind.pick(['0', '1'])}${String((index * 7_919 + offset) % 100_000_000).padStart(8, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return body + (check === 10 ? 'X' : String(check));
}

function logUniform(rng: Random, min: number, max: number): number {
  return Math.exp(rng.range(Math.log(min), Math.log(max)));
}

function makeBook(seed: number, index: number, asin: string, startMs: number): Book {
  const rng = new Random(hashSeed(seed, index, 'book'));
  const archetype = rng.weighted<Archetype>([
    ['dead', 0.4],
    ['loser', 0.45],
    ['opportunity', 0.15],
  ]);
  const seasonal = rng.chance(archetype === 'opportunity' ? 0.4 : archetype === 'loser' ? 0.3 : 0.2);

  let typicalPrice: number;
  let salesPerMonth = 0;
  let saleRank: number;
  let usedOffersTarget: number;
  let dealPriceFactor: readonly [number, number];
  if (archetype === 'opportunity') {
    typicalPrice = shelfPrice(rng.range(5_500, 7_500));
    salesPerMonth = rng.range(2, 8);
    saleRank = logUniform(rng, 10_000, 150_000);
    usedOffersTarget = rng.int(3, 10);
    // Deep enough to profit after fees, shallow enough that "List at" stays under 3x the price.
    dealPriceFactor = [0.38, 0.46];
  } else if (archetype === 'loser') {
    const cheap = rng.chance(0.55);
    typicalPrice = shelfPrice(cheap ? rng.range(600, 1_800) : rng.range(2_200, 4_000));
    salesPerMonth = rng.range(1, 6);
    saleRank = logUniform(rng, 20_000, 600_000);
    usedOffersTarget = rng.int(2, 12);
    dealPriceFactor = cheap ? [0.7, 0.88] : [0.7, 0.85];
  } else {
    typicalPrice = shelfPrice(rng.range(1_500, 6_000));
    saleRank = logUniform(rng, 400_000, 2_500_000);
    usedOffersTarget = rng.int(1, 10);
    dealPriceFactor = [0.4, 0.8];
  }
  const salesPerDay = salesPerMonth / 30;
  const rankGrowthDays = archetype === 'dead' ? rng.range(365, 1_500) : (30 / salesPerMonth) * rng.range(0.7, 1.5);

  const trackingSinceMs = startMs - (rng.chance(0.8) ? rng.range(1_100, 1_300) : rng.range(120, 1_100)) * DAY_MS;
  const listedSinceMs = trackingSinceMs - rng.range(0, 2_000) * DAY_MS;
  const published = new Date(listedSinceMs - rng.range(0, 60) * DAY_MS);
  const publicationDate = published.getUTCFullYear() * 10_000 + (published.getUTCMonth() + 1) * 100 + published.getUTCDate();

  const author = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  let title: string;
  let publisher: string;
  let category: Subcategory;
  let edition: string | null = null;
  let binding: string;
  if (seasonal) {
    const ed = rng.int(2, 14);
    edition = `${ed}${ed === 2 ? 'nd' : ed === 3 ? 'rd' : 'th'}`;
    title = `${rng.pick(TEXTBOOK_TOPICS)} (${edition} Edition)`;
    publisher = rng.pick(TEXTBOOK_PUBLISHERS);
    category = rng.chance(0.5) ? TEXTBOOKS : rng.pick(TEXTBOOK_SUBJECTS);
    binding = rng.weighted([
      ['Hardcover', 0.5],
      ['Paperback', 0.3],
      ['loose_leaf', 0.2],
    ]);
  } else {
    title = rng.chance(0.55) ? `The ${rng.pick(TITLE_ADJECTIVES)} ${rng.pick(TITLE_NOUNS)}` : rng.pick([`The Art of ${rng.pick(NONFICTION_TOPICS)}`, `${rng.pick(NONFICTION_TOPICS)} for Beginners`, `A Practical Guide to ${rng.pick(NONFICTION_TOPICS)}`]);
    publisher = rng.pick(TRADE_PUBLISHERS);
    category = rng.pick(TRADE_CATEGORIES);
    binding = rng.weighted([
      ['Paperback', 0.6],
      ['Hardcover', 0.25],
      ['mass_market', 0.15],
    ]);
  }

  const listPrice = shelfPrice(typicalPrice * rng.range(1.8, 3.5));
  return {
    index,
    asin,
    archetype,
    seasonal,
    title,
    author,
    publisher,
    binding,
    category,
    edition,
    numberOfPages: seasonal ? rng.int(400, 1_400) : rng.int(120, 700),
    publicationDate,
    typicalPrice,
    salesPerDay,
    saleRank: Math.round(saleRank),
    rankGrowthDays,
    usedOffersTarget,
    newOffersTarget: rng.int(0, 4),
    newPriceFactor: rng.range(1.2, 1.9),
    listPrice,
    // Amazon, when it sells, sells well above used copies, so the ceiling rule rarely bites.
    amazonPrice: rng.chance(0.2) ? shelfPrice(listPrice * rng.range(0.75, 0.95)) : -1,
    trackingSinceMs: Math.floor(trackingSinceMs),
    listedSinceMs: Math.floor(listedSinceMs),
    pickAndPackFee: rng.chance(0.9) ? rng.int(306, 560) : null,
    referralFeePercentage: rng.chance(0.95) ? 15 : null,
    packageHeight: seasonal ? rng.int(20, 50) : rng.int(12, 40),
    packageLength: seasonal ? rng.int(250, 290) : rng.int(180, 240),
    packageWidth: seasonal ? rng.int(200, 230) : rng.int(110, 160),
    packageWeight: seasonal ? rng.int(900, 2_200) : rng.int(150, 800),
    rating: rng.int(30, 50),
    reviewCount: Math.floor(logUniform(rng, 1, 3_000)),
    dealPriceFactor,
    ebay: rng.chance(0.3),
    csvLength: rng.chance(0.7) ? 34 : 36,
  };
}
