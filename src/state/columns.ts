// Deal columns: the one sanitize rule that turns a display name from headers.json into a
// database column name, and the one place that decides each column's SQL type.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export type ColumnType = 'REAL' | 'INTEGER' | 'TEXT';

export interface DealColumn {
  /** Display name from headers.json; appears only at the edges (dashboard, exports). */
  header: string;
  /** Database column name; the key of a deal row everywhere inside the code. */
  name: string;
  type: ColumnType;
}

/**
 * `%` -> `Percent`, `&` -> `and`, `.` -> `_`, other non-alphanumerics -> `_`, runs of `_`
 * collapsed, leading and trailing `_` stripped. `1yr. Avg.` -> `1yr_Avg`.
 */
export function sanitizeColumnName(header: string): string {
  return header
    .replace(/%/g, 'Percent')
    .replace(/&/g, 'and')
    .replace(/[^A-Za-z0-9]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

// Ordered: the first matching rule decides. Matched against the sanitized name.
const TYPE_RULES: ReadonlyArray<readonly [RegExp, ColumnType]> = [
  [/^(ASIN|Title|Seller_ID|Seller|Condition|Trend|Changed|source)$/, 'TEXT'],
  [/(link|Link|since|Date|found|last_update|last_price_change|last_seen_utc)/, 'TEXT'],
  [/Season|Sells|Seasonality|Categories|Type|Manufacturer|Brand|Group|Attributes|Author|Contributors/, 'TEXT'],
  [/Binding|Languages|Edition|Format|Freq_Bought_Together/, 'TEXT'],
  [/^Sales_Rank/, 'INTEGER'],
  [/(Offer_Count|Review_Count|Number_of|Package|Drops|Stock|^Offers|^Seller_Rank|^AMZ$)/, 'INTEGER'],
  [/(Price|price|Avg|avg|Current|Lowest|Highest|Fee|fee|Cost|Profit|Margin|Percent|List_at|Score|Trust|Rating|OOS)/, 'REAL'],
];

export function columnType(name: string): ColumnType {
  for (const [pattern, type] of TYPE_RULES) {
    if (pattern.test(name)) return type;
  }
  return 'TEXT';
}

/**
 * SQLite allows 2,000 columns a table (SQLITE_MAX_COLUMN); the deals table has 4 of its own
 * besides the headers (ASIN is both).
 */
export const MAX_HEADER_COLUMNS = 2000 - 4;

/** Validates a parsed headers.json and turns it into columns, in dashboard order. */
export function columnsFromHeaders(headers: unknown, source = 'headers.json'): DealColumn[] {
  if (!Array.isArray(headers)) {
    throw new ConfigError(`${source} must be a JSON list of column display names; it is a ${typeof headers}. Restore it from the release.`);
  }
  if (headers.length === 0) {
    throw new ConfigError(`${source} is an empty list; it must name the deal columns, ASIN among them.`);
  }
  if (headers.length > MAX_HEADER_COLUMNS) {
    throw new ConfigError(`${source} names ${headers.length} columns; SQLite allows at most ${MAX_HEADER_COLUMNS} deal columns, so remove ${headers.length - MAX_HEADER_COLUMNS} entries.`);
  }
  const byName = new Map<string, string>();
  const columns: DealColumn[] = [];
  headers.forEach((header, i) => {
    if (typeof header !== 'string' || header.trim() === '') {
      throw new ConfigError(`${source} entry ${i} is ${JSON.stringify(header)}; every entry must be a non-empty string.`);
    }
    const name = sanitizeColumnName(header);
    if (name === '') {
      throw new ConfigError(`${source} entry ${i} (${JSON.stringify(header)}) has no letters or digits to name a column.`);
    }
    const clash = byName.get(name.toLowerCase());
    if (clash !== undefined) {
      throw new ConfigError(`${source} entries ${JSON.stringify(clash)} and ${JSON.stringify(header)} both become column "${name}"; rename one.`);
    }
    byName.set(name.toLowerCase(), header);
    columns.push({ header, name, type: columnType(name) });
  });
  if (!byName.has('asin')) {
    throw new ConfigError(`${source} has no "ASIN" entry; the deals table is keyed by it.`);
  }
  return columns;
}

/** The columns of `computed` that `configured` lacks: the daemon computes them but has nowhere to store them. */
export function columnsLeftOut(configured: readonly DealColumn[], computed: readonly DealColumn[]): string[] {
  const stored = new Set(configured.map((c) => c.name));
  return computed.map((c) => c.name).filter((name) => !stored.has(name));
}

export function loadColumns(path: string): DealColumn[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(`Cannot read the deal columns file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}. Set the path or restore the file.`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw new ConfigError(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}); fix or restore it.`, { cause: e });
  }
  return columnsFromHeaders(parsed, path);
}
