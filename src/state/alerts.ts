// The alert tables: each rule's episode per ASIN, and the outbox of messages with their delivery
// state. Writes happen inside the caller's transaction (the chunk commit, or the delivery loop's
// one-row updates); nothing here awaits.
import type Database from 'better-sqlite3';
import { knownValue } from './knownValue.js';

type Db = Database.Database;

export type OutboxState = 'pending' | 'stale' | 'delivered' | 'parked' | 'dropped';
export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'stale', 'delivered', 'parked', 'dropped'];

export interface Episode {
  episode: number;
  matching: boolean;
  dealFirstSeenAt: number;
}

export interface OutboxRow {
  id: string;
  destination: string;
  rule: string;
  asin: string | null;
  state: OutboxState;
  payload: string;
  fetchedAt: number | null;
  createdAt: number;
  updatedAt: number;
  attempts: number;
  nextTryAt: number;
  lastAnswer: string | null;
  deliveredAt: number | null;
}

export interface NewOutboxRow {
  id: string;
  destination: string;
  rule: string;
  asin: string | null;
  payload: string;
  fetchedAt: number | null;
}

const int = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

function toOutboxRow(r: unknown): OutboxRow {
  const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
  return {
    id: String(o.id),
    destination: String(o.destination),
    rule: String(o.rule),
    asin: typeof o.asin === 'string' ? o.asin : null,
    state: knownValue(OUTBOX_STATES, o.state, 'state', `alert message ${String(o.id)}`),
    payload: String(o.payload),
    fetchedAt: int(o.fetched_at),
    createdAt: int(o.created_at) ?? 0,
    updatedAt: int(o.updated_at) ?? 0,
    attempts: int(o.attempts) ?? 0,
    nextTryAt: int(o.next_try_at) ?? 0,
    lastAnswer: typeof o.last_answer === 'string' ? o.last_answer : null,
    deliveredAt: int(o.delivered_at),
  };
}

export class AlertStore {
  private readonly getEpisode: Database.Statement;
  private readonly putEpisode: Database.Statement;
  private readonly dealTimes: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly refreshOpenStmt: Database.Statement;
  private readonly dropOpenStmt: Database.Statement;
  private readonly dueStmt: Database.Statement;
  private readonly deliveredStmt: Database.Statement;
  private readonly failedStmt: Database.Statement;
  private readonly staleStmt: Database.Statement;
  private readonly recentStmt: Database.Statement;
  private readonly byStateStmt: Database.Statement;
  private readonly inStateStmt: Database.Statement;
  private readonly lastDeliveredStmt: Database.Statement;
  private readonly pruneStmt: Database.Statement;
  private readonly retryParkedStmt: Database.Statement;

  constructor(db: Db) {
    this.getEpisode = db.prepare('SELECT episode, matching, deal_first_seen_at FROM alert_episodes WHERE rule = ? AND asin = ?');
    this.putEpisode = db.prepare(`INSERT INTO alert_episodes (rule, asin, episode, matching, deal_first_seen_at, changed_at) VALUES (@rule, @asin, @episode, @matching, @firstSeen, @now)
      ON CONFLICT (rule, asin) DO UPDATE SET episode = excluded.episode, matching = excluded.matching, deal_first_seen_at = excluded.deal_first_seen_at, changed_at = excluded.changed_at`);
    this.dealTimes = db.prepare('SELECT first_seen_at, MAX(COALESCE(analyzed_at, 0), COALESCE(refreshed_at, 0)) AS fetched_at FROM deals WHERE "ASIN" = ?');
    this.insert = db.prepare(`INSERT INTO alert_outbox (id, destination, rule, asin, state, payload, fetched_at, created_at, updated_at, next_try_at)
      VALUES (@id, @destination, @rule, @asin, 'pending', @payload, @fetchedAt, @now, @now, @now) ON CONFLICT DO NOTHING`);
    this.refreshOpenStmt = db.prepare(`UPDATE alert_outbox SET payload = @payload, fetched_at = @fetchedAt, updated_at = @now,
      next_try_at = CASE WHEN state = 'stale' THEN @now ELSE next_try_at END, state = 'pending'
      WHERE id = @id AND state IN ('pending', 'stale')`);
    this.dropOpenStmt = db.prepare("UPDATE alert_outbox SET state = 'dropped', last_answer = @why, updated_at = @now WHERE id = @id AND state IN ('pending', 'stale')");
    this.dueStmt = db.prepare("SELECT * FROM alert_outbox WHERE state = 'pending' AND next_try_at <= ? ORDER BY next_try_at, created_at LIMIT ?");
    this.deliveredStmt = db.prepare("UPDATE alert_outbox SET state = 'delivered', attempts = attempts + 1, last_answer = @answer, delivered_at = @now, updated_at = @now WHERE id = @id AND destination = @destination");
    this.failedStmt = db.prepare(`UPDATE alert_outbox SET attempts = attempts + 1, last_answer = @answer, updated_at = @now,
      state = CASE WHEN @park = 1 THEN 'parked' ELSE 'pending' END, next_try_at = @nextTryAt WHERE id = @id AND destination = @destination`);
    this.staleStmt = db.prepare("UPDATE alert_outbox SET state = 'stale', last_answer = @why, updated_at = @now WHERE id = @id AND destination = @destination AND state = 'pending'");
    this.recentStmt = db.prepare('SELECT * FROM alert_outbox ORDER BY created_at DESC, id LIMIT ?');
    this.byStateStmt = db.prepare('SELECT state, COUNT(*) AS n FROM alert_outbox GROUP BY state');
    this.inStateStmt = db.prepare('SELECT * FROM alert_outbox WHERE state = ? ORDER BY updated_at DESC, id LIMIT ?');
    this.lastDeliveredStmt = db.prepare('SELECT MAX(delivered_at) FROM alert_outbox').pluck();
    this.pruneStmt = db.prepare("DELETE FROM alert_outbox WHERE state IN ('delivered', 'dropped', 'parked', 'stale') AND updated_at < ?");
    this.retryParkedStmt = db.prepare("UPDATE alert_outbox SET state = 'pending', attempts = 0, next_try_at = @now, updated_at = @now WHERE state = 'parked' AND (@rule IS NULL OR destination = @rule)");
  }

  episode(rule: string, asin: string): Episode | null {
    const r: unknown = this.getEpisode.get(rule, asin);
    if (typeof r !== 'object' || r === null) return null;
    const o = r as Record<string, unknown>;
    return { episode: int(o.episode) ?? 0, matching: o.matching === 1, dealFirstSeenAt: int(o.deal_first_seen_at) ?? 0 };
  }

  setEpisode(rule: string, asin: string, e: Episode, nowMs: number): void {
    this.putEpisode.run({ rule, asin, episode: e.episode, matching: e.matching ? 1 : 0, firstSeen: e.dealFirstSeenAt, now: nowMs });
  }

  /** When the saved deal was first seen and when its data was last fetched from Keepa; null when not saved. */
  dealTimesOf(asin: string): { firstSeenAt: number; fetchedAt: number } | null {
    const r: unknown = this.dealTimes.get(asin);
    if (typeof r !== 'object' || r === null) return null;
    const o = r as Record<string, unknown>;
    return { firstSeenAt: int(o.first_seen_at) ?? 0, fetchedAt: int(o.fetched_at) ?? 0 };
  }

  /** Adds a message; one already there under the same key and destination is left as it is. */
  enqueue(row: NewOutboxRow, nowMs: number): boolean {
    return this.insert.run({ ...row, now: nowMs }).changes > 0;
  }

  /** Gives the unsent messages of `id` the newest data; a stale one becomes due at once. */
  refreshOpen(id: string, payload: string, fetchedAt: number, nowMs: number): number {
    return this.refreshOpenStmt.run({ id, payload, fetchedAt, now: nowMs }).changes;
  }

  /** The deal stopped matching before the messages of `id` were sent: they are not sent. */
  dropOpen(id: string, why: string, nowMs: number): number {
    return this.dropOpenStmt.run({ id, why, now: nowMs }).changes;
  }

  due(nowMs: number, limit: number): OutboxRow[] {
    return this.dueStmt.all(nowMs, limit).map(toOutboxRow);
  }

  markDelivered(row: Pick<OutboxRow, 'id' | 'destination'>, answer: string, nowMs: number): void {
    this.deliveredStmt.run({ id: row.id, destination: row.destination, answer, now: nowMs });
  }

  /** A failed send: tried again at `nextTryAt`, or parked when that is null. */
  markFailed(row: Pick<OutboxRow, 'id' | 'destination'>, answer: string, nowMs: number, nextTryAt: number | null): void {
    this.failedStmt.run({ id: row.id, destination: row.destination, answer, now: nowMs, park: nextTryAt === null ? 1 : 0, nextTryAt: nextTryAt ?? nowMs });
  }

  markStale(row: Pick<OutboxRow, 'id' | 'destination'>, why: string, nowMs: number): void {
    this.staleStmt.run({ id: row.id, destination: row.destination, why, now: nowMs });
  }

  /** Newest first. */
  recent(limit: number): OutboxRow[] {
    return this.recentStmt.all(limit).map(toOutboxRow);
  }

  inState(state: OutboxState, limit: number): OutboxRow[] {
    return this.inStateStmt.all(state, limit).map(toOutboxRow);
  }

  countByState(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, stale: 0, delivered: 0, parked: 0, dropped: 0 };
    for (const r of this.byStateStmt.all()) {
      const o = r as Record<string, unknown>;
      out[knownValue(OUTBOX_STATES, o.state, 'state', 'an alert message')] = int(o.n) ?? 0;
    }
    return out;
  }

  /**
   * Forgets settled messages last changed before `cutoffMs`. The episode counters stay, so a key
   * is never reused.
   */
  prune(cutoffMs: number): number {
    return this.pruneStmt.run(cutoffMs).changes;
  }

  /** Parked messages (of one rule's destination, or all) are tried again from now, with a fresh count. */
  retryParked(rule: string | null, nowMs: number): number {
    return this.retryParkedStmt.run({ rule, now: nowMs }).changes;
  }

  lastDeliveredAt(): number | null {
    return int(this.lastDeliveredStmt.get());
  }
}
