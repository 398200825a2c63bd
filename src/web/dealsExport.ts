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

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
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

/** Writes `pieces` to `out`, waiting for 'drain' when the socket is full; stops when `out` closes. */
async function pump(out: Writable, pieces: Iterable<string>): Promise<void> {
  let buffer = '';
  for (const piece of pieces) {
    if (out.destroyed) return;
    buffer += piece;
    if (buffer.length < CHUNK_BYTES) continue;
    const ok = out.write(buffer);
    buffer = '';
    if (!ok) await drained(out);
  }
  if (!out.destroyed) out.end(buffer);
}

export async function streamCsv(query: DealQuery, q: DeskQuery, columns: readonly DealColumn[], out: Writable): Promise<void> {
  const names = query.columns();
  const header = new Map(columns.map((c) => [c.name, c.header]));
  const rows = query.iterate(q.filter, q.limit);
  function* lines(): Generator<string> {
    yield csvLine(names.map((n) => header.get(n) ?? n));
    for (const row of rows) yield csvLine(names.map((n) => row[n]));
  }
  try {
    await pump(out, lines());
  } finally {
    rows.return?.();
  }
}

export async function streamJson(query: DealQuery, q: DeskQuery, out: Writable): Promise<void> {
  const total = query.count(q.filter);
  const rows = query.iterate(q.filter, q.limit);
  function* pieces(): Generator<string> {
    yield `{"total":${total},"deals":[`;
    let first = true;
    for (const row of rows) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
      first = false;
    }
    yield '\n]}\n';
  }
  try {
    await pump(out, pieces());
  } finally {
    rows.return?.();
  }
}
