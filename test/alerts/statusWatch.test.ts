import { describe, expect, it } from 'vitest';
import { statusChange } from '../../src/alerts/statusWatch.js';
import type { StatusReport } from '../../src/status.js';
import { stalledFixture } from '../ops/fixture.js';

const MINUTE = 60_000;

/** The stalled fixture's report, with the daemon started `upMs` ago and the verdict given. */
function report(verdict: StatusReport['verdict'], upMs: number): StatusReport {
  const r = stalledFixture().report();
  const startedAt = Date.parse(r.generatedAt) - upMs;
  return { ...r, verdict, daemon: r.daemon && { ...r.daemon, startedAt, uptimeMs: upMs, ingestCron: '*/5 * * * *' } };
}

describe('status alerts', () => {
  it('a stall alerts once; leaving it alerts the verdict it recovered to', () => {
    const stalled = report('stalled', 5 * 60 * MINUTE);
    expect(stalledFixture().report().verdict).toBe('stalled');
    expect(statusChange({ alerted: null, episode: 0 }, stalled)).toBe('stalled');
    expect(statusChange({ alerted: 'stalled', episode: 1 }, stalled)).toBeNull();
    expect(statusChange({ alerted: 'stalled', episode: 1 }, report('ok', 5 * 60 * MINUTE))).toBe('ok');
    expect(statusChange({ alerted: 'stalled', episode: 1 }, report('degraded', 5 * 60 * MINUTE))).toBe('degraded');
    expect(statusChange({ alerted: 'recovered', episode: 1 }, report('ok', 5 * 60 * MINUTE))).toBeNull();
    expect(statusChange({ alerted: null, episode: 0 }, report('degraded', 5 * 60 * MINUTE))).toBeNull();
  });

  it('a daemon just started after a long stop is not stalled until the stall interval has passed since its start', () => {
    // The fixture's last commit is 3 h old: from before this start.
    expect(statusChange({ alerted: null, episode: 0 }, report('stalled', 10 * MINUTE))).toBeNull();
    expect(statusChange({ alerted: 'recovered', episode: 2 }, report('stalled', 31 * MINUTE))).toBe('stalled');
  });
});
