// The product details the full analysis reads as lists, beyond what the parser already checks
// (keepa/parse.ts: csv, stats, offers). One that is not a list is data the analysis cannot read:
// a `bad_data` verdict, found before reading, so that an exception inside the analysis is always
// a programming error and never turned into a verdict on the data.
import type { KeepaProduct } from '../../keepa/types.js';

const LISTS = ['categoryTree', 'frequentlyBoughtTogether', 'variations', 'contributors', 'languages'] as const;

function isList(v: unknown): boolean {
  return v === undefined || v === null || Array.isArray(v);
}

/** The first detail the analysis cannot read as a list, or null. */
export function productShapeProblem(product: KeepaProduct): string | null {
  if (typeof product.asin !== 'string' || product.asin === '') return 'no asin';
  for (const key of LISTS) if (!isList(product[key])) return `${key} is not a list`;
  const own = Array.isArray(product.variations) ? product.variations.find((v: unknown) => typeof v === 'object' && v !== null && (v as { asin?: unknown }).asin === product.asin) : undefined;
  if (own !== undefined && !isList(own.attributes)) return `the variation of ${product.asin} has attributes that are not a list`;
  return null;
}
