// Shared test fixtures: a fresh migrated in-memory store, the project's columns, a virtual clock,
// a stream that keeps the log lines written to it.
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { VirtualClock } from '../src/clock.js';
import { PROJECT_DIR } from '../src/config.js';
import { columnsFromHeaders, type DealColumn, loadColumns } from '../src/state/columns.js';
import { openStore, type Store } from '../src/state/store.js';

export const HEADERS_PATH = resolve(PROJECT_DIR, 'headers.json');

/** 2026-03-01T00:00:00Z: a fixed start so that tests read the same dates every run. */
export const T0 = Date.UTC(2026, 2, 1);

export function projectColumns(): DealColumn[] {
  return loadColumns(HEADERS_PATH);
}

export function memoryStore(columns: readonly DealColumn[] = projectColumns(), nowMs = T0): Store {
  return openStore({ path: ':memory:', columns, nowMs });
}

export function smallColumns(extra: string[] = []): DealColumn[] {
  return columnsFromHeaders(['ASIN', 'Title', 'List at', '1yr. Avg.', 'Price Now', 'Profit', 'Seller', 'last_seen_utc', ...extra]);
}

export function virtualClock(startMs = T0): VirtualClock {
  return new VirtualClock(startMs);
}

/** A stream that keeps every line written to it, for tests that read what was logged. */
export function lineSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}
