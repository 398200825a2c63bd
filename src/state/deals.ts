// The deals table. Its columns follow headers.json; a row is keyed by database column names.
// An upsert writes only the columns it is given, so a light update never writes NULL over
// `List_at` or `1yr_Avg` (the old system's NULL overwrite).
import type Database from 'better-sqlite3';
import { ColumnTypeError } from '../errors.js';
import { msToIso } from '../keepa/time.js';
import type { DealRow, DealValue } from '../pipeline/analytics/types.js';
import { visibleSql } from '../pipeline/analytics/visible.js';
import type { ColumnType, DealColumn } from './columns.js';

type Db = Database.Database;

/** Columns the daemon keeps for itself beside the headers.json columns (created by migration 1). */
const SYSTEM_COLUMNS = ['first_seen_at', 'last_seen_at', 'analyzed_at', 'refreshed_at', 'refresh_due'] as const;

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function tableColumns(db: Db): Map<string, string> {
  const info = db.prepare('SELECT name, type FROM pragma_table_info(?)').all('deals');
  const out = new Map<string, string>();
  for (const r of info) {
    if (typeof r === 'object' && r !== null && 'name' in r && 'type' in r) out.set(String(r.name), String(r.type));
  }
  return out;
}

/**
 * Adds every column that headers.json names and the table lacks; existing rows keep their values.
 * Returns the names added. This runs at start, before any job.
 */
export function ensureDealColumns(db: Db, columns: readonly DealColumn[]): string[] {
  const existing = new Set([...tableColumns(db).keys()].map((n) => n.toLowerCase()));
  const added: string[] = [];
  db.transaction(() => {
    for (const c of columns) {
      if (existing.has(c.name.toLowerCase())) continue;
      db.exec(`ALTER TABLE deals ADD COLUMN ${quoteIdent(c.name)} ${c.type}`);
      added.push(c.name);
    }
  }).immediate();
  return added;
}

export type SaveKind = 'full' | 'light';

export class DealStore {
  private readonly types = new Map<string, ColumnType>();
  private readonly saved = new Set<string>();
  private readonly upserts = new Map<string, Database.Statement>();
  private readonly hasLastSeenUtc: boolean;
  private readonly get: Database.Statement;
  private readonly deleteBefore: Database.Statement;
  private readonly countAll: Database.Statement;
  private readonly visibleCountStmt: Database.Statement;
  private readonly newestVisibleStmt: Database.Statement;
  private readonly newest: Database.Statement;
  private readonly leastRecentlySeen: Database.Statement;
  private readonly touch: Database.Statement;
  private readonly refreshedStmt: Database.Statement;
  private readonly fetchTimesStmt: Database.Statement;
  private readonly requestRefreshStmt: Database.Statement;

  /**
   * `minSalesPerYear` is the visible rule's setting (analytics/visible.ts, `peek.minSalesPerYear`);
   * `onUpsert` is told of every row written (the benchmark records the saves it measures).
   */
  constructor(
    private readonly db: Db,
    columns: readonly DealColumn[],
    minSalesPerYear: number,
    private readonly onUpsert?: (row: DealRow, nowMs: number, kind: SaveKind) => void,
  ) {
    for (const c of columns) this.types.set(c.name, c.type);
    this.hasLastSeenUtc = this.types.has('last_seen_utc');
    this.get = db.prepare('SELECT * FROM deals WHERE "ASIN" = ?');
    this.deleteBefore = db.prepare('DELETE FROM deals WHERE last_seen_at < ? RETURNING "ASIN"');
    this.countAll = db.prepare('SELECT COUNT(*) FROM deals').pluck();
    const visible = visibleSql((name) => (this.types.has(name) ? quoteIdent(name) : 'NULL'), minSalesPerYear);
    this.visibleCountStmt = db.prepare(`SELECT COUNT(*) FROM deals WHERE ${visible}`).pluck();
    this.newestVisibleStmt = db.prepare(`SELECT * FROM deals WHERE ${visible} ORDER BY analyzed_at DESC, "ASIN" LIMIT ?`);
    this.newest = db.prepare('SELECT MAX(analyzed_at) FROM deals').pluck();
    this.refreshedStmt = db.prepare('UPDATE deals SET refreshed_at = ?, refresh_due = 0 WHERE "ASIN" = ?');
    this.touch = db.prepare(this.hasLastSeenUtc ? 'UPDATE deals SET last_seen_at = @now, "last_seen_utc" = @iso WHERE "ASIN" = @asin' : 'UPDATE deals SET last_seen_at = @now WHERE "ASIN" = @asin AND @iso IS NOT NULL');
    this.leastRecentlySeen = db
      .prepare(`SELECT "ASIN" FROM deals WHERE refresh_due = 1 OR MAX(COALESCE(refreshed_at, 0), COALESCE(analyzed_at, 0)) < ?
      ORDER BY refresh_due DESC, MAX(COALESCE(refreshed_at, 0), COALESCE(analyzed_at, 0)) ASC, "ASIN" LIMIT ?`)
      .pluck();
    this.fetchTimesStmt = db.prepare('SELECT analyzed_at, MAX(COALESCE(analyzed_at, 0), COALESCE(refreshed_at, 0)) AS fetched_at FROM deals WHERE "ASIN" = ?');
    this.requestRefreshStmt = db.prepare('UPDATE deals SET refresh_due = 1 WHERE "ASIN" = ?');
  }

  /**
   * Inserts or updates one deal, writing only the columns present in `row`. A full analysis
   * counts as seeing the deal; a light refresh by itself does not (the refresh stage decides,
   * with `touchSeen`), so a deal that is no longer worth showing ages out through the janitor.
   */
  upsert(row: DealRow, nowMs: number, kind: SaveKind): void {
    const asin = row.ASIN;
    if (typeof asin !== 'string' || asin === '') throw new TypeError('A deal row needs its ASIN.');
    const names: string[] = [];
    const values: DealValue[] = [];
    for (const [name, value] of Object.entries(row)) {
      if (name === 'ASIN' || name === 'last_seen_utc') continue;
      // A computed column the operator's headers.json lacks; named once at start (daemon.ts).
      if (!this.types.has(name)) continue;
      names.push(name);
      values.push(this.checked(name, value, asin));
    }
    if (this.hasLastSeenUtc && kind === 'full') {
      names.push('last_seen_utc');
      values.push(msToIso(nowMs));
    }
    this.statementFor(names, kind).run(asin, nowMs, nowMs, nowMs, ...values);
    this.saved.add(asin);
    this.onUpsert?.(row, nowMs, kind);
  }

  /** The ASINs upserted since the last call: the chunk commit looks at them for alerts. */
  takeSaved(): string[] {
    const asins = [...this.saved];
    this.saved.clear();
    return asins;
  }

  /** When the deal was last analysed in full and last fetched at all (analysis or refresh); null when not saved. */
  fetchTimes(asin: string): { analyzedAt: number | null; fetchedAt: number } | null {
    const r: unknown = this.fetchTimesStmt.get(asin);
    if (typeof r !== 'object' || r === null) return null;
    const o = r as Record<string, unknown>;
    return { analyzedAt: typeof o.analyzed_at === 'number' ? o.analyzed_at : null, fetchedAt: Number(o.fetched_at) };
  }

  /** Puts a saved deal first in the refresh line. */
  requestRefresh(asin: string): void {
    this.requestRefreshStmt.run(asin);
  }

  /** Moves deals to the back of the refresh line without changing their data. */
  markRefreshed(asins: readonly string[], nowMs: number): void {
    for (const asin of asins) this.refreshedStmt.run(nowMs, asin);
  }

  /** The deal list showed these ASINs again: they are current, whatever their data's age. */
  touchSeen(asins: readonly string[], nowMs: number): void {
    for (const asin of asins) this.touch.run({ asin, now: nowMs, iso: msToIso(nowMs) });
  }

  find(asin: string): DealRow | null {
    const r: unknown = this.get.get(asin);
    return r === undefined ? null : toDealRow(r);
  }

  /** Deletes deals last seen before `cutoffMs`; returns their ASINs. */
  deleteSeenBefore(cutoffMs: number): string[] {
    return this.deleteBefore.all(cutoffMs).map((r) => (typeof r === 'object' && r !== null && 'ASIN' in r ? String(r.ASIN) : ''));
  }

  count(): number {
    return Number(this.countAll.get());
  }

  /** Deals a dashboard shows (the visible rule). */
  visibleCount(): number {
    return Number(this.visibleCountStmt.get());
  }

  /** The most recently analysed of the deals a dashboard shows, newest first. */
  newestVisible(limit: number): DealRow[] {
    if (limit <= 0) return [];
    return this.newestVisibleStmt.all(limit).map(toDealRow);
  }

  newestAnalyzedAt(): number | null {
    const v: unknown = this.newest.get();
    return typeof v === 'number' ? v : null;
  }

  /** ASINs whose data is oldest and was last fetched before `olderThanMs`, for the refresh pass. */
  stalest(limit: number, olderThanMs: number): string[] {
    return this.leastRecentlySeen.all(olderThanMs, limit).map(String);
  }

  private checked(name: string, value: DealValue, asin: string): DealValue {
    const type = this.types.get(name) ?? 'TEXT';
    if (value === null) return null;
    if (type === 'TEXT') {
      if (typeof value !== 'string') throw new ColumnTypeError(`Deal ${asin}: column "${name}" holds text, got ${typeof value} ${String(value)}.`);
      return value;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ColumnTypeError(`Deal ${asin}: column "${name}" holds numbers, got ${JSON.stringify(value)}.`);
    }
    return type === 'INTEGER' ? Math.round(value) : value;
  }

  private statementFor(names: readonly string[], kind: SaveKind): Database.Statement {
    const key = `${kind}|${names.join('|')}`;
    const stamp = kind === 'full' ? 'analyzed_at' : 'refreshed_at';
    let stmt = this.upserts.get(key);
    if (stmt === undefined) {
      const cols = names.map(quoteIdent);
      const insertCols = ['"ASIN"', 'first_seen_at', 'last_seen_at', stamp, ...cols].join(', ');
      const placeholders = new Array(4 + names.length).fill('?').join(', ');
      const seen = kind === 'full' ? ['last_seen_at = excluded.last_seen_at'] : [];
      const updates = [...seen, `${stamp} = excluded.${stamp}`, 'refresh_due = 0', ...cols.map((c) => `${c} = excluded.${c}`)].join(', ');
      stmt = this.db.prepare(`INSERT INTO deals (${insertCols}) VALUES (${placeholders}) ON CONFLICT("ASIN") DO UPDATE SET ${updates}`);
      this.upserts.set(key, stmt);
    }
    return stmt;
  }
}

function toDealRow(r: unknown): DealRow {
  const out: DealRow = {};
  if (typeof r !== 'object' || r === null) return out;
  for (const [k, v] of Object.entries(r)) {
    if ((SYSTEM_COLUMNS as readonly string[]).includes(k)) continue;
    out[k] = typeof v === 'number' || typeof v === 'string' ? v : null;
  }
  return out;
}
