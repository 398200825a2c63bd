// What a deal's page needs beyond its columns to explain them, taken from the analysis that made
// the row: the inferred sales (when, which month, what price), the used price and sales rank
// history for the chart, the live offers seen at that fetch and the cost settings then in force.
// Kept as one compact JSON per deal (deal_evidence), written in the same commit as the row.
import { keepaMinutesToMs, msToKeepaMinutes } from '../keepa/time.js';
import { CsvType, type KeepaProduct } from '../keepa/types.js';
import type { BusinessSettings } from '../settings.js';
import { firstAfter, type History, history, MINUTES_PER_DAY, timeAt, valueAt } from './analytics/history.js';
import type { AnalysisResult } from './analytics/index.js';
import type { SaleCondition } from './analytics/types.js';

export const EVIDENCE_VERSION = 1;
/** Points per chart series: enough for a chart a page wide, small enough to keep for every deal. */
const SERIES_BUCKETS = 120;
const CHART_WINDOW_MINUTES = 3 * 365 * MINUTES_PER_DAY;
const YEAR_MS = 365 * 86_400_000;

const CONDITIONS: Readonly<Record<number, string>> = {
  1: 'New',
  2: 'Used - Like New',
  3: 'Used - Very Good',
  4: 'Used - Good',
  5: 'Used - Acceptable',
  6: 'Refurbished',
  7: 'Collectible - Like New',
  8: 'Collectible - Very Good',
  9: 'Collectible - Good',
  10: 'Collectible - Acceptable',
};

export interface EvidenceSale {
  atMs: number;
  /**
   * The price List at and 1yr. Avg. counted; null when no offer drop was paired with the rank fall
   * (price unknown) or the price was left out as an outlier.
   */
  priceCents: number | null;
  /** UTC calendar month, 0 = Jan. */
  month: number;
  condition: SaleCondition | null;
}

/** A sale whose price is known: the ones List at and 1yr. Avg. are computed from. */
export function isPriced(s: EvidenceSale): s is EvidenceSale & { priceCents: number } {
  return s.priceCents !== null;
}

export interface EvidenceOffer {
  sellerId: string;
  condition: string;
  priceCents: number;
  /** null: Keepa did not know the shipping charge. */
  shippingCents: number | null;
  fba: boolean;
}

export interface DealEvidence {
  version: number;
  analyzedAtMs: number;
  sales: EvidenceSale[];
  /** `[epoch ms, value]` pairs, oldest first; value -1 where there was no offer or rank. */
  usedPrice: Array<[number, number]>;
  salesRank: Array<[number, number]>;
  offers: EvidenceOffer[];
  /** When the offers were fetched: the analysis, or a later refresh. */
  offersAtMs: number;
  /** The settings All-in Cost was computed with. */
  costs: Pick<BusinessSettings, 'prepFee' | 'estimatedShipping' | 'taxPercent' | 'taxExempt' | 'markupPercent'>;
}

/**
 * The one place that reads the sales out of an analysis result, so that a change to the sale's
 * shape in the analytics touches only this function.
 */
export function salesOf(result: AnalysisResult): EvidenceSale[] {
  const counted = new Set(result.priced.map((s) => s.t));
  return result.sales.map((s) => ({ atMs: keepaMinutesToMs(s.t), priceCents: counted.has(s.t) ? s.priceCents : null, month: s.month, condition: s.condition }));
}

/** Inferred sales in the year before `nowMs`: the desk's "sales per year". */
export function salesInYear(sales: readonly EvidenceSale[], nowMs: number): number {
  return sales.filter((s) => s.atMs > nowMs - YEAR_MS && s.atMs <= nowMs).length;
}

/**
 * The last value of each of SERIES_BUCKETS equal spans of the window (a span without a point adds
 * none: the chart steps on), after the value in force at the window's start. Each span's end is
 * found by binary search, so a rank history of tens of thousands of points costs a few hundred reads.
 */
function bucketed(h: History, fromMinute: number, toMinute: number): Array<[number, number]> {
  const span = (toMinute - fromMinute) / SERIES_BUCKETS;
  const out: Array<[number, number]> = [];
  let next = firstAfter(h, fromMinute);
  if (next > 0) out.push([keepaMinutesToMs(fromMinute), valueAt(h, next - 1)]);
  for (let b = 1; b <= SERIES_BUCKETS; b++) {
    const end = firstAfter(h, fromMinute + span * b);
    if (end > next) {
      const t = timeAt(h, end - 1);
      // Keepa sometimes sends a null time; its point holds no data.
      if (Number.isFinite(t)) out.push([keepaMinutesToMs(t), valueAt(h, end - 1)]);
      next = end;
    }
  }
  return out;
}

/** The live offers of a fetch, cheapest (price + known shipping) first. */
export function offersOf(product: KeepaProduct): EvidenceOffer[] {
  const offers = Array.isArray(product.offers) ? product.offers : [];
  const order = Array.isArray(product.liveOffersOrder) ? product.liveOffersOrder : offers.map((_, i) => i);
  const out: EvidenceOffer[] = [];
  for (const i of order) {
    const o = offers[i];
    const csv = o?.offerCSV;
    if (!o || !Array.isArray(csv) || csv.length < 3) continue;
    const last = csv.length - (csv.length % 3) - 3;
    const price = csv[last + 1];
    const shipping = csv[last + 2];
    if (typeof price !== 'number' || price <= 0) continue;
    out.push({
      sellerId: String(o.sellerId),
      condition: CONDITIONS[o.condition] ?? `condition ${o.condition}`,
      priceCents: price,
      shippingCents: typeof shipping === 'number' && shipping >= 0 ? shipping : null,
      fba: o.isFBA === true,
    });
  }
  return out.sort((a, b) => a.priceCents + (a.shippingCents ?? 0) - (b.priceCents + (b.shippingCents ?? 0)));
}

export function buildEvidence(product: KeepaProduct, result: AnalysisResult, settings: BusinessSettings, nowMs: number): DealEvidence {
  const nowMinute = msToKeepaMinutes(nowMs);
  const from = nowMinute - CHART_WINDOW_MINUTES;
  return {
    version: EVIDENCE_VERSION,
    analyzedAtMs: nowMs,
    sales: salesOf(result),
    usedPrice: bucketed(history(product, CsvType.USED), from, nowMinute),
    salesRank: bucketed(history(product, CsvType.SALES_RANK), from, nowMinute),
    offers: offersOf(product),
    offersAtMs: nowMs,
    costs: {
      prepFee: settings.prepFee,
      estimatedShipping: settings.estimatedShipping,
      taxPercent: settings.taxPercent,
      taxExempt: settings.taxExempt,
      markupPercent: settings.markupPercent,
    },
  };
}

/**
 * The stored form: times in Keepa minutes and series as flat [t, v, t, v...] lists, which halves
 * the JSON (a fast seller has hundreds of sales); `DealEvidence` is what the rest of the code reads.
 */
interface StoredForm {
  v: number;
  at: number;
  sales: number[];
  used: number[];
  rank: number[];
  offers: EvidenceOffer[];
  offersAt: number;
  costs: DealEvidence['costs'];
}

/** A sale is stored as four numbers: Keepa minute, price in cents (-1: unknown), month, condition (an index here). */
const CONDITION_CODES: ReadonlyArray<SaleCondition | null> = [null, 'Used', 'New'];

const flat = (points: ReadonlyArray<[number, number]>): number[] => points.flatMap(([t, v]) => [msToKeepaMinutes(t), v]);

function pairs(list: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push([keepaMinutesToMs(list[i] ?? 0), list[i + 1] ?? -1]);
  return out;
}

export function encodeEvidence(e: DealEvidence): string {
  const stored: StoredForm = {
    v: e.version,
    at: e.analyzedAtMs,
    sales: e.sales.flatMap((s) => [msToKeepaMinutes(s.atMs), s.priceCents ?? -1, s.month, CONDITION_CODES.indexOf(s.condition)]),
    used: flat(e.usedPrice),
    rank: flat(e.salesRank),
    offers: e.offers,
    offersAt: e.offersAtMs,
    costs: e.costs,
  };
  return JSON.stringify(stored);
}

/** Reads stored evidence; null for a version this release does not know or a damaged value. */
export function parseEvidence(json: string): DealEvidence | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Partial<StoredForm>;
  if (s.v !== EVIDENCE_VERSION || !Array.isArray(s.sales) || !Array.isArray(s.used) || !Array.isArray(s.rank) || !Array.isArray(s.offers) || typeof s.costs !== 'object') return null;
  const sales: EvidenceSale[] = [];
  for (let i = 0; i + 3 < s.sales.length; i += 4) {
    const price = s.sales[i + 1] ?? -1;
    sales.push({ atMs: keepaMinutesToMs(s.sales[i] ?? 0), priceCents: price < 0 ? null : price, month: s.sales[i + 2] ?? 0, condition: CONDITION_CODES[s.sales[i + 3] ?? 0] ?? null });
  }
  return {
    version: s.v,
    analyzedAtMs: Number(s.at),
    sales,
    usedPrice: pairs(s.used),
    salesRank: pairs(s.rank),
    offers: s.offers,
    offersAtMs: Number(s.offersAt),
    costs: s.costs,
  };
}
