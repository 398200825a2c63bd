// Key/value system state: what must survive a restart (the watermark, the saved token figures, the
// discovery look in progress), each kept by the module that owns it.
import type Database from 'better-sqlite3';

type Db = Database.Database;

export class SystemState {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM system_state WHERE key = ?').pluck();
    this.setStmt = db.prepare('INSERT INTO system_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
  }

  getJson(key: string): unknown {
    const v: unknown = this.getStmt.get(key);
    if (typeof v !== 'string') return undefined;
    return JSON.parse(v);
  }

  setJson(key: string, value: unknown, nowMs: number): void {
    this.setStmt.run(key, JSON.stringify(value), nowMs);
  }
}
