// The deals desk's routes on the status server: /deals, /deals/ASIN, /deals.csv, /deals.json and
// /settings. Pages read the daemon's connection (each read is one synchronous statement); the
// exports stream from a read-only connection of their own, because better-sqlite3 keeps a
// connection busy while an iterator is open and the daemon's jobs must go on writing meanwhile.
import type { Writable } from 'node:stream';
import { parseEvidence } from '../pipeline/evidence.js';
import type { BusinessSettings } from '../settings.js';
import type { Db } from '../state/db.js';
import { DealQuery } from '../state/dealQuery.js';
import type { Store } from '../state/store.js';
import { renderDealPage } from './dealPage.js';
import { streamCsv, streamJson } from './dealsExport.js';
import { renderDealsPage } from './dealsPage.js';
import { parseDeskQuery, QueryError } from './deskQuery.js';
import { renderSettingsPage, type SettingLine } from './settingsPage.js';

export interface DeskOptions {
  store: Pick<Store, 'db' | 'columns' | 'minSalesPerYear' | 'evidence' | 'queue'>;
  business: BusinessSettings;
  settings: readonly SettingLine[];
  now: () => number;
  /** A read-only connection to the same database, for one export; closed when it ends. */
  openReader: () => Db;
}

export type DeskAnswer = { status: number; type: string; body: string } | { status: number; type: string; headers: Record<string, string>; stream: (out: Writable) => Promise<void> };

const HTML = 'text/html; charset=utf-8';

export function isDeskPath(path: string): boolean {
  return path === '/deals' || path === '/deals.csv' || path === '/deals.json' || path === '/settings' || path.startsWith('/deals/');
}

/** Throws QueryError for a bad parameter (the caller answers 400 with its message). */
export function deskAnswer(path: string, params: URLSearchParams, desk: DeskOptions, nonce: string): DeskAnswer {
  const { store } = desk;
  if (path === '/settings') return { status: 200, type: HTML, body: renderSettingsPage(desk.settings, nonce) };
  if (path === '/deals') {
    const q = parseDeskQuery(params);
    return { status: 200, type: HTML, body: renderDealsPage(new DealQuery(store.db, store.columns, store.minSalesPerYear), q, desk.now(), nonce) };
  }
  if (path === '/deals.csv' || path === '/deals.json') {
    const q = parseDeskQuery(params);
    const csv = path === '/deals.csv';
    return {
      status: 200,
      type: csv ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
      headers: csv ? { 'content-disposition': 'attachment; filename="deals.csv"' } : {},
      stream: async (out) => {
        const reader = desk.openReader();
        try {
          const query = new DealQuery(reader, store.columns, store.minSalesPerYear);
          await (csv ? streamCsv(query, q, store.columns, out) : streamJson(query, q, out));
        } finally {
          reader.close();
        }
      },
    };
  }
  let asin: string;
  try {
    asin = decodeURIComponent(path.slice('/deals/'.length)).trim().toUpperCase();
  } catch {
    throw new QueryError('The deal address must be /deals/ followed by an ASIN.');
  }
  const deal = new DealQuery(store.db, store.columns, store.minSalesPerYear).one(asin);
  const queue = store.queue.get(asin);
  const stored = store.evidence.find(asin);
  const body = renderDealPage({
    asin,
    deal,
    evidence: stored === null ? null : parseEvidence(stored.json),
    queue,
    columns: store.columns,
    settings: desk.business,
    nowMs: desk.now(),
    nonce,
  });
  return { status: deal === null && queue === null ? 404 : 200, type: HTML, body };
}
