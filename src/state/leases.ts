// Leases, not locks: a row with owner, expiry and heartbeat. A dead owner's lease expires by
// itself, and at start the daemon (which holds the process lock, so it is the only one)
// clears leases left by its previous life.
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface Lease {
  name: string;
  owner: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

function toLease(r: unknown): Lease | null {
  if (typeof r !== 'object' || r === null) return null;
  const o = r as Record<string, unknown>;
  if (typeof o.name !== 'string' || typeof o.owner !== 'string') return null;
  return {
    name: o.name,
    owner: o.owner,
    acquiredAt: Number(o.acquired_at),
    heartbeatAt: Number(o.heartbeat_at),
    expiresAt: Number(o.expires_at),
  };
}

export class Leases {
  private readonly take: Database.Statement;
  private readonly beat: Database.Statement;
  private readonly drop: Database.Statement;
  private readonly dropAll: Database.Statement;
  private readonly list: Database.Statement;

  constructor(db: Db) {
    // Taken when free, expired, or already ours; a live lease of another owner is left alone.
    this.take = db.prepare(`
      INSERT INTO leases (name, owner, acquired_at, heartbeat_at, expires_at) VALUES (@name, @owner, @now, @now, @expires)
      ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at,
        heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
      WHERE leases.expires_at <= @now OR leases.owner = @owner`);
    this.beat = db.prepare('UPDATE leases SET heartbeat_at = @now, expires_at = @expires WHERE name = @name AND owner = @owner');
    this.drop = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
    this.dropAll = db.prepare('DELETE FROM leases');
    this.list = db.prepare('SELECT * FROM leases ORDER BY name');
  }

  acquire(name: string, owner: string, ttlMs: number, nowMs: number): boolean {
    return this.take.run({ name, owner, now: nowMs, expires: nowMs + ttlMs }).changes === 1;
  }

  heartbeat(name: string, owner: string, ttlMs: number, nowMs: number): boolean {
    return this.beat.run({ name, owner, now: nowMs, expires: nowMs + ttlMs }).changes === 1;
  }

  release(name: string, owner: string): void {
    this.drop.run(name, owner);
  }

  /** Only for a daemon that holds the process lock: every lease left is from a dead process. */
  clearAbandoned(): number {
    return this.dropAll.run().changes;
  }

  all(): Lease[] {
    return this.list
      .all()
      .map(toLease)
      .filter((l): l is Lease => l !== null);
  }
}
