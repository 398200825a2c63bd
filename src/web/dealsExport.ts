// GET /deals.csv and /deals.json: the desk's filters, every column, streamed row by row from the
// database with the socket's backpressure, so 50,000 rows never sit in memory. CSV follows
// RFC 4180 under headers.json's display names; a text cell a spreadsheet would run as a formula
// (= + - @, tab, carriage return first) gets a leading apostrophe. Numbers stay plain numbers.
import type { Writable } from 'node:stream';
import type { DealColumn } from '../state/columns.js';
import type { DealQuery } from '../state/dealQuery.js';
import type { DeskQuery } from './deskQuery.js';

/** Bytes gathered before a write: small enough to keep memory flat, large enough to keep syscalls few. */
const CHUNK_BYTES = 64 * 1024;
const COMMA = 0x2c;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Text encoded straight into off-heap chunks, each written to `out` when full. An export touches
 * every column of every row (216 with the stock headers.json): gathering lines into strings first
 * tripled the garbage per row, and a heap churning that fast grows its young generation by tens of
 * MB. `mustWait` tells the row loop that the socket is full and it should wait for 'drain'.
 */
class ChunkWriter {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Chunks the socket holds until its next 'drain'; then they are free to fill again. */
  private held: Buffer[] = [];
  private free: Buffer[] = [];
  mustWait = false;

  constructor(private readonly out: Writable) {}

  text(s: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    if (this.used + s.length * 3 > CHUNK_BYTES) this.send();
    if (s.length * 3 > CHUNK_BYTES) this.write(s);
    else this.used += this.chunk.write(s, this.used);
  }

  byte(b: number): void {
    if (this.used === CHUNK_BYTES) this.send();
    this.chunk[this.used++] = b;
  }

  /** After 'drain' the socket has passed on everything written, so its chunks can be reused. */
  afterDrain(): void {
    this.free.push(...this.held);
    this.held = [];
    this.mustWait = false;
  }

  end(): void {
    this.out.end(this.chunk.subarray(0, this.used));
  }

  private send(): void {
    if (this.used === 0) return;
    // Written without a 'drain' to follow, a chunk is left to the garbage collector.
    if (this.write(this.chunk.subarray(0, this.used))) this.held.push(this.chunk);
    this.chunk = this.free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }

  /** True when the socket is full: the row loop waits for 'drain'. */
  private write(data: Buffer | string): boolean {
    if (this.out.write(data)) return false;
    this.mustWait = true;
    return true;
  }
}

/** Resolves when `out` can take more, or has closed (the client went away). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

interface Format {
  head(w: ChunkWriter): void;
  row(w: ChunkWriter, values: readonly unknown[], index: number): void;
  tail(w: ChunkWriter): void;
}

/** Writes every row with the socket's backpressure; stops (and closes the rows) when `out` closes. */
async function streamRows(out: Writable, rows: IterableIterator<unknown[]>, format: Format): Promise<void> {
  const w = new ChunkWriter(out);
  try {
    format.head(w);
    let index = 0;
    for (const values of rows) {
      if (out.destroyed) return;
      format.row(w, values, index++);
      if (w.mustWait) {
        await drained(out);
        w.afterDrain();
      }
    }
    if (!out.destroyed) {
      format.tail(w);
      w.end();
    }
  } finally {
    rows.return?.();
  }
}

function csvRow(w: ChunkWriter, values: readonly unknown[]): void {
  values.forEach((v, i) => {
    if (i > 0) w.byte(COMMA);
    if (v !== null && v !== undefined) w.text(csvCell(v));
  });
  w.text('\r\n');
}

export async function streamCsv(query: DealQuery, q: DeskQuery, columns: readonly DealColumn[], out: Writable): Promise<void> {
  const header = new Map(columns.map((c) => [c.name, c.header]));
  await streamRows(out, query.iterate(q.filter, q.limit), {
    head: (w) =>
      csvRow(
        w,
        query.columns().map((n) => header.get(n) ?? n),
      ),
    row: csvRow,
    tail: () => undefined,
  });
}

export async function streamJson(query: DealQuery, q: DeskQuery, out: Writable): Promise<void> {
  const total = query.count(q.filter);
  const keys = query.columns().map((n, i) => `${i === 0 ? '{' : ','}${JSON.stringify(n)}:`);
  await streamRows(out, query.iterate(q.filter, q.limit), {
    head: (w) => w.text(`{"total":${total},"deals":[`),
    row: (w, values, index) => {
      w.text(index === 0 ? '\n' : ',\n');
      values.forEach((v, i) => {
        w.text(keys[i] ?? '');
        w.text(JSON.stringify(v ?? null));
      });
      w.text('}');
    },
    tail: (w) => w.text('\n]}\n'),
  });
}
