// The real pipeline against the simulator on a virtual clock, with the delivery loop's passes in
// between and a webhook receiver on 127.0.0.1: what a reseller's endpoint would see.
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertSettings, alertSetting } from '../../src/alerts/config.js';
import { AlertDelivery } from '../../src/alerts/delivery.js';
import { systemClock } from '../../src/clock.js';
import { createLogger, type Logger, silentLogger } from '../../src/log.js';
import { buildStatus } from '../../src/status.js';
import { renderStatusText } from '../../src/statusText.js';
import { renderMetrics } from '../../src/web/metrics.js';
import { renderPage } from '../../src/web/page.js';
import { lineSink } from '../helpers.js';
import { createHarness, type Harness } from '../pipeline/harness.js';
import { type Receiver, startReceiver } from './receiver.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let receiver: Receiver | null = null;
let harness: Harness | null = null;
afterEach(async () => {
  await receiver?.close();
  await harness?.close();
  receiver = null;
  harness = null;
});

interface Setup {
  h: Harness;
  r: Receiver;
  delivery: AlertDelivery;
  settings: AlertSettings;
  logText: () => string;
  /** Ingest ticks every 5 minutes with a delivery pass after each, until `ms` from now. */
  runFor(ms: number): Promise<void>;
}

async function setup(alerts: Record<string, unknown>, options: { refreshShare?: number; pipeline?: Record<string, number> } = {}): Promise<Setup> {
  const r = await startReceiver();
  receiver = r;
  const { lines, stream } = lineSink();
  const settings = alertSetting({ ...alerts, rules: [{ name: 'good', minProfit: 5, destination: { url: r.url, format: 'webhook' } }] }, {}, { httpHost: '127.0.0.1', httpPort: 8750 });
  const log: Logger = createLogger({ level: 'debug', format: 'json', stream, secrets: [r.url, new URL(r.url).pathname] });
  const h = await createHarness({ refillRate: 20, log, pipeline: { refreshShare: options.refreshShare ?? 0.1, ...options.pipeline } });
  harness = h;
  h.config.alerts = settings;
  const store = () => h.life.store;
  store().system.setJson('daemon', { pid: 1, version: 'test', startedAt: h.clock.now(), keepa: 'simulator', ingestCron: '*/5 * * * *' }, h.clock.now());
  const delivery = new AlertDelivery({
    get store() {
      return store();
    },
    clock: h.clock,
    log,
    settings,
    status: () => buildStatus({ store: store(), config: h.config, nowMs: h.clock.now(), daemonRunning: true }),
    random: () => 0.5,
  });
  return {
    h,
    r,
    delivery,
    settings,
    logText: () => lines.join(''),
    async runFor(ms) {
      const end = h.clock.now() + ms;
      while (h.clock.now() < end) {
        await h.runUntil(Math.min(end, h.clock.now() + 5 * MINUTE));
        await delivery.pass();
      }
    },
  };
}

const episodesStarted = (h: Harness): number => Number(h.life.store.db.prepare("SELECT COALESCE(SUM(episode), 0) FROM alert_episodes WHERE rule = 'good'").pluck().get());

describe('alert delivery', () => {
  it('every deal that starts matching produces exactly one delivered message, none for the others', async () => {
    const s = await setup({ statusAlerts: false });
    await s.runFor(8 * HOUR);
    const { store } = s.h.life;
    const keys = s.r.received.map((m) => m.idempotencyKey);
    expect(keys.length).toBeGreaterThan(3);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(episodesStarted(s.h) - store.alerts.countByState().dropped);
    expect(store.runs.counters.all().find((c) => c.name === 'alerts_sent_total' && c.labels.rule === 'good')?.value).toBe(store.alerts.countByState().delivered);
    for (const m of s.r.received) {
      expect(m.json?.id).toBe(m.idempotencyKey);
      expect(m.contentType).toBe('application/json');
      expect(m.json?.profit as number).toBeGreaterThanOrEqual(5);
      expect(m.json).toMatchObject({ rule: 'good', offerUrl: expect.stringMatching(/^https:\/\/www\.amazon\.com\/gp\/offer-listing\//), keepaUrl: expect.stringMatching(/^https:\/\/keepa\.com\//) });
      for (const field of ['asin', 'title', 'condition', 'priceNow', 'listAt', 'roi', 'salesPerYear', 'url', 'savedAt']) expect(m.json, field).toHaveProperty(field);
    }
    // Deals that never matched sent nothing; every saved deal that matches has its message.
    const alerted = new Set(s.r.received.map((m) => String(m.json?.asin)));
    const never = store.db.prepare('SELECT "ASIN" FROM deals WHERE "ASIN" NOT IN (SELECT asin FROM alert_episodes)').pluck().all().map(String);
    expect(never.length).toBeGreaterThan(0);
    expect(never.filter((a) => alerted.has(a))).toEqual([]);
    const matchingNow = store.db.prepare('SELECT asin FROM alert_episodes WHERE matching = 1').pluck().all().map(String);
    expect(matchingNow.filter((a) => !alerted.has(a))).toEqual([]);
    console.info(`alert delivery: ${keys.length} messages for ${store.deals.count()} saved deals over 8 simulated hours`);
  }, 120_000);

  it('with the receiver down for a minute, the alerts arrive after it returns, each once', async () => {
    const s = await setup({ statusAlerts: false, freshMinutes: 240 });
    s.r.mode = 'down';
    await s.h.runUntil(s.h.clock.now() + 2 * HOUR);
    const waiting = s.h.life.store.alerts.countByState().pending;
    expect(waiting).toBeGreaterThan(0);
    const downUntil = s.h.clock.now() + MINUTE;
    while (s.h.clock.now() < downUntil) {
      await s.delivery.pass();
      s.h.clock.advance(5_000);
    }
    expect(s.r.deliveredKeys().size).toBe(0);
    expect(s.r.received.length).toBeGreaterThan(0);
    s.r.mode = 'up';
    const upAt = s.h.clock.now();
    while (s.h.life.store.alerts.countByState().pending > 0 && s.h.clock.now() < upAt + 5 * MINUTE) {
      await s.delivery.pass();
      s.h.clock.advance(5_000);
    }
    expect(s.h.life.store.alerts.countByState()).toMatchObject({ pending: 0, delivered: waiting, parked: 0 });
    expect(s.r.deliveredKeys().size).toBe(waiting);
    const answered = s.r.received.filter((m) => m.idempotencyKey !== undefined && s.r.deliveredKeys().has(m.idempotencyKey));
    expect(answered.length).toBeGreaterThanOrEqual(waiting);
    console.info(`receiver down 1 min: ${waiting} alerts waited, all delivered within ${Math.round((s.h.clock.now() - upAt) / 1000)} s of its return; ${s.r.received.length - waiting} refused tries`);
  }, 120_000);

  it('a match older than freshMinutes waits for a refresh of the deal before it is sent', async () => {
    const s = await setup({ statusAlerts: false, freshMinutes: 30, maxAttempts: 40 }, { refreshShare: 0.5 });
    s.r.mode = 'down';
    await s.runFor(2 * HOUR);
    // Retried while down, they aged past freshMinutes and were sent back to the refresh line.
    expect(s.logText()).toMatch(/waits for a refresh: its data is (3\d|[4-9]\d) min old/);
    s.r.mode = 'up';
    await s.runFor(3 * HOUR);
    const delivered = s.r.answered;
    expect(delivered.length).toBeGreaterThan(0);
    const deliveredAt = new Map(s.h.life.store.alerts.recent(1000).map((row) => [row.id, row.deliveredAt]));
    for (const m of delivered) {
      const at = deliveredAt.get(String(m.json?.id)) ?? 0;
      expect(at - Date.parse(String(m.json?.fetchedAt)), String(m.json?.id)).toBeLessThanOrEqual(30 * MINUTE);
    }
    expect(s.logText()).toMatch(/waits for a refresh/);
    // Some were verified by a refresh: their figures are newer than the match that queued them.
    const created = new Map(s.h.life.store.alerts.recent(1000).map((row) => [row.id, row.createdAt]));
    expect(delivered.some((m) => Date.parse(String(m.json?.fetchedAt)) > (created.get(String(m.json?.id)) ?? Infinity))).toBe(true);
  }, 120_000);

  it('after maxAttempts failures an alert is parked and shown in bin/status and the metrics, never with its URL', async () => {
    const s = await setup({ statusAlerts: false, maxAttempts: 3 });
    s.r.mode = 'error';
    await s.runFor(2 * HOUR);
    const { store } = s.h.life;
    expect(store.alerts.countByState().parked).toBeGreaterThan(0);
    const report = buildStatus({ store, config: s.h.config, nowMs: s.h.clock.now(), daemonRunning: true });
    const text = renderStatusText(report);
    expect(text).toMatch(/alerts +\d+ delivered, \d+ waiting, [1-9]\d* parked/);
    expect(text).toMatch(/parked alert good:/);
    const json = JSON.stringify(report);
    const metrics = renderMetrics(report);
    const page = renderPage(report, null, s.h.clock.now(), 'nonce');
    expect(page).toMatch(/<h2>Alerts<\/h2>.*\d+ delivered .*[1-9]\d* parked/s);
    expect(page).toContain(`<td>${report.alerts.parked[0]?.id}</td><td>good</td><td>3</td>`);
    expect(metrics).toMatch(/keepa_deals_alerts\{state="parked"\} [1-9]/);
    for (const out of [text, json, metrics, page, s.logText()]) {
      expect(out).not.toContain(s.r.url);
      expect(out).not.toContain('s3cr3t-token-xyz');
    }
    expect(s.logText()).toMatch(/parked after 3 failed sends to good \(127\.0\.0\.1:\d+\)/);
  }, 120_000);

  it('a stall (Keepa answering 500 for longer than the stall threshold) sends one stalled and one recovered alert', async () => {
    const s = await setup({});
    await s.runFor(HOUR);
    expect(s.r.answered.filter((m) => m.json?.rule === 'status')).toEqual([]);
    const from = s.h.clock.now();
    s.h.sim.faults.add({ kind: 'serverError', fromMs: from, untilMs: from + 2 * HOUR });
    await s.runFor(4 * HOUR);
    const status = s.r.answered.filter((m) => m.json?.rule === 'status').map((m) => m.json);
    expect(status.map((m) => [m?.id, m?.verdict])).toEqual([
      ['status:1:stalled', 'stalled'],
      [`status:1:${String(status[1]?.verdict)}`, expect.stringMatching(/^(ok|degraded)$/)],
    ]);
    expect(String((status[0]?.reasons as string[] | undefined)?.join(' '))).toMatch(/nothing committed for (3\d|4\d) min .* last error .*500/);
    const stalledAt = Date.parse(String(status[0]?.at));
    // The stall counts from the last commit (an idle pipeline commits only now and then), not from the first 500.
    expect(stalledAt).toBeGreaterThan(from);
    expect(stalledAt - from).toBeLessThan(2 * HOUR);
    expect(Date.parse(String(status[1]?.at))).toBeGreaterThan(from + 2 * HOUR);
    console.info(`stall: alerted ${Math.round((stalledAt - from) / MINUTE)} min after Keepa began answering 500; recovered (${String(status[1]?.verdict)}) ${Math.round((Date.parse(String(status[1]?.at)) - from - 2 * HOUR) / MINUTE)} min after it healed`);
  }, 120_000);

  it('a webhook that never answers does not delay ingestion', async () => {
    const s = await setup({ statusAlerts: false, timeoutSeconds: 60, freshMinutes: 600 });
    let hung = 0;
    s.r.onRequest = () => {
      hung += 1;
      return true;
    };
    // The loop sleeps in real time, as in the daemon (reading the harness's time); ingestion runs in the meantime.
    const clock = { now: () => s.h.clock.now(), sleep: systemClock.sleep };
    const loop = new AlertDelivery({
      store: s.h.life.store,
      clock,
      log: silentLogger(),
      settings: { ...s.settings, pollSeconds: 1 },
      status: () => {
        throw new Error('not asked: status alerts are off');
      },
    });
    await s.h.runUntil(s.h.clock.now() + 2 * HOUR);
    expect(s.h.life.store.alerts.countByState().pending).toBeGreaterThan(0);
    loop.start();
    const t0 = performance.now();
    while (hung === 0 && performance.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 20));
    expect(hung).toBe(1);
    const before = s.h.life.store.deals.count();
    const t1 = performance.now();
    await s.h.runUntil(s.h.clock.now() + 3 * HOUR);
    const ms = performance.now() - t1;
    expect(s.h.life.store.deals.count()).toBeGreaterThan(before);
    expect(hung).toBe(1);
    // The send waits up to its 60 s timeout; ingestion did not wait for it.
    expect(ms).toBeLessThan(30_000);
    await loop.stop();
    console.info(`hung webhook: 3 simulated hours of ingest took ${Math.round(ms)} ms of real time while one send waited`);
  }, 120_000);
});
