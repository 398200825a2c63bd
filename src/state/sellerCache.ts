// The sellers Keepa named, kept so that a seller is paid for once in `pipeline.sellerCacheDays`
// (docs/tokens.md, "Seller lookups"), however many deals it wins.
import type { KeepaSeller } from '../keepa/types.js';
import type { Db } from './db.js';

export class SellerCache {
  private readonly getStmt;
  private readonly putStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string, number], { seller_json: string }>('SELECT seller_json FROM seller_cache WHERE seller_id = ? AND fetched_at >= ?');
    this.putStmt = db.prepare('INSERT INTO seller_cache (seller_id, seller_json, fetched_at) VALUES (?, ?, ?) ON CONFLICT (seller_id) DO UPDATE SET seller_json = excluded.seller_json, fetched_at = excluded.fetched_at');
    this.pruneStmt = db.prepare('DELETE FROM seller_cache WHERE fetched_at < ?');
  }

  /** The records of `ids` fetched at or after `sinceMs`; an id not there, or older, is left out. */
  fresh(ids: readonly string[], sinceMs: number): Record<string, KeepaSeller> {
    const out: Record<string, KeepaSeller> = {};
    for (const id of ids) {
      const row = this.getStmt.get(id, sinceMs);
      if (row !== undefined) out[id] = JSON.parse(row.seller_json) as KeepaSeller;
    }
    return out;
  }

  /** Keeps what Keepa answered (inside the chunk's transaction). */
  put(sellers: Readonly<Record<string, KeepaSeller>>, nowMs: number): void {
    for (const [id, record] of Object.entries(sellers)) this.putStmt.run(id, JSON.stringify(record), nowMs);
  }

  /** Deletes records fetched before `beforeMs`; returns how many. */
  prune(beforeMs: number): number {
    return this.pruneStmt.run(beforeMs).changes;
  }
}
