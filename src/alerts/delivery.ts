// The delivery loop: a light loop of its own beside the scheduler's serial runner, so a slow or
// dead webhook never delays ingestion, and it spends no Keepa tokens. Each pass checks the status
// verdict (operational alerts), then sends the due messages one by one. A message stays pending
// until its destination answers 2xx: a crash after the answer sends it again with the same
// idempotency key, never loses it. Failures are retried with the one back-off function and parked
// after `maxAttempts`. A deal alert whose data is older than `freshMinutes` is not sent: it waits,
// `stale`, for the refresh stage to fetch the deal again (it is put first in the refresh line),
// and the chunk that saves the refresh makes it due again, or drops it if the deal no longer matches.
import type { Clock } from '../clock.js';
import { describeError } from '../errors.js';
import { backoffDelay } from '../keepa/backoff.js';
import type { Logger } from '../log.js';
import type { OutboxRow } from '../state/alerts.js';
import type { Store } from '../state/store.js';
import type { StatusReport } from '../status.js';
import { type AlertSettings, destinationName } from './config.js';
import { type Rendered, render } from './formats.js';
import { parseMessage } from './message.js';
import { type Sender, sendAlert } from './send.js';
import { watchStatus } from './statusWatch.js';

/** Messages read from the outbox at a time. */
const BATCH = 20;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 15 * 60_000;
/** The verdict is read from the database; twice a minute is soon enough for a stall of 30 min. */
const STATUS_CHECK_MS = 30_000;
/** Settled messages are kept this long for `bin/alerts`, then forgotten. */
const KEEP_SETTLED_MS = 30 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface DeliveryDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  settings: AlertSettings;
  /** The status report, read from the database; the loop watches its verdict. */
  status: () => StatusReport;
  send?: Sender;
  random?: () => number;
}

export interface PassResult {
  delivered: number;
  failed: number;
  parked: number;
  stale: number;
}

export class AlertDelivery {
  private readonly log: Logger;
  private readonly send: Sender;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private statusCheckedAt = -Infinity;
  private prunedAt = -Infinity;

  constructor(private readonly deps: DeliveryDeps) {
    this.log = deps.log.child({ component: 'alerts' });
    this.send = deps.send ?? sendAlert;
  }

  start(): void {
    if (this.loop !== null) return;
    this.loop = this.run();
  }

  /** Aborts the send in hand (the message stays pending) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the daemon is stopping'));
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await this.pass();
      } catch (e: unknown) {
        this.log.error(`alert delivery pass failed: ${describeError(e)}; trying again in ${this.deps.settings.pollSeconds} s`);
      }
      try {
        await this.deps.clock.sleep(this.deps.settings.pollSeconds * 1000, signal);
      } catch {
        return;
      }
    }
  }

  /** One pass: the status check, then the due messages. */
  async pass(): Promise<PassResult> {
    const { store, clock, settings } = this.deps;
    const result: PassResult = { delivered: 0, failed: 0, parked: 0, stale: 0 };
    if (settings.rules.length === 0) return result;
    if (clock.now() - this.statusCheckedAt >= STATUS_CHECK_MS) {
      this.statusCheckedAt = clock.now();
      const queued = watchStatus(store, settings, this.deps.status(), clock.now());
      if (queued) this.log.warn(`status turned ${queued.verdict}: alert ${queued.id} queued`, { verdict: queued.verdict, id: queued.id });
    }
    if (clock.now() - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = clock.now();
      const pruned = store.alerts.prune(clock.now() - KEEP_SETTLED_MS);
      if (pruned > 0) this.log.info(`forgot ${pruned} settled alerts older than ${KEEP_SETTLED_MS / 86_400_000} days`, { pruned });
    }
    // Until nothing is due: a failed message moves to a later try, so each round takes new rows.
    for (let due = store.alerts.due(clock.now(), BATCH); due.length > 0 && !this.stopping.signal.aborted; due = store.alerts.due(clock.now(), BATCH)) {
      for (const row of due) {
        if (this.stopping.signal.aborted) break;
        await this.deliver(row, result);
      }
    }
    return result;
  }

  private async deliver(row: OutboxRow, result: PassResult): Promise<void> {
    const { store, clock, settings } = this.deps;
    const rule = settings.rules.find((r) => r.name === row.destination);
    if (rule === undefined) {
      store.alerts.markFailed(row, `no rule "${row.destination}" in the configuration any more`, clock.now(), null);
      result.parked += 1;
      this.log.warn(`alert ${row.id} parked: its rule "${row.destination}" is no longer configured`, { id: row.id });
      return;
    }
    const freshMs = settings.freshMinutes * 60_000;
    if (row.asin !== null && row.fetchedAt !== null && clock.now() - row.fetchedAt > freshMs) {
      const asin = row.asin;
      const ageMin = Math.round((clock.now() - row.fetchedAt) / 60_000);
      store.db.transaction(() => {
        store.alerts.markStale(row, `data ${ageMin} min old; waiting for a refresh`, clock.now());
        store.deals.requestRefresh(asin);
      })();
      result.stale += 1;
      this.log.info(`alert ${row.id} waits for a refresh: its data is ${ageMin} min old (alerts.freshMinutes ${settings.freshMinutes})`, { id: row.id, asin });
      return;
    }
    const where = destinationName(rule);
    let message: Rendered;
    try {
      message = render(rule.destination.format, parseMessage(row.payload));
    } catch (e: unknown) {
      // One message that cannot be read must not hold up the others.
      store.alerts.markFailed(row, describeError(e), clock.now(), null);
      result.parked += 1;
      this.log.error(`alert ${row.id} parked: its stored message cannot be read (${describeError(e)})`, { id: row.id });
      return;
    }
    const answer = await this.send(rule.destination.url, message, { timeoutMs: settings.timeoutSeconds * 1000, signal: this.stopping.signal });
    // Stopped mid-send: no verdict on the destination; the message stays pending as it was.
    if (this.stopping.signal.aborted && !answer.ok) return;
    const now = clock.now();
    if (answer.ok) {
      store.db.transaction(() => {
        store.alerts.markDelivered(row, answer.text, now);
        store.runs.counters.add('alerts_sent_total', { rule: rule.name }, 1);
      })();
      result.delivered += 1;
      this.log.info(`alert ${row.id} delivered to ${where}`, { id: row.id, destination: where, status: answer.status, ms: answer.ms, attempt: row.attempts + 1 });
      return;
    }
    const attempts = row.attempts + 1;
    if (attempts >= settings.maxAttempts) {
      store.alerts.markFailed(row, answer.text, now, null);
      result.parked += 1;
      this.log.error(`alert ${row.id} parked after ${attempts} failed sends to ${where}: ${answer.text}; check the destination, then \`bin/alerts test ${rule.name}\``, { id: row.id, destination: where, attempts });
      return;
    }
    const delay = Math.max(1000, backoffDelay(row.attempts, { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS, hintMs: answer.retryAfterMs ?? undefined, random: this.deps.random }));
    store.alerts.markFailed(row, answer.text, now, now + delay);
    result.failed += 1;
    this.log.warn(`alert ${row.id} not delivered to ${where} (${answer.text}); try ${attempts + 1} of ${settings.maxAttempts} in ${Math.round(delay / 1000)} s`, { id: row.id, destination: where, attempts });
  }
}
