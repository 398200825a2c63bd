import { describe, expect, it } from 'vitest';
import { UnknownRowValueError } from '../../src/errors.js';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

/** A row as another version (or a hand) may leave it: the schema's CHECK constraints are bypassed. */
function writeByHand(store: ReturnType<typeof memoryStore>, sql: string): void {
  store.db.pragma('ignore_check_constraints = ON');
  store.db.exec(sql);
  store.db.pragma('ignore_check_constraints = OFF');
}

describe('rows with a value this version does not know', () => {
  it('a queue stage, a run outcome and an alert state it does not know are refused with a sentence, never read as another', () => {
    const store = memoryStore(smallColumns());
    store.queue.offer({ asin: 'A1', lastUpdateKm: 100, priority: 0, dealJson: null }, T0);
    const run = store.runs.start('ingest', T0);
    store.alerts.enqueue({ id: 'm1', destination: 'hook', rule: 'cheap', asin: 'A1', payload: '{}', fetchedAt: T0 }, T0);
    expect(store.queue.get('A1')?.stage).toBe('queued');
    expect(store.runs.get(run)?.outcome).toBe('running');
    expect(store.alerts.recent(5)[0]?.state).toBe('pending');

    writeByHand(store, "UPDATE queue SET stage = 'archived'; UPDATE runs SET outcome = 'cancelled'; UPDATE alert_outbox SET state = 'bounced'");
    expect(() => store.queue.get('A1')).toThrow(UnknownRowValueError);
    expect(() => store.queue.get('A1')).toThrow(/queue item A1 has stage "archived", which this version does not know \(queued, peeked/);
    expect(() => store.queue.depthByStage()).toThrow(UnknownRowValueError);
    expect(() => store.runs.get(run)).toThrow(/run \d+ has outcome "cancelled"/);
    expect(() => store.alerts.recent(5)).toThrow(/alert message m1 has state "bounced".*restore a backup/);
    expect(() => store.alerts.countByState()).toThrow(UnknownRowValueError);
  });
});
