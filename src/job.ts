// The job contract: what the scheduler runs and what a run is given. Apart from the scheduler so
// that the pipeline, which implements jobs, never imports the scheduler that runs them.
import type { Funnel, RunOutcome } from './state/runs.js';

/** What a run is given; the pipeline's chunks take it as it is. */
export interface JobContext {
  runId: number;
  /** Aborted when the daemon stops: finish the chunk in hand, commit, and return. */
  signal: AbortSignal;
  /** Extends the job's lease; call after each committed chunk. */
  heartbeat(): void;
}

export interface JobResult {
  outcome: Extract<RunOutcome, 'ok' | 'partial'>;
  /** Counters and tokens not already recorded with a committed chunk. */
  funnel?: Funnel;
  tokens?: number;
  /** Something the operator should read although the run did not fail (stale deal list...). */
  warning?: string;
}

export interface Job {
  name: string;
  run(ctx: JobContext): Promise<JobResult>;
}
