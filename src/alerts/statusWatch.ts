// Operational alerts: the status verdict turning stalled, and back (to ok, or to degraded when
// something short of a stall remains, such as parked items), sent to every destination
// of the alert rules. What was last sent is kept in system_state, so a restart neither repeats a
// stall alert nor forgets to say the pipeline recovered.
import type { Store } from '../state/store.js';
import { type StatusReport, stallAfterMs, type Verdict } from '../status.js';
import type { AlertSettings } from './config.js';
import { type StatusAlert, statusAlert } from './message.js';

export const STATUS_WATCH_KEY = 'alerts.status';

export interface WatchState {
  /** The last status alert sent: a stall, its recovery, or none yet. */
  alerted: 'stalled' | 'recovered' | null;
  /** Stalls alerted so far; a stall and its recovery share the number. */
  episode: number;
}

/**
 * The alert the report calls for, or null. A daemon that just started after a long stop judges
 * its last commit from before the stop; that is not a stall until the stall interval has passed
 * since the start.
 */
export function statusChange(state: WatchState, report: StatusReport): Verdict | null {
  if (report.verdict === 'stalled') return state.alerted !== 'stalled' && !justStarted(report) ? 'stalled' : null;
  return state.alerted === 'stalled' ? report.verdict : null;
}

function justStarted(r: StatusReport): boolean {
  const d = r.daemon;
  if (d === null || d.uptimeMs === null || d.ingestCron === undefined) return false;
  const lastCommitAt = r.jobs.find((j) => j.job === 'ingest')?.lastCommitAt ?? 0;
  return d.uptimeMs < stallAfterMs(d.ingestCron) && lastCommitAt < d.startedAt;
}

function readState(v: unknown): WatchState {
  if (typeof v !== 'object' || v === null) return { alerted: null, episode: 0 };
  const o = v as Record<string, unknown>;
  return { alerted: o.alerted === 'stalled' || o.alerted === 'recovered' ? o.alerted : null, episode: typeof o.episode === 'number' ? o.episode : 0 };
}

/** One rule per distinct destination URL: two rules posting to one channel get one status alert. */
export function statusDestinations(settings: Pick<AlertSettings, 'rules'>): string[] {
  const seen = new Map<string, string>();
  for (const r of settings.rules) if (!seen.has(r.destination.url)) seen.set(r.destination.url, r.name);
  return [...seen.values()];
}

/** Queues the alert the report calls for, in one transaction with the state; returns it, or null. */
export function watchStatus(store: Pick<Store, 'db' | 'system' | 'alerts'>, settings: AlertSettings, report: StatusReport, nowMs: number): StatusAlert | null {
  if (!settings.statusAlerts || settings.rules.length === 0) return null;
  return store.db
    .transaction((): StatusAlert | null => {
      const state = readState(store.system.getJson(STATUS_WATCH_KEY));
      const change = statusChange(state, report);
      if (change === null) return null;
      const episode = change === 'stalled' ? state.episode + 1 : state.episode;
      const message = statusAlert({ episode, verdict: change, reasons: report.reasons, atMs: nowMs, pageUrl: settings.pageUrl });
      const payload = JSON.stringify(message);
      for (const destination of statusDestinations(settings)) {
        store.alerts.enqueue({ id: message.id, destination, rule: message.rule, asin: null, payload, fetchedAt: null }, nowMs);
      }
      store.system.setJson(STATUS_WATCH_KEY, { alerted: change === 'stalled' ? 'stalled' : 'recovered', episode }, nowMs);
      return message;
    })
    .immediate();
}
