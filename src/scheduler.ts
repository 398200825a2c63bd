// node-cron decides when; one serial runner decides what runs. At most one job runs at a time;
// a tick that finds a job running is recorded as skipped, not queued. An exception in a run is
// logged and recorded and never stops the next run.
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from './clock.js';
import { describeError, MustStopError } from './errors.js';
import type { Job } from './job.js';
import type { Logger } from './log.js';
import type { Run } from './state/runs.js';
import type { Store } from './state/store.js';

export interface SchedulerDeps {
  store: Pick<Store, 'runs' | 'leases'>;
  clock: Clock;
  log: Logger;
  /** Identifies this process in lease rows. */
  owner: string;
  /** A run's lease expires this long after its last heartbeat. */
  leaseTtlMs?: number;
  /** Told when a job found that the daemon cannot go on (its database file gone); the daemon stops. */
  onMustStop?: (e: MustStopError) => void;
}

const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

/** The time between two consecutive ticks of a cron expression (the first two from now). */
export function cronIntervalMs(expression: string): number {
  const task = cron.createTask(expression, () => undefined);
  try {
    const [a, b] = task.getNextRuns(2);
    return a && b ? b.getTime() - a.getTime() : 0;
  } finally {
    void task.destroy();
  }
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly tasks: ScheduledTask[] = [];
  private current: { name: string; done: Promise<Run | null> } | null = null;
  private readonly abort = new AbortController();
  private stopping = false;
  private readonly log: Logger;
  private readonly leaseTtlMs: number;

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log.child({ component: 'scheduler' });
    this.leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  add(job: Job): void {
    this.jobs.set(job.name, job);
  }

  /** Starts the cron schedules: `schedules` maps job names to cron expressions. */
  start(schedules: Record<string, string>): void {
    for (const [name, expression] of Object.entries(schedules)) {
      if (!this.jobs.has(name)) throw new Error(`No job named ${name} to schedule.`);
      this.tasks.push(
        cron.schedule(
          expression,
          () => {
            void this.trigger(name);
          },
          { name },
        ),
      );
      this.log.info(`scheduled ${name}`, { cron: expression });
    }
  }

  /** What a cron tick does: run the job unless another one is running. */
  trigger(name: string): Promise<Run | null> {
    if (this.stopping) return Promise.resolve(null);
    if (this.current !== null) {
      const reason = `${this.current.name} was still running`;
      this.deps.store.runs.recordSkipped(name, this.deps.clock.now(), reason);
      this.log.info(`skipped ${name}: ${reason}`, { job: name });
      return Promise.resolve(null);
    }
    // Anything the state layer throws (disk full, a lock held past the busy timeout) ends this
    // run only; the next tick tries again.
    const done = this.execute(name)
      .catch((e: unknown) => {
        this.log.error(`${name} could not run: ${describeError(e)}`, { job: name });
        return null;
      })
      .finally(() => {
        this.current = null;
      });
    this.current = { name, done };
    return done;
  }

  get running(): string | null {
    return this.current?.name ?? null;
  }

  /**
   * Stops taking new work, asks the running job to finish its chunk, and waits at most
   * `graceMs` for it. Leases are released by the run itself in `finally`.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const task of this.tasks) await task.stop();
    this.abort.abort(new Error('the daemon is stopping'));
    const current = this.current;
    if (current === null) return;
    this.log.info(`waiting up to ${graceMs} ms for ${current.name} to commit its chunk`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const result = await Promise.race([current.done.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') this.log.warn(`${current.name} did not finish within ${graceMs} ms; its uncommitted chunk will be redone`);
  }

  private async execute(name: string): Promise<Run | null> {
    const job = this.jobs.get(name);
    if (job === undefined) throw new Error(`No job named ${name}.`);
    const { runs, leases } = this.deps.store;
    const { clock, owner } = this.deps;
    const leaseName = `job:${name}`;
    if (!leases.acquire(leaseName, owner, this.leaseTtlMs, clock.now())) {
      runs.recordSkipped(name, clock.now(), `lease ${leaseName} is held by another owner`);
      this.log.warn(`skipped ${name}: its lease is held by another owner`, { job: name });
      return null;
    }
    const runId = runs.start(name, clock.now());
    const started = clock.now();
    this.log.info(`${name} started`, { job: name, runId });
    try {
      const result = await job.run({
        runId,
        signal: this.abort.signal,
        heartbeat: () => {
          leases.heartbeat(leaseName, owner, this.leaseTtlMs, clock.now());
        },
      });
      runs.finish(runId, result.outcome, clock.now(), { error: result.warning ?? null, tokens: result.tokens ?? 0, funnel: result.funnel ?? {} });
      const run = runs.get(runId);
      this.log.info(`${name} finished: ${result.outcome}`, {
        job: name,
        runId,
        ms: clock.now() - started,
        funnel: run?.funnel,
        tokens: run?.tokensSpent,
        ...(result.warning ? { warning: result.warning } : {}),
      });
      return run;
    } catch (e: unknown) {
      if (e instanceof MustStopError) this.deps.onMustStop?.(e);
      if (this.abort.signal.aborted && e === this.abort.signal.reason) {
        // A stop is not a failure: what the run committed stays, the rest waits for the next start.
        runs.finish(runId, 'partial', clock.now());
        this.log.info(`${name} stopped early: the daemon is stopping`, { job: name, runId, ms: clock.now() - started });
        return runs.get(runId);
      }
      const error = describeError(e);
      try {
        runs.finish(runId, 'failed', clock.now(), { error });
      } catch (recordError: unknown) {
        this.log.error(`could not record the failure of ${name}`, { job: name, runId, error: describeError(recordError) });
      }
      this.log.error(`${name} failed: ${error}`, { job: name, runId, ms: clock.now() - started });
      return runs.get(runId);
    } finally {
      try {
        leases.release(leaseName, owner);
      } catch (e: unknown) {
        this.log.error(`could not release lease ${leaseName}; it expires by itself`, { error: describeError(e) });
      }
    }
  }
}
