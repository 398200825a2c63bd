import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import type { Job } from '../src/job.js';
import { createLogger, silentLogger } from '../src/log.js';
import { cronIntervalMs, Scheduler } from '../src/scheduler.js';
import { buildStatus } from '../src/status.js';
import { lineSink, memoryStore, smallColumns, virtualClock } from './helpers.js';

function setup() {
  const store = memoryStore(smallColumns());
  const clock = virtualClock();
  const scheduler = new Scheduler({ store, clock, log: silentLogger(), owner: 'test-daemon' });
  return { store, clock, scheduler };
}

function gatedJob(name: string): { job: Job; release: () => void; started: Promise<void> } {
  let release!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const gate = new Promise<void>((r) => (release = r));
  return {
    job: {
      name,
      run: async () => {
        markStarted();
        await gate;
        return { outcome: 'ok', funnel: { saved: 1 } };
      },
    },
    release,
    started,
  };
}

describe('scheduler', () => {
  it('a tick that finds a job running is recorded as skipped, not queued', async () => {
    const { store, scheduler } = setup();
    const ingest = gatedJob('ingest');
    scheduler.add(ingest.job);
    scheduler.add({ name: 'janitor', run: async () => ({ outcome: 'ok' }) });
    const first = scheduler.trigger('ingest');
    await ingest.started;
    expect(await scheduler.trigger('janitor')).toBeNull();
    expect(await scheduler.trigger('ingest')).toBeNull();
    ingest.release();
    expect(await first).toMatchObject({ job: 'ingest', outcome: 'ok', funnel: { saved: 1 } });
    const outcomes = store.runs.recentRuns(10).map((r) => [r.job, r.outcome]);
    expect(outcomes).toEqual([
      ['ingest', 'skipped'],
      ['janitor', 'skipped'],
      ['ingest', 'ok'],
    ]);
  });

  it('an exception in one run is recorded and never stops the next run', async () => {
    const { store, scheduler } = setup();
    let calls = 0;
    scheduler.add({
      name: 'ingest',
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('Keepa exploded');
        return { outcome: 'ok' };
      },
    });
    expect(await scheduler.trigger('ingest')).toMatchObject({ outcome: 'failed', error: 'Error: Keepa exploded' });
    expect(await scheduler.trigger('ingest')).toMatchObject({ outcome: 'ok' });
    expect(store.leases.all()).toEqual([]);
  });

  it('holds a lease while a job runs and releases it after, even on failure', async () => {
    const { store, scheduler } = setup();
    const ingest = gatedJob('ingest');
    scheduler.add(ingest.job);
    const run = scheduler.trigger('ingest');
    await ingest.started;
    expect(store.leases.all()).toMatchObject([{ name: 'job:ingest', owner: 'test-daemon' }]);
    ingest.release();
    await run;
    expect(store.leases.all()).toEqual([]);
  });

  it('stop() signals the running job and waits for it to commit', async () => {
    const { store, scheduler } = setup();
    let sawAbort = false;
    scheduler.add({
      name: 'ingest',
      run: async ({ signal }) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        sawAbort = signal.aborted;
        return { outcome: 'partial' };
      },
    });
    const run = scheduler.trigger('ingest');
    await scheduler.stop(5_000);
    expect(sawAbort).toBe(true);
    expect(await run).toMatchObject({ outcome: 'partial' });
    expect(await scheduler.trigger('ingest')).toBeNull();
    expect(store.runs.recentRuns(5)).toHaveLength(1);
  });

  it('a stop during a back-off is not a failure: no error line, no failed run, no degraded verdict', async () => {
    const store = memoryStore(smallColumns());
    const clock = virtualClock();
    const { lines, stream } = lineSink();
    const log = createLogger({ level: 'info', format: 'json', stream });
    const scheduler = new Scheduler({ store, clock, log, owner: 'test-daemon' });
    store.system.setJson('daemon', { pid: 1, version: 'x', startedAt: clock.now() }, clock.now());
    let sleeping!: () => void;
    const asleep = new Promise<void>((r) => (sleeping = r));
    // A job waiting out a retry delay, as the Keepa client does (in real time: the virtual clock never waits).
    scheduler.add({
      name: 'ingest',
      run: async ({ signal }) => {
        const wait = systemClock.sleep(60_000, signal);
        sleeping();
        await wait;
        return { outcome: 'ok' };
      },
    });
    const run = scheduler.trigger('ingest');
    await asleep;
    await scheduler.stop(5_000);
    expect(await run).toMatchObject({ outcome: 'partial', error: null });
    expect(lines.filter((l) => /"level":"error"/.test(l))).toEqual([]);
    expect(lines.some((l) => /ingest stopped early: the daemon is stopping/.test(l))).toBe(true);
    const report = buildStatus({ store, config: { ingestCron: '*/5 * * * *', pipeline: { candidateMaxAgeHours: 24 } }, nowMs: clock.now(), daemonRunning: true });
    expect(report.reasons.filter((r) => /failed/.test(r))).toEqual([]);
  });

  it('reads the interval of a cron expression, seconds field included', () => {
    expect(cronIntervalMs('*/5 * * * *')).toBe(5 * 60_000);
    expect(cronIntervalMs('*/10 * * * * *')).toBe(10_000);
  });
});
