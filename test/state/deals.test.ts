import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_HEADERS_PATH } from '../../src/config.js';
import { warnColumnsLeftOut } from '../../src/daemon.js';
import { createLogger } from '../../src/log.js';
import { columnsLeftOut, loadColumns } from '../../src/state/columns.js';
import { lineSink, memoryStore, smallColumns, T0 } from '../helpers.js';

describe('deal upsert', () => {
  it('a partial upsert (light update) keeps the columns it was not given', () => {
    const store = memoryStore(smallColumns());
    store.deals.upsert({ ASIN: 'B000000001', List_at: 31.2, '1yr_Avg': 28.75, Price_Now: 9.99, Profit: 8.1, Seller: 'Shelf Books' }, T0, 'full');
    store.deals.upsert({ ASIN: 'B000000001', Price_Now: 11.49, Profit: 6.6 }, T0 + 60_000, 'light');
    expect(store.deals.find('B000000001')).toMatchObject({ List_at: 31.2, '1yr_Avg': 28.75, Price_Now: 11.49, Profit: 6.6, Seller: 'Shelf Books' });
  });

  it('stores numbers as numbers and stamps last_seen_utc from the injected time', () => {
    const store = memoryStore(smallColumns());
    store.deals.upsert({ ASIN: 'B000000002', List_at: 12 }, T0, 'full');
    const row = store.deals.find('B000000002');
    expect(typeof row?.List_at).toBe('number');
    expect(row?.last_seen_utc).toBe('2026-03-01T00:00:00.000Z');
    expect(store.db.prepare('SELECT typeof("List_at") FROM deals').pluck().get()).toBe('real');
  });

  it('refuses text in a number column', () => {
    const store = memoryStore(smallColumns());
    expect(() => store.deals.upsert({ ASIN: 'B000000003', List_at: '12.00' }, T0, 'full')).toThrow(/holds numbers/);
    expect(store.deals.count()).toBe(0);
  });

  it('a computed column that headers.json no longer names is left out and reported, the rest is saved', () => {
    const store = memoryStore(smallColumns());
    store.deals.upsert({ ASIN: 'B000000004', List_at: 20, Removed_By_Operator: 1 }, T0, 'full');
    expect(store.deals.find('B000000004')).toMatchObject({ List_at: 20 });
    expect(columnsLeftOut(smallColumns(), smallColumns(['Removed By Operator']))).toEqual(['Removed_By_Operator']);
    expect(columnsLeftOut(smallColumns(['Removed By Operator']), smallColumns())).toEqual([]);
  });

  it("the daemon names, once at start, the analysed columns an operator's headers.json lacks", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-headers-'));
    try {
      const shipped = JSON.parse(readFileSync(SHIPPED_HEADERS_PATH, 'utf8')) as string[];
      const trimmed = join(dir, 'headers.json');
      writeFileSync(trimmed, JSON.stringify(shipped.filter((h) => h !== 'Seller' && h !== 'Margin')));
      const { lines, stream } = lineSink();
      const log = createLogger({ level: 'info', format: 'json', stream });
      warnColumnsLeftOut(trimmed, loadColumns(trimmed), log);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'warn', columns: ['Seller', 'Margin'] });
      lines.length = 0;
      warnColumnsLeftOut(SHIPPED_HEADERS_PATH, loadColumns(SHIPPED_HEADERS_PATH), log);
      const copy = join(dir, 'copy.json');
      writeFileSync(copy, JSON.stringify(shipped));
      warnColumnsLeftOut(copy, loadColumns(copy), log);
      expect(lines).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a light update does not count as seeing the deal; the deal list showing it again does', () => {
    const store = memoryStore(smallColumns());
    store.deals.upsert({ ASIN: 'B000000005', Price_Now: 9 }, T0, 'full');
    store.deals.upsert({ ASIN: 'B000000005', Price_Now: 8 }, T0 + 3_600_000, 'light');
    expect(store.deals.deleteSeenBefore(T0 + 1)).toEqual(['B000000005']);
    store.deals.upsert({ ASIN: 'B000000006', Price_Now: 9 }, T0, 'full');
    store.deals.touchSeen(['B000000006'], T0 + 3_600_000);
    expect(store.deals.deleteSeenBefore(T0 + 1)).toEqual([]);
    expect(store.deals.find('B000000006')?.last_seen_utc).toBe('2026-03-01T01:00:00.000Z');
  });

  it('counts and lists visible deals: profit > 0 with a list price, a 1-year average, and 4 sales a year', () => {
    const store = memoryStore(smallColumns(['Sales Rank - Drops last 365 days', 'Sales Rank - Drops last 90 days']));
    const drops = { Sales_Rank_Drops_last_365_days: 12 };
    store.deals.upsert({ ASIN: 'A1', List_at: 20, '1yr_Avg': 19, Profit: 3, ...drops }, T0, 'full');
    store.deals.upsert({ ASIN: 'A2', List_at: 20, '1yr_Avg': null, Profit: 3, ...drops }, T0, 'full');
    store.deals.upsert({ ASIN: 'A3', List_at: 20, '1yr_Avg': 19, Profit: -1, ...drops }, T0, 'full');
    // Sells twice a year: a good price alone does not make a deal worth buying.
    store.deals.upsert({ ASIN: 'A4', List_at: 20, '1yr_Avg': 19, Profit: 3, Sales_Rank_Drops_last_365_days: 2 }, T0, 'full');
    // No 365-day count: the 90-day count decides (2 in 90 days is 8 a year), it is not skipped.
    store.deals.upsert({ ASIN: 'A5', List_at: 20, '1yr_Avg': 19, Profit: 3, Sales_Rank_Drops_last_90_days: 2 }, T0 + 1, 'full');
    store.deals.upsert({ ASIN: 'A6', List_at: 20, '1yr_Avg': 19, Profit: 3 }, T0 + 2, 'full');
    expect(store.deals.count()).toBe(6);
    expect(store.deals.visibleCount()).toBe(2);
    expect(store.deals.newestVisible(10).map((r) => r.ASIN)).toEqual(['A5', 'A1']);
  });

  it('deletes by integer timestamps only the deals last seen before the cutoff', () => {
    const store = memoryStore(smallColumns());
    store.deals.upsert({ ASIN: 'OLD' }, T0, 'full');
    store.deals.upsert({ ASIN: 'NEW' }, T0 + 10 * 3600_000, 'full');
    expect(store.deals.deleteSeenBefore(T0 + 3600_000)).toEqual(['OLD']);
    expect(store.deals.find('NEW')).not.toBeNull();
  });
});
