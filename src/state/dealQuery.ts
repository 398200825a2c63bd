// The deals desk's reads: one filter (the query string's, parsed in src/web/deskQuery.ts) turned
// into SQL for a page of deals, their count, and a streamed export. Columns the operator's
// headers.json lacks read as NULL, so a trimmed file narrows the desk instead of breaking it.
import type Database from 'better-sqlite3';
import type { DealRow } from '../pipeline/analytics/types.js';
import { VISIBILITY_COLUMNS, visibleSql } from '../pipeline/analytics/visible.js';
import type { DealColumn } from './columns.js';
import { quoteIdent } from './deals.js';

type Db = Database.Database;

export const SORTS = ['profit', 'roi', 'margin', 'sales', 'rank', 'found', 'verified'] as const;
export type DealSort = (typeof SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface DealFilter {
  minProfit: number | null;
  /** Percent of All-in Cost. */
  minRoi: number | null;
  maxRank: number | null;
  /** Inferred sales in the year before the analysis. */
  minSales: number | null;
  /** `Seasonality_Type`, exactly. */
  season: string | null;
  /** `Condition`, exactly. */
  condition: string | null;
  /** Text in the title or author, or the start of an ASIN. */
  q: string | null;
  sort: DealSort;
  order: SortOrder;
  /** Include deals a dashboard does not show. */
  all: boolean;
}

/** A deal as the desk lists it: its columns and what the daemon knows about it besides. */
export interface DeskDeal {
  row: DealRow;
  firstSeenAt: number;
  /** Last seen in Keepa's deal list (or analysed). */
  lastSeenAt: number;
  analyzedAt: number | null;
  refreshedAt: number | null;
  /** When its data was last fetched: the analysis or a later refresh. */
  verifiedAt: number | null;
  salesYear: number | null;
  /** Profit over All-in Cost, percent. */
  roi: number | null;
  visible: boolean;
  /** The queue's verdict on the latest analysis, when it rejected the book. */
  rejectReason: string | null;
}

/** A LIKE pattern matches the text literally: its own % and _ are not wildcards. */
const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Sales per year from the covering index: without statistics the planner picks the primary key
 * and reads each row's JSON pages, which made a sort by sales 20 times slower.
 */
const EVIDENCE_SALES = 'deal_evidence e INDEXED BY deal_evidence_sales_year';

const VERIFIED = 'MAX(COALESCE(d.analyzed_at, 0), COALESCE(d.refreshed_at, 0))';

/**
 * Indexes on the headers.json columns the desk filters and sorts on, created at start after the
 * columns exist (a migration runs before them). The first covers the visible rule and every sort
 * key, so choosing a page's ASINs reads one narrow index instead of 20,000 wide rows (a sort by
 * ROI went from 55 to a few ms of CPU); season and condition make the filter choices an index read.
 */
const DESK_INDEXES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['deals_desk_visible', [...VISIBILITY_COLUMNS, 'All_in_Cost', 'Margin', 'Sales_Rank_Current', 'ASIN']],
  ['deals_desk_season', ['Seasonality_Type']],
  ['deals_desk_condition', ['Condition']],
];

/** Replaced by `deals_desk_visible` when the visible rule came to read the sales-rank drops. */
const OLD_DESK_INDEX = 'deals_desk_sort';

export function ensureDeskIndexes(db: Db, columns: readonly DealColumn[]): void {
  const names = new Set(columns.map((c) => c.name));
  db.exec(`DROP INDEX IF EXISTS ${OLD_DESK_INDEX}`);
  for (const [index, cols] of DESK_INDEXES) {
    if (!cols.every((c) => names.has(c) || c === 'ASIN')) continue;
    const system = index === 'deals_desk_visible' ? ', first_seen_at, analyzed_at, refreshed_at' : '';
    db.exec(`CREATE INDEX IF NOT EXISTS ${index} ON deals (${cols.map(quoteIdent).join(', ')}${system})`);
  }
}

export class DealQuery {
  private readonly has: Set<string>;
  private readonly exportColumns: string[];

  /** `minSalesPerYear` is the visible rule's setting (`peek.minSalesPerYear`). */
  constructor(
    private readonly db: Db,
    columns: readonly DealColumn[],
    private readonly minSalesPerYear: number,
  ) {
    const present = new Set((db.prepare("SELECT name FROM pragma_table_info('deals')").pluck().all() as string[]).map(String));
    this.has = new Set(columns.map((c) => c.name).filter((n) => present.has(n)));
    this.exportColumns = ['ASIN', ...columns.map((c) => c.name).filter((n) => n !== 'ASIN' && this.has.has(n))];
  }

  /** The database columns an export writes, ASIN first, then headers.json's order. */
  columns(): readonly string[] {
    return this.exportColumns;
  }

  private col(name: string): string {
    return this.has.has(name) ? `d.${quoteIdent(name)}` : 'NULL';
  }

  private roi(): string {
    return `CASE WHEN ${this.col('All_in_Cost')} > 0 THEN ${this.col('Profit')} * 100.0 / ${this.col('All_in_Cost')} END`;
  }

  private visible(): string {
    return visibleSql((name) => this.col(name), this.minSalesPerYear);
  }

  private sortExpression(sort: DealSort): string {
    switch (sort) {
      case 'profit':
        return this.col('Profit');
      case 'roi':
        return this.roi();
      case 'margin':
        return this.col('Margin');
      case 'sales':
        return 'e.sales_year';
      case 'rank':
        return this.col('Sales_Rank_Current');
      case 'found':
        return 'd.first_seen_at';
      case 'verified':
        return VERIFIED;
    }
  }

  private where(f: DealFilter): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (!f.all) parts.push(this.visible());
    if (f.minProfit !== null) {
      parts.push(`${this.col('Profit')} >= ?`);
      params.push(f.minProfit);
    }
    if (f.minRoi !== null) {
      parts.push(`${this.roi()} >= ?`);
      params.push(f.minRoi);
    }
    if (f.maxRank !== null) {
      parts.push(`${this.col('Sales_Rank_Current')} <= ?`);
      params.push(f.maxRank);
    }
    if (f.minSales !== null) {
      parts.push('e.sales_year >= ?');
      params.push(f.minSales);
    }
    if (f.season !== null) {
      parts.push(`${this.col('Seasonality_Type')} = ?`);
      params.push(f.season);
    }
    if (f.condition !== null) {
      parts.push(`${this.col('Condition')} = ?`);
      params.push(f.condition);
    }
    if (f.q !== null) {
      const like = `%${escapeLike(f.q)}%`;
      parts.push(`(${this.col('Title')} LIKE ? ESCAPE '\\' OR ${this.col('Author')} LIKE ? ESCAPE '\\' OR d."ASIN" LIKE ? ESCAPE '\\')`);
      params.push(like, like, `${escapeLike(f.q.toUpperCase())}%`);
    }
    return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  private orderBy(f: DealFilter): string {
    const dir = f.order === 'asc' ? 'ASC' : 'DESC';
    // Deals without the figure go last whichever way the list is sorted.
    return `ORDER BY ${this.sortExpression(f.sort)} ${dir} NULLS LAST, d."ASIN"`;
  }

  /** The evidence table only when the filter or sort needs sales per year: most views do not. */
  private evidenceJoin(f: DealFilter): string {
    return f.minSales !== null || f.sort === 'sales' ? `LEFT JOIN ${EVIDENCE_SALES} ON e.asin = d."ASIN"` : '';
  }

  count(f: DealFilter): number {
    const w = this.where(f);
    const join = f.minSales !== null ? this.evidenceJoin(f) : '';
    return Number(
      this.db
        .prepare(`SELECT COUNT(*) FROM deals d ${join} ${w.sql}`)
        .pluck()
        .get(...w.params),
    );
  }

  /**
   * One page of deals. The page's ASINs are chosen on the sort key first, so the sort does not
   * carry every column of every matching row; then the page's rows are read by key.
   */
  page(f: DealFilter, offset: number, limit: number): DeskDeal[] {
    const w = this.where(f);
    const asins = this.db
      .prepare(`SELECT d."ASIN" FROM deals d ${this.evidenceJoin(f)} ${w.sql} ${this.orderBy(f)} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...w.params, limit, offset)
      .map(String);
    if (asins.length === 0) return [];
    const rows = this.db.prepare(`${this.selectDesk()} WHERE d."ASIN" IN (${asins.map(() => '?').join(', ')})`).all(...asins) as Record<string, unknown>[];
    const byAsin = new Map(rows.map((r) => [String(r.ASIN), r]));
    return asins.flatMap((a) => {
      const r = byAsin.get(a);
      return r === undefined ? [] : [this.toDeskDeal(r)];
    });
  }

  private selectDesk(): string {
    return `SELECT d.*, e.sales_year AS desk_sales_year, ${this.roi()} AS desk_roi, ${this.visible()} AS desk_visible, ${VERIFIED} AS desk_verified,
        CASE WHEN q.stage = 'rejected' THEN q.reject_reason END AS desk_reject_reason
      FROM deals d LEFT JOIN ${EVIDENCE_SALES} ON e.asin = d."ASIN" LEFT JOIN queue q ON q.asin = d."ASIN"`;
  }

  /** One saved deal as the desk shows it, or null. */
  one(asin: string): DeskDeal | null {
    const r = this.db.prepare(`${this.selectDesk()} WHERE d."ASIN" = ?`).get(asin);
    return r === undefined ? null : this.toDeskDeal(r as Record<string, unknown>);
  }

  /** The values a select offers for a text column, e.g. the seasons present. */
  distinct(column: 'Seasonality_Type' | 'Condition'): string[] {
    if (!this.has.has(column)) return [];
    return this.db
      .prepare(`SELECT DISTINCT ${quoteIdent(column)} FROM deals WHERE ${quoteIdent(column)} IS NOT NULL ORDER BY 1`)
      .pluck()
      .all()
      .map(String);
  }

  /**
   * Every matching deal, one row at a time, as an array of values in the order of `columns()`:
   * an array per row instead of an object keyed by name allocates less, which keeps a 50,000-row
   * export's garbage (and so the heap's young generation) small. better-sqlite3 keeps the
   * connection busy while the iterator is open, so the caller gives this query a connection of
   * its own when it pauses between rows.
   */
  iterate(f: DealFilter, limit: number | null): IterableIterator<unknown[]> {
    const w = this.where(f);
    const cols = this.exportColumns.map((n) => `d.${quoteIdent(n)}`).join(', ');
    const sql = `SELECT ${cols} FROM deals d ${this.evidenceJoin(f)} ${w.sql} ${this.orderBy(f)} ${limit === null ? '' : 'LIMIT ?'}`;
    const stmt = this.db.prepare(sql).raw(true);
    return stmt.iterate(...w.params, ...(limit === null ? [] : [limit])) as IterableIterator<unknown[]>;
  }

  private toDeskDeal(r: Record<string, unknown>): DeskDeal {
    const row: DealRow = {};
    for (const name of this.exportColumns) {
      const v = r[name];
      row[name] = typeof v === 'number' || typeof v === 'string' ? v : null;
    }
    const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
    const verified = num(r.desk_verified);
    return {
      row,
      firstSeenAt: Number(r.first_seen_at),
      lastSeenAt: Number(r.last_seen_at),
      analyzedAt: num(r.analyzed_at),
      refreshedAt: num(r.refreshed_at),
      verifiedAt: verified === null || verified === 0 ? null : verified,
      salesYear: num(r.desk_sales_year),
      roi: num(r.desk_roi),
      visible: r.desk_visible === 1,
      rejectReason: typeof r.desk_reject_reason === 'string' ? r.desk_reject_reason : null,
    };
  }
}
