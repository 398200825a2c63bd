// Columns describing the product itself and the deal's times, read straight from Keepa
// (docs/analytics.md, "Columns read from the product"). Values are typed here, at the source.
import { keepaMinutesToIso } from '../../keepa/time.js';
import type { KeepaDeal, KeepaProduct } from '../../keepa/types.js';
import { CsvType } from '../../keepa/types.js';
import type { Put } from './types.js';

function text(v: string | null | undefined): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function positive(v: number | null | undefined): number | null {
  return typeof v === 'number' && v > 0 ? v : null;
}

/**
 * A Keepa time as a date to store. Negative minutes are real dates before 2011 (a book listed in
 * 2009); 0 and -1 are Keepa's "unknown"; a time after `nowMinute` (the fetch) is no date at all.
 */
function keepaDate(minutes: number | null | undefined, nowMinute: number): string | null {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes === 0 || minutes === -1 || minutes > nowMinute) return null;
  return keepaMinutesToIso(minutes);
}

/** `mass_market` -> `Mass Market`. */
export function bindingName(binding: string | null | undefined): string | null {
  const b = text(binding);
  if (b === null) return null;
  return b
    .replace(/_/g, ' ')
    .toLowerCase()
    .replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

/** Keepa's YYYYMMDD, YYYYMM or YYYY number as an ISO date of the same precision. */
export function keepaCalendarDate(v: number | null | undefined): string | null {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return null;
  const s = String(v);
  const month = Number(s.slice(4, 6));
  if (s.length === 4) return s;
  if ((s.length === 6 || s.length === 8) && month >= 1 && month <= 12) {
    if (s.length === 6) return `${s.slice(0, 4)}-${s.slice(4, 6)}`;
    const day = Number(s.slice(6, 8));
    if (day >= 1 && day <= 31) return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  }
  return null;
}

function joined(parts: Array<string | null>, sep: string): string | null {
  const kept = parts.filter((p): p is string => p !== null);
  return kept.length > 0 ? kept.join(sep) : null;
}

/** `nowMinute` is the time of the fetch, in Keepa minutes. */
export function putProductColumns(product: KeepaProduct, put: Put, nowMinute: number): void {
  const asin = product.asin;
  put('ASIN', asin);
  put('AMZ_link', `https://www.amazon.com/dp/${asin}`);
  put('Keepa_Link', `https://keepa.com/#!product/1-${asin}`);
  put('Title', text(product.title));

  const tree = (product.categoryTree ?? []).map((c) => text(c?.name));
  put('Categories_Root', tree[0] ?? null);
  put('Categories_Sub', tree.length > 1 ? (tree[tree.length - 1] ?? null) : null);
  put('Categories_Tree', joined(tree, ' > '));

  put('Freq_Bought_Together', joined((product.frequentlyBoughtTogether ?? []).map(text), ', '));
  put('Type', text(product.type));
  put('Manufacturer', text(product.manufacturer));
  put('Brand', text(product.brand));
  put('Product_Group', text(product.productGroup));
  const own = (product.variations ?? []).find((v) => v?.asin === asin);
  put(
    'Variation_Attributes',
    joined(
      (own?.attributes ?? []).map((a) => (a ? text(`${a.dimension}: ${a.value}`) : null)),
      ', ',
    ),
  );
  put('Item_Type', text(product.itemTypeKeyword));
  put('Author', text(product.author));
  // Keepa gives [name, role] pairs.
  put(
    'Contributors',
    joined(
      (product.contributors ?? []).map((c) => (c?.[0] ? `${c[0]}${c[1] ? ` (${c[1]})` : ''}` : null)),
      ', ',
    ),
  );
  put('Binding', bindingName(product.binding));
  put('Number_of_Items', positive(product.numberOfItems));
  put('Number_of_Pages', positive(product.numberOfPages));
  put('Publication_Date', keepaCalendarDate(product.publicationDate));
  put('Release_Date', keepaCalendarDate(product.releaseDate));
  // Keepa gives [name, kind] pairs (Published, Original Language...); the names are what a reader wants.
  put('Languages', joined([...new Set((product.languages ?? []).map((l) => text(l?.[0])))], ', '));
  put('Package_Quantity', positive(product.packageQuantity));
  // Keepa's units, grams and millimetres, kept whole for the INTEGER columns.
  put('Package_Weight', positive(product.packageWeight));
  put('Package_Height', positive(product.packageHeight));
  put('Package_Length', positive(product.packageLength));
  put('Package_Width', positive(product.packageWidth));
  put('Edition', text(product.edition));
  put('Format', text(product.format));
  put('Listed_since', keepaDate(product.listedSince, nowMinute));
  put('Tracking_since', keepaDate(product.trackingSince, nowMinute));
  put('Sales_Rank_Reference', positive(product.salesRankReference));
}

const USED_INDICES = [CsvType.USED, CsvType.USED_LIKE_NEW_SHIPPING, CsvType.USED_VERY_GOOD_SHIPPING, CsvType.USED_GOOD_SHIPPING, CsvType.USED_ACCEPTABLE_SHIPPING];

/** Latest of the deal's, the product's and the offers' update times; undefined when none is known. */
export function lastUpdate(product: KeepaProduct, deal: KeepaDeal | null | undefined): string | undefined {
  let latest = Math.max(deal?.lastUpdate ?? 0, product.lastUpdate ?? 0);
  for (const offer of product.offers ?? []) latest = Math.max(latest, offer?.lastSeen ?? 0);
  return latest > 0 ? keepaMinutesToIso(latest) : undefined;
}

/**
 * `Deal found` and `last price change` come from the deal only; without one (a re-analysis) they
 * are left as stored.
 */
export function putDealColumns(deal: KeepaDeal | null | undefined, put: Put, nowMinute: number): void {
  if (!deal) return;
  put('Deal_found', keepaDate(deal.creationDate, nowMinute));
  let changed = 0;
  for (const i of USED_INDICES) changed = Math.max(changed, deal.currentSince?.[i] ?? 0);
  put('last_price_change', keepaDate(changed, nowMinute));
}
