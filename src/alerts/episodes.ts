// Episodes: a deal alerts when it starts matching a rule (a new deal, or a refresh that makes it
// match), not on every refresh, and again only after it stopped matching and matches anew. The
// chunk commit calls `queueDealAlerts` inside its transaction, so the outbox message is written
// with the deal row or not at all.
import type { Episode } from '../state/alerts.js';
import type { Store } from '../state/store.js';
import type { AlertSettings } from './config.js';
import { dealAlert, dealAlertId } from './message.js';
import { matchesRule } from './rules.js';

export interface Transition {
  /** The episode to record, or null when nothing changes (a deal that never matched stays unrecorded). */
  next: Episode | null;
  starts: boolean;
  /** The episode that ended (its unsent message is not sent), or null. */
  stopped: number | null;
}

/**
 * `dealFirstSeenAt` tells a deal the janitor deleted and discovery found again from the one that
 * started the episode: the new one starts an episode of its own.
 */
export function transition(prev: Episode | null, matches: boolean, dealFirstSeenAt: number): Transition {
  const sameDeal = prev?.dealFirstSeenAt === dealFirstSeenAt;
  const wasMatching = prev?.matching === true && sameDeal;
  const ended = prev?.matching && !wasMatching ? prev.episode : null;
  if (matches && !wasMatching) return { next: { episode: (prev?.episode ?? 0) + 1, matching: true, dealFirstSeenAt }, starts: true, stopped: ended };
  if (matches) return { next: null, starts: false, stopped: null };
  if (prev?.matching) return { next: { ...prev, matching: false }, starts: false, stopped: prev.episode };
  return { next: null, starts: false, stopped: null };
}

export interface QueuedAlerts {
  started: number;
  stopped: number;
}

/** Runs inside the chunk's transaction, for the deals the chunk saved. */
export function queueDealAlerts(store: Pick<Store, 'alerts' | 'deals'>, settings: Pick<AlertSettings, 'rules' | 'pageUrl'>, asins: readonly string[], nowMs: number): QueuedAlerts {
  const counts: QueuedAlerts = { started: 0, stopped: 0 };
  if (settings.rules.length === 0) return counts;
  for (const asin of asins) {
    const row = store.deals.find(asin);
    const times = store.alerts.dealTimesOf(asin);
    if (row === null || times === null) continue;
    for (const rule of settings.rules) {
      const prev = store.alerts.episode(rule.name, asin);
      const t = transition(prev, matchesRule(rule.conditions, row), times.firstSeenAt);
      if (t.stopped !== null) {
        store.alerts.dropOpen(dealAlertId(rule.name, asin, t.stopped), 'the deal stopped matching before it was sent', nowMs);
        counts.stopped += 1;
      }
      if (t.next !== null) store.alerts.setEpisode(rule.name, asin, t.next, nowMs);
      const episode = t.next?.episode ?? prev?.episode ?? 0;
      if (!t.starts && !(prev?.matching && t.next === null)) continue;
      const message = dealAlert({ rule: rule.name, asin, episode, row, savedAtMs: nowMs, fetchedAtMs: times.fetchedAt, pageUrl: settings.pageUrl });
      const payload = JSON.stringify(message);
      if (t.starts) {
        store.alerts.enqueue({ id: message.id, destination: rule.name, rule: rule.name, asin, payload, fetchedAt: times.fetchedAt }, nowMs);
        counts.started += 1;
      } else {
        // Still matching: an unsent message gets the newer figures, and a stale one is due again.
        store.alerts.refreshOpen(message.id, payload, times.fetchedAt, nowMs);
      }
    }
  }
  return counts;
}
