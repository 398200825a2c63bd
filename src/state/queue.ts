// The work queue of candidate deals. Discovery offers candidates; processing takes small
// chunks, and each item ends done, rejected (with a reason), expired, or, after repeated
// failures, parked with its reason. Nothing leaves silently.
import type Database from 'better-sqlite3';
import { knownValue } from './knownValue.js';

type Db = Database.Database;

export type Stage = 'queued' | 'peeked' | 'done' | 'rejected' | 'parked' | 'expired';
const STAGES: readonly Stage[] = ['queued', 'peeked', 'done', 'rejected', 'parked', 'expired'];
/** Stages that still wait for work. */
export const OPEN_STAGES: readonly Stage[] = ['queued', 'peeked'];

export interface Candidate {
  asin: string;
  lastUpdateKm: number;
  /** The value model's ordering key (pipeline/value.ts): higher is worked first. */
  priority: number;
  dealJson: string | null;
  /**
   * When the deal's cheap price appeared (epoch ms). An item still waiting that takes a deal whose
   * price appeared after it was queued counts its wait from then: it is new work, not a backlog.
   */
  appearedAtMs?: number;
}

export interface QueueItem {
  asin: string;
  lastUpdateKm: number;
  stage: Stage;
  priority: number;
  attempts: number;
  nextTryAt: number;
  lastError: string | null;
  parkedReason: string | null;
  rejectReason: string | null;
  dealJson: string | null;
  queuedAt: number;
  updatedAt: number;
  processedLastUpdateKm: number | null;
  /** When the product was last fetched with history and analysed, or null. */
  analyzedAt: number | null;
  /** Tokens spent fetching this item: its share of each chunk that fetched it. */
  tokensSpent: number;
}

export type OfferOutcome = 'queued' | 'updated';

function toItem(r: unknown): QueueItem {
  const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    asin: String(o.asin),
    lastUpdateKm: Number(o.deal_last_update_km),
    stage: knownValue(STAGES, o.stage, 'stage', `queue item ${String(o.asin)}`),
    priority: Number(o.priority),
    attempts: Number(o.attempts),
    nextTryAt: Number(o.next_try_at),
    lastError: str(o.last_error),
    parkedReason: str(o.parked_reason),
    rejectReason: str(o.reject_reason),
    dealJson: str(o.deal_json),
    queuedAt: Number(o.queued_at),
    updatedAt: Number(o.updated_at),
    processedLastUpdateKm: typeof o.processed_last_update_km === 'number' ? o.processed_last_update_km : null,
    analyzedAt: typeof o.analyzed_at === 'number' ? o.analyzed_at : null,
    tokensSpent: typeof o.tokens_spent === 'number' ? o.tokens_spent : 0,
  };
}

export class Queue {
  private readonly getStmt: Database.Statement;
  private readonly insertStmt: Database.Statement;
  private readonly requeueStmt: Database.Statement;
  private readonly refreshOpenStmt: Database.Statement;
  private readonly dueStmt: Database.Statement;
  private readonly moveStmt: Database.Statement;
  private readonly finishStmt: Database.Statement;
  private readonly failStmt: Database.Statement;
  private readonly parkStmt: Database.Statement;
  private readonly expireStmt: Database.Statement;
  private readonly pruneStmt: Database.Statement;
  private readonly depthStmt: Database.Statement;
  private readonly oldestStmt: Database.Statement;
  private readonly parkedStmt: Database.Statement;
  private readonly nextTryStmt: Database.Statement;
  private readonly noteDealStmt: Database.Statement;
  private readonly parkedItemsStmt: Database.Statement;
  private readonly addTokensStmt: Database.Statement;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT * FROM queue WHERE asin = ?');
    this.insertStmt = db.prepare(`INSERT INTO queue (asin, deal_last_update_km, stage, priority, deal_json, queued_at, updated_at)
      VALUES (@asin, @km, 'queued', @priority, @deal, @now, @now)`);
    this.requeueStmt = db.prepare(`UPDATE queue SET deal_last_update_km = @km, stage = 'queued', priority = @priority, deal_json = @deal,
      attempts = 0, next_try_at = 0, last_error = NULL, parked_reason = NULL, reject_reason = NULL, queued_at = @now, updated_at = @now
      WHERE asin = @asin`);
    // A peeked item keeps the value its peek gave it.
    this.refreshOpenStmt = db.prepare(`UPDATE queue SET deal_last_update_km = @km, priority = CASE WHEN stage = 'queued' THEN @priority ELSE priority END,
      deal_json = @deal, queued_at = MAX(queued_at, MIN(@appeared, @now)), updated_at = @now WHERE asin = @asin`);
    this.dueStmt = db.prepare(`SELECT * FROM queue WHERE stage = @stage AND next_try_at <= @now AND queued_at >= @since
      ORDER BY priority DESC, deal_last_update_km DESC, asin LIMIT @limit`);
    this.moveStmt = db.prepare(`UPDATE queue SET stage = @stage, priority = COALESCE(@priority, priority), attempts = 0, next_try_at = 0,
      last_error = NULL, updated_at = @now WHERE asin = @asin`);
    this.finishStmt = db.prepare(`UPDATE queue SET stage = @stage, reject_reason = @reason, processed_last_update_km = deal_last_update_km,
      analyzed_at = CASE WHEN @analyzed = 1 THEN @now ELSE analyzed_at END, last_error = NULL, next_try_at = 0, updated_at = @now WHERE asin = @asin`);
    this.failStmt = db.prepare('UPDATE queue SET attempts = attempts + 1, last_error = @error, next_try_at = @next, updated_at = @now WHERE asin = @asin');
    this.parkStmt = db.prepare("UPDATE queue SET stage = 'parked', attempts = attempts + 1, last_error = @error, parked_reason = @reason, updated_at = @now WHERE asin = @asin");
    this.expireStmt = db.prepare(`UPDATE queue SET stage = 'expired', reject_reason = 'expired', updated_at = @now
      WHERE stage IN ('queued', 'peeked') AND queued_at < @cutoff RETURNING asin`);
    this.pruneStmt = db.prepare(`DELETE FROM queue WHERE stage IN ('done', 'rejected', 'expired') AND updated_at < ?
      AND asin NOT IN (SELECT "ASIN" FROM deals)`);
    this.depthStmt = db.prepare('SELECT stage, COUNT(*) AS n FROM queue GROUP BY stage');
    this.oldestStmt = db.prepare("SELECT MIN(queued_at) FROM queue WHERE stage IN ('queued', 'peeked')").pluck();
    this.parkedStmt = db.prepare("SELECT parked_reason AS reason, COUNT(*) AS n FROM queue WHERE stage = 'parked' GROUP BY parked_reason");
    this.nextTryStmt = db.prepare('SELECT MIN(next_try_at) FROM queue WHERE stage = ?').pluck();
    this.noteDealStmt = db.prepare('UPDATE queue SET deal_json = ? WHERE asin = ?');
    this.parkedItemsStmt = db.prepare("SELECT * FROM queue WHERE stage = 'parked' ORDER BY updated_at DESC, asin LIMIT ?");
    this.addTokensStmt = db.prepare('UPDATE queue SET tokens_spent = tokens_spent + ? WHERE asin = ?');
  }

  get(asin: string): QueueItem | null {
    const r: unknown = this.getStmt.get(asin);
    return r === undefined ? null : toItem(r);
  }

  /**
   * Puts a candidate in the queue; whether it is new work is decided before (pipeline/newWork.ts).
   * A new ASIN is queued, a parked or finished one queued again from scratch, and an item still
   * waiting takes the newer deal (`updated`).
   */
  offer(c: Candidate, nowMs: number): OfferOutcome {
    const existing = this.get(c.asin);
    const params = { asin: c.asin, km: c.lastUpdateKm, priority: c.priority, deal: c.dealJson, now: nowMs, appeared: c.appearedAtMs ?? 0 };
    if (existing === null) {
      this.insertStmt.run(params);
      return 'queued';
    }
    if (OPEN_STAGES.includes(existing.stage)) {
      this.refreshOpenStmt.run(params);
      return 'updated';
    }
    this.requeueStmt.run(params);
    return 'queued';
  }

  /** Keeps the latest deal record of a finished item, for comparing the next one with it. */
  noteDeal(asin: string, dealJson: string): void {
    this.noteDealStmt.run(dealJson, asin);
  }

  /**
   * Items of `stage` due now, most valuable first (the value model's key, docs/tokens.md);
   * only those queued at or after `queuedSince` when it is given.
   */
  due(stage: Stage, limit: number, nowMs: number, queuedSince = 0): QueueItem[] {
    return this.dueStmt.all({ stage, now: nowMs, limit, since: queuedSince }).map(toItem);
  }

  /** The most valuable item of `stage` due now (as `due` ranks them), or null when none is. */
  head(stage: Stage, nowMs: number, queuedSince = 0): QueueItem | null {
    return this.due(stage, 1, nowMs, queuedSince)[0] ?? null;
  }

  /** Moves an item to the next open stage (queued -> peeked), re-ranked when a priority is given. */
  advance(asin: string, stage: 'queued' | 'peeked', nowMs: number, priority: number | null = null): void {
    this.moveStmt.run({ asin, stage, priority, now: nowMs });
  }

  /**
   * Ends an item: done, or rejected with its reason. Its deal's lastUpdate counts as processed;
   * `analyzed` records that its history was fetched and analysed now.
   */
  finish(asin: string, outcome: 'done' | 'rejected', reason: string | null, nowMs: number, analyzed = false): void {
    this.finishStmt.run({ asin, stage: outcome, reason, now: nowMs, analyzed: analyzed ? 1 : 0 });
  }

  /**
   * Records a failure. The item keeps its place and is tried again after `retryDelayMs`; after
   * `maxAttempts` it is parked with `reason`. Returns whether it was parked.
   */
  fail(asin: string, error: string, reason: string, opts: { nowMs: number; retryDelayMs: number; maxAttempts: number }): boolean {
    const item = this.get(asin);
    if (item === null) return false;
    if (item.attempts + 1 >= opts.maxAttempts) {
      this.parkStmt.run({ asin, error, reason, now: opts.nowMs });
      return true;
    }
    this.failStmt.run({ asin, error, next: opts.nowMs + opts.retryDelayMs, now: opts.nowMs });
    return false;
  }

  /** Candidates that waited longer than the cutoff are dropped with reason `expired`. */
  /** Deletes items finished before `beforeMs`, except those of saved deals (discovery compares their price); returns how many. */
  pruneFinished(beforeMs: number): number {
    return this.pruneStmt.run(beforeMs).changes;
  }

  expireQueuedBefore(cutoffMs: number, nowMs: number): string[] {
    return this.expireStmt.all({ cutoff: cutoffMs, now: nowMs }).map((r) => String((r as Record<string, unknown>).asin));
  }

  depthByStage(): Record<Stage, number> {
    const out: Record<Stage, number> = { queued: 0, peeked: 0, done: 0, rejected: 0, parked: 0, expired: 0 };
    for (const r of this.depthStmt.all()) {
      const o = r as Record<string, unknown>;
      out[knownValue(STAGES, o.stage, 'stage', 'a queue item')] = Number(o.n);
    }
    return out;
  }

  oldestWaitingSince(): number | null {
    const v: unknown = this.oldestStmt.get();
    return typeof v === 'number' ? v : null;
  }

  parkedByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.parkedStmt.all()) {
      const o = r as Record<string, unknown>;
      out[String(o.reason ?? 'unknown')] = Number(o.n);
    }
    return out;
  }

  /** When the earliest item of `stage` becomes due, or null when none waits. */
  nextDueAt(stage: Stage): number | null {
    const v: unknown = this.nextTryStmt.get(stage);
    return typeof v === 'number' ? v : null;
  }

  /** Shares a chunk's tokens equally among the items it fetched (an item not in the queue is skipped). */
  addTokens(asins: readonly string[], tokens: number): void {
    if (asins.length === 0 || !(tokens > 0)) return;
    for (const asin of asins) this.addTokensStmt.run(tokens / asins.length, asin);
  }

  /** The most recently parked items, for the status page. */
  parkedItems(limit: number): QueueItem[] {
    return this.parkedItemsStmt.all(limit).map(toItem);
  }
}
