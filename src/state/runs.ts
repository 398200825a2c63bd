// Run history: one row per job run, its funnel counters and tokens, written with each chunk so
// that `status` reads the truth from the database, not from a live process.
import type Database from 'better-sqlite3';
import { Counters, RUN_DURATION_BUCKETS } from './counters.js';
import { knownValue } from './knownValue.js';

type Db = Database.Database;

export type RunOutcome = 'running' | 'ok' | 'partial' | 'skipped' | 'failed' | 'interrupted';
export type Funnel = Record<string, number>;

/**
 * Whether a funnel key counts tokens spent: `tokens_<stage>` does; `tokens_saved` (never spent)
 * and `tokens_retry` (already counted in its stage's key) do not.
 */
export function isSpentTokenKey(key: string): boolean {
  return key.startsWith('tokens_') && key !== 'tokens_saved' && key !== 'tokens_retry';
}

export interface Run {
  id: number;
  job: string;
  startedAt: number;
  endedAt: number | null;
  outcome: RunOutcome;
  funnel: Funnel;
  tokensSpent: number;
  chunks: number;
  lastCommitAt: number | null;
  error: string | null;
}

const OUTCOMES: readonly RunOutcome[] = ['running', 'ok', 'partial', 'skipped', 'failed', 'interrupted'];

function parseFunnel(v: unknown): Funnel {
  const out: Funnel = {};
  if (typeof v !== 'string') return out;
  const parsed: unknown = JSON.parse(v);
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [k, n] of Object.entries(parsed)) if (typeof n === 'number') out[k] = n;
  return out;
}

function toRun(r: unknown): Run {
  const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
  const outcome = knownValue(OUTCOMES, o.outcome, 'outcome', `run ${String(o.id)}`);
  const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    id: Number(o.id),
    job: String(o.job),
    startedAt: Number(o.started_at),
    endedAt: numOrNull(o.ended_at),
    outcome,
    funnel: parseFunnel(o.funnel),
    tokensSpent: Number(o.tokens_spent),
    chunks: Number(o.chunks),
    lastCommitAt: numOrNull(o.last_commit_at),
    error: typeof o.error === 'string' ? o.error : null,
  };
}

/** Rows of `job` and one number column, as a map from job to that number. */
function perJob(rows: unknown[], column: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    const o = r as Record<string, unknown>;
    out[String(o.job)] = Number(o[column]);
  }
  return out;
}

export function addFunnel(into: Funnel, delta: Funnel): Funnel {
  for (const [k, n] of Object.entries(delta)) into[k] = (into[k] ?? 0) + n;
  return into;
}

export class Runs {
  /** Grow with the runs, in the same transactions; never reset by pruning. */
  readonly counters: Counters;
  private readonly insert: Database.Statement;
  private readonly getOne: Database.Statement;
  private readonly chunk: Database.Statement;
  private readonly finishStmt: Database.Statement;
  private readonly interrupt: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly lastPerJob: Database.Statement;
  private readonly lastCommit: Database.Statement;
  private readonly tokensSince: Database.Statement;
  private readonly lastErrorPerJob: Database.Statement;
  private readonly startedSince: Database.Statement;
  private readonly lastStartStmt: Database.Statement;

  private readonly countInterrupted: Database.Statement;
  private readonly pruneStmt: Database.Statement;

  /** `onChunk` is told of every chunk recorded (the benchmark records the commits it measures). */
  constructor(
    db: Db,
    private readonly onChunk?: (atMs: number, progress: boolean) => void,
  ) {
    this.counters = new Counters(db);
    // The newest run of each job, its newest with a commit and its newest with an error stay:
    // status judges health and explains failures from them, however old they are.
    this.pruneStmt = db.prepare(`DELETE FROM runs WHERE started_at < ? AND outcome != 'running'
      AND id NOT IN (SELECT MAX(id) FROM runs GROUP BY job)
      AND id NOT IN (SELECT MAX(id) FROM runs WHERE outcome != 'skipped' GROUP BY job)
      AND id NOT IN (SELECT MAX(id) FROM runs WHERE last_commit_at IS NOT NULL GROUP BY job)
      AND id NOT IN (SELECT MAX(id) FROM runs WHERE error IS NOT NULL AND outcome != 'skipped' GROUP BY job)`);
    this.countInterrupted = db.prepare("SELECT job, COUNT(*) AS n FROM runs WHERE outcome = 'running' GROUP BY job");
    this.insert = db.prepare("INSERT INTO runs (job, started_at, outcome) VALUES (?, ?, 'running')");
    this.getOne = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.chunk = db.prepare(`UPDATE runs SET funnel = @funnel, tokens_spent = tokens_spent + @tokens, chunks = chunks + 1,
      last_commit_at = CASE WHEN @progress = 1 THEN @now ELSE last_commit_at END WHERE id = @id`);
    this.finishStmt = db.prepare('UPDATE runs SET ended_at = @now, outcome = @outcome, error = @error, tokens_spent = tokens_spent + @tokens, funnel = @funnel WHERE id = @id');
    this.interrupt = db.prepare("UPDATE runs SET outcome = 'interrupted', ended_at = COALESCE(last_commit_at, started_at), error = COALESCE(error, 'the daemon stopped during this run (crash or kill)') WHERE outcome = 'running'");
    this.recent = db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?');
    this.lastPerJob = db.prepare("SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE outcome != 'skipped' GROUP BY job) ORDER BY job");
    this.lastCommit = db.prepare('SELECT job, MAX(last_commit_at) AS at FROM runs WHERE last_commit_at IS NOT NULL GROUP BY job');
    this.tokensSince = db.prepare('SELECT job, SUM(tokens_spent) AS tokens FROM runs WHERE started_at >= ? GROUP BY job');
    this.lastErrorPerJob = db.prepare("SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE error IS NOT NULL AND outcome != 'skipped' GROUP BY job)");
    this.startedSince = db.prepare("SELECT * FROM runs WHERE started_at >= ? AND outcome != 'skipped' ORDER BY started_at");
    this.lastStartStmt = db.prepare('SELECT job, MAX(started_at) AS at FROM runs GROUP BY job');
  }

  start(job: string, nowMs: number): number {
    return Number(this.insert.run(job, nowMs).lastInsertRowid);
  }

  get(id: number): Run | null {
    const r: unknown = this.getOne.get(id);
    return r === undefined ? null : toRun(r);
  }

  /**
   * Adds a committed chunk's counters and tokens; call inside the chunk's transaction. Only a chunk
   * that made progress moves `last_commit_at`, which health is judged by: a chunk that merely
   * recorded failures must not make a broken pipeline look alive.
   */
  recordChunk(id: number, delta: Funnel, tokens: number, nowMs: number, progress = true): void {
    const run = this.get(id);
    if (run === null) throw new Error(`Run ${id} does not exist.`);
    this.chunk.run({ id, funnel: JSON.stringify(addFunnel(run.funnel, delta)), tokens, now: nowMs, progress: progress ? 1 : 0 });
    this.count(run.job, delta, tokens);
    this.onChunk?.(nowMs, progress);
  }

  private count(job: string, funnel: Funnel, tokens: number): void {
    if (funnel.saved) this.counters.add('deals_saved_total', {}, funnel.saved);
    if (tokens) this.counters.add('keepa_tokens_consumed_total', { job }, tokens);
  }

  /** Ends a run; `tokens` and `delta` cover what was spent and counted outside committed chunks. */
  finish(id: number, outcome: Exclude<RunOutcome, 'running'>, nowMs: number, extra: { error?: string | null; tokens?: number; funnel?: Funnel } = {}): void {
    const run = this.get(id);
    if (run === null) throw new Error(`Run ${id} does not exist.`);
    this.finishStmt.run({
      id,
      now: nowMs,
      outcome,
      error: extra.error ?? null,
      tokens: extra.tokens ?? 0,
      funnel: JSON.stringify(addFunnel(run.funnel, extra.funnel ?? {})),
    });
    this.count(run.job, extra.funnel ?? {}, extra.tokens ?? 0);
    this.counters.add('runs_total', { job: run.job, outcome }, 1);
    if (outcome !== 'skipped') this.counters.observe('run_duration_seconds', { job: run.job }, Math.max(0, nowMs - run.startedAt) / 1000, RUN_DURATION_BUCKETS);
  }

  /** A tick that found another job running: recorded, not queued. */
  recordSkipped(job: string, nowMs: number, reason: string): void {
    const id = this.start(job, nowMs);
    this.finish(id, 'skipped', nowMs, { error: reason });
  }

  /** Runs left 'running' by a previous life of the daemon. */
  markInterrupted(): number {
    for (const r of this.countInterrupted.all()) {
      const o = r as { job: string; n: number };
      this.counters.add('runs_total', { job: o.job, outcome: 'interrupted' }, o.n);
    }
    return this.interrupt.run().changes;
  }

  /** Deletes the history of runs started before `beforeMs`; returns how many went. */
  prune(beforeMs: number): number {
    return this.pruneStmt.run(beforeMs).changes;
  }

  recentRuns(limit: number): Run[] {
    return this.recent.all(limit).map(toRun);
  }

  lastRunPerJob(): Run[] {
    return this.lastPerJob.all().map(toRun);
  }

  lastErrorRunPerJob(): Run[] {
    return this.lastErrorPerJob.all().map(toRun);
  }

  lastCommitPerJob(): Record<string, number> {
    return perJob(this.lastCommit.all(), 'at');
  }

  tokensSpentSince(sinceMs: number): Record<string, number> {
    return perJob(this.tokensSince.all(sinceMs), 'tokens');
  }

  /** Runs (not skipped ticks) started at or after `sinceMs`, oldest first: the page's 24-hour chart. */
  runsSince(sinceMs: number): Run[] {
    return this.startedSince.all(sinceMs).map(toRun);
  }

  /**
   * When each job last had a run row of any kind, skipped ticks included. A running daemon adds one
   * at every tick, so a long silence means it cannot write to its database.
   */
  lastStartPerJob(): Record<string, number> {
    return perJob(this.lastStartStmt.all(), 'at');
  }
}
