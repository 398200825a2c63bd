// The exports' streaming, through a socket slower than the database: every byte arrives once and
// in order (cells longer than a chunk and multi-byte text included), JSON rows keep their column
// names, and a client that goes away ends the export with the database connection free again.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { saveDeals } from '../../bench/deskData.js';
import { DealQuery } from '../../src/state/dealQuery.js';
import type { Store } from '../../src/state/store.js';
import { csvCell, streamCsv, streamJson } from '../../src/web/dealsExport.js';
import { type DeskQuery, parseDeskQuery } from '../../src/web/deskQuery.js';
import { memoryStore, projectColumns } from '../helpers.js';
import { NOW } from './deskFixture.js';

/** Takes a write only after a pause, copying it then, as the kernel does when a socket write completes. */
class SlowSocket extends Writable {
  private readonly parts: Buffer[] = [];
  constructor() {
    super({ highWaterMark: 4096 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    setTimeout(() => {
      this.parts.push(Buffer.from(chunk));
      done();
    }, 1);
  }
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

const LONG_TITLE = `Schrödinger’s 📚 ${'Ω,"x"\n'.repeat(20_000)}`;

let store: Store;

afterEach(() => store.db.close());

function withDeals(n: number): DealQuery {
  store = memoryStore(projectColumns(), NOW);
  saveDeals(store, n);
  store.deals.upsert({ ASIN: 'B0DESK0005', Title: LONG_TITLE }, NOW, 'full');
  store.deals.upsert({ ASIN: 'B0DESK0006', Title: '@SUM(A1) – naïve café' }, NOW, 'full');
  return new DealQuery(store.db, store.columns, store.minSalesPerYear);
}

/** The whole CSV as one string, line by line, for comparison. */
function wholeCsv(query: DealQuery, q: DeskQuery): string {
  const header = new Map(store.columns.map((c) => [c.name, c.header]));
  return [query.columns().map((n) => header.get(n) ?? n), ...query.iterate(q.filter, null)].map((values) => `${values.map(csvCell).join(',')}\r\n`).join('');
}

describe('the streamed exports', () => {
  it('writes every CSV row once and in order through a slow socket', async () => {
    const query = withDeals(1000);
    const q = parseDeskQuery(new URLSearchParams('all=1&sort=found'));
    const out = new SlowSocket();
    await streamCsv(query, q, store.columns, out);
    await new Promise((resolve) => out.on('finish', resolve));
    const expected = wholeCsv(query, q);
    expect(expected.length).toBeGreaterThan(4 * 64 * 1024);
    expect(out.text()).toBe(expected);
    expect(out.text()).toContain(",'@SUM(A1) – naïve café,");
  });

  it('writes JSON rows by column name through a slow socket', async () => {
    const query = withDeals(300);
    const q = parseDeskQuery(new URLSearchParams('all=1'));
    const out = new SlowSocket();
    await streamJson(query, q, out);
    await new Promise((resolve) => out.on('finish', resolve));
    const parsed = JSON.parse(out.text()) as { total: number; deals: Array<Record<string, unknown>> };
    expect(parsed.total).toBe(300);
    expect(parsed.deals).toHaveLength(300);
    const long = parsed.deals.find((d) => d.ASIN === 'B0DESK0005');
    expect(long?.Title).toBe(LONG_TITLE);
    expect(Object.keys(long ?? {})).toEqual([...query.columns()]);
  });

  it('stops when the client goes away and leaves the connection free', async () => {
    const query = withDeals(1000);
    const q = parseDeskQuery(new URLSearchParams('all=1'));
    const out = new SlowSocket();
    out.once('drain', () => out.destroy());
    await streamCsv(query, q, store.columns, out);
    expect(out.text().length).toBeLessThan(wholeCsv(query, q).length / 2);
    expect(store.db.prepare('SELECT COUNT(*) FROM deals').pluck().get()).toBe(1000);
  });
});
