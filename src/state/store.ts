// Everything the daemon keeps, opened together: the database and one store per table.
import type { DealRow } from '../pipeline/analytics/types.js';
import { DEFAULT_PEEK } from '../settings.js';
import { AlertStore } from './alerts.js';
import type { DealColumn } from './columns.js';
import { type Db, databaseFileGuard, openDatabase } from './db.js';
import { DealStore, type SaveKind } from './deals.js';
import { EvidenceStore } from './evidence.js';
import { Leases } from './leases.js';
import { Queue } from './queue.js';
import { Runs } from './runs.js';
import { SellerCache } from './sellerCache.js';
import { SystemState } from './systemState.js';
import { WatermarkStore } from './watermark.js';

export interface Store {
  db: Db;
  columns: readonly DealColumn[];
  /** The visible rule's minimum sales velocity (`peek.minSalesPerYear`), for readers that filter in SQL. */
  minSalesPerYear: number;
  deals: DealStore;
  evidence: EvidenceStore;
  queue: Queue;
  system: SystemState;
  watermark: WatermarkStore;
  leases: Leases;
  runs: Runs;
  sellers: SellerCache;
  /** Throws DatabaseGoneError when the database file was deleted or replaced since it was opened. */
  checkFile(): void;
  alerts: AlertStore;
  migrationsApplied: number[];
  columnsAdded: string[];
}

/** Told of what is written, so that a benchmark observes the daemon without standing in its way. */
export interface StoreObservers {
  /** A chunk recorded on a run; `progress` false for one that only recorded failures. */
  onChunk?: (atMs: number, progress: boolean) => void;
  /** A deal row written: `full` by an analysis, `light` by a refresh or a seller lookup. */
  onUpsert?: (row: DealRow, nowMs: number, kind: SaveKind) => void;
}

/** `minSalesPerYear`: the visible rule's minimum sales velocity (`peek.minSalesPerYear`). */
export function storeFor(db: Db, columns: readonly DealColumn[], minSalesPerYear = DEFAULT_PEEK.minSalesPerYear, observe: StoreObservers = {}): Omit<Store, 'migrationsApplied' | 'columnsAdded'> {
  const system = new SystemState(db);
  return {
    db,
    columns,
    deals: new DealStore(db, columns, minSalesPerYear, observe.onUpsert),
    minSalesPerYear,
    evidence: new EvidenceStore(db),
    queue: new Queue(db),
    system,
    watermark: new WatermarkStore(system),
    leases: new Leases(db),
    runs: new Runs(db, observe.onChunk),
    sellers: new SellerCache(db),
    checkFile: () => undefined,
    alerts: new AlertStore(db),
  };
}

export function openStore(options: { path: string; columns: readonly DealColumn[]; nowMs: number; minSalesPerYear?: number; observe?: StoreObservers }): Store {
  const { db, migrationsApplied, columnsAdded } = openDatabase(options);
  return { ...storeFor(db, options.columns, options.minSalesPerYear, options.observe), checkFile: databaseFileGuard(options.path), migrationsApplied, columnsAdded };
}
