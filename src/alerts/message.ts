// The generic webhook body of an alert (docs/alerts.md documents it): what to buy and why, for a
// deal; the verdict and its reasons, for the daemon's health. The outbox keeps this body; the
// destination's format (formats.ts) is applied when it is sent. Pure.
import { msToIso } from '../keepa/time.js';
import type { DealRow } from '../pipeline/analytics/types.js';
import type { Verdict } from '../status.js';
import { STATUS_RULE } from './config.js';
import { dealFacts } from './rules.js';

export interface DealAlert {
  /** The idempotency key, also sent as the `Idempotency-Key` header: `rule:ASIN:episode`. */
  id: string;
  rule: string;
  asin: string;
  episode: number;
  title: string | null;
  condition: string | null;
  /** Dollars, the cheapest used offer with shipping. */
  priceNow: number | null;
  /** Dollars, the price to list the book at. */
  listAt: number | null;
  profit: number | null;
  /** Percent of the all-in cost. */
  roi: number | null;
  salesPerYear: number | null;
  salesRank: number | null;
  season: string | null;
  /** The deal's page on the daemon's status server, null when the server is off. */
  url: string | null;
  offerUrl: string;
  keepaUrl: string;
  /** When the deal row that started the episode was saved, and when its data was fetched from Keepa (ISO 8601). */
  savedAt: string;
  fetchedAt: string;
  test?: true;
}

export interface StatusAlert {
  /** `status:episode:verdict`: one stall and its recovery share the episode. */
  id: string;
  rule: typeof STATUS_RULE;
  /** `stalled`, or the verdict it recovered to: `ok`, or `degraded` when something short of a stall remains. */
  verdict: Verdict;
  reasons: string[];
  at: string;
  url: string | null;
  test?: true;
}

export type AlertMessage = DealAlert | StatusAlert;

export function dealAlertId(rule: string, asin: string, episode: number): string {
  return `${rule}:${asin}:${episode}`;
}

const num = (row: DealRow, column: string): number | null => {
  const v = row[column];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

export function dealAlert(input: { rule: string; asin: string; episode: number; row: DealRow; savedAtMs: number; fetchedAtMs: number; pageUrl: string | null }): DealAlert {
  const { row, asin } = input;
  const facts = dealFacts(row);
  const title = row.Title;
  const keepa = row.Keepa_Link;
  return {
    id: dealAlertId(input.rule, asin, input.episode),
    rule: input.rule,
    asin,
    episode: input.episode,
    title: typeof title === 'string' ? title : null,
    condition: facts.condition,
    priceNow: num(row, 'Price_Now'),
    listAt: num(row, 'List_at'),
    profit: facts.profit,
    roi: facts.roi,
    salesPerYear: facts.salesPerYear,
    salesRank: facts.salesRank,
    season: facts.season,
    url: input.pageUrl === null ? null : `${input.pageUrl}/deals/${encodeURIComponent(asin)}`,
    offerUrl: `https://www.amazon.com/gp/offer-listing/${encodeURIComponent(asin)}?condition=used`,
    keepaUrl: typeof keepa === 'string' && keepa !== '' ? keepa : `https://keepa.com/#!product/1-${encodeURIComponent(asin)}`,
    savedAt: msToIso(input.savedAtMs),
    fetchedAt: msToIso(input.fetchedAtMs),
  };
}

export function statusAlert(input: { episode: number; verdict: Verdict; reasons: string[]; atMs: number; pageUrl: string | null }): StatusAlert {
  return {
    id: `${STATUS_RULE}:${input.episode}:${input.verdict}`,
    rule: STATUS_RULE,
    verdict: input.verdict,
    reasons: input.reasons,
    at: msToIso(input.atMs),
    url: input.pageUrl === null ? null : `${input.pageUrl}/`,
  };
}

/** What `bin/alerts test` sends: a deal alert of invented figures, marked `test`. */
export function testAlert(rule: string, nowMs: number, pageUrl: string | null): DealAlert {
  const row: DealRow = {
    Title: 'Test alert from keepa-deals: an introduction to things, 3rd edition',
    Condition: 'Used - Very Good',
    Price_Now: 8.5,
    List_at: 31.99,
    Profit: 12.4,
    All_in_Cost: 10.25,
    Sales_Rank_Current: 48210,
    Sales_Rank_Drops_last_365_days: 14,
    Detailed_Seasonality: 'Textbook (Summer)',
  };
  return { ...dealAlert({ rule, asin: '0000000000', episode: 0, row, savedAtMs: nowMs, fetchedAtMs: nowMs, pageUrl }), id: `test:${rule}:${nowMs}`, test: true };
}

export function parseMessage(json: string): AlertMessage {
  const v: unknown = JSON.parse(json);
  if (typeof v !== 'object' || v === null || typeof (v as Record<string, unknown>).id !== 'string' || typeof (v as Record<string, unknown>).rule !== 'string') {
    throw new TypeError(`An outbox payload is not an alert message: ${json.slice(0, 80)}`);
  }
  return v as AlertMessage;
}

export const isStatusAlert = (m: AlertMessage): m is StatusAlert => m.rule === STATUS_RULE;
