// The status server as a monitor, Prometheus and a person see it, over real HTTP on loopback.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { type StatusServer, startStatusServer } from '../../src/http.js';
import { BUCKET_STATE_KEY } from '../../src/keepa/savedBucket.js';
import { silentLogger } from '../../src/log.js';
import { buildStatus } from '../../src/status.js';
import { CONFIG, EVIL_TITLE, type Fixture, flowingFixture, HOUR, stalledFixture } from './fixture.js';
import { parsePrometheus, sampleValue } from './prometheus.js';

let server: StatusServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(f: Fixture, withStore = true): Promise<string> {
  server = await startStatusServer({ host: '127.0.0.1', port: 0, log: silentLogger(), report: f.report, ...(withStore ? { store: f.store } : {}) });
  return server.url;
}

describe('status server', () => {
  it('/health answers 200 while deals flow and 503 with the reason when stalled', async () => {
    const ok = await fetch(`${await serve(flowingFixture())}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ verdict: 'degraded' });
    await server?.close();

    const stalled = await fetch(`${await serve(stalledFixture())}/health`);
    expect(stalled.status).toBe(503);
    const body = (await stalled.json()) as { verdict: string; reasons: string[] };
    expect(body.verdict).toBe('stalled');
    expect(body.reasons[0]).toMatch(/^nothing committed for 3 h although 1200 tokens were available: last error BadResponseError: the deal list answer was not JSON/);
  });

  it('/status is the JSON of bin/status --json', async () => {
    const f = flowingFixture();
    const res = await fetch(`${await serve(f)}/status`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(f.report())));
  });

  it('/metrics is Prometheus text a strict parser accepts: states as gauges, what grows as counters, a run-duration histogram, the process', async () => {
    const f = flowingFixture();
    const res = await fetch(`${await serve(f)}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await res.text());
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
    const report = f.report();
    const runs = f.store.runs.runsSince(0);
    expect(v('keepa_deals_verdict', { verdict: 'degraded' })).toBe(1);
    expect(v('keepa_deals_verdict', { verdict: 'ok' })).toBe(0);
    expect(v('keepa_deals_tokens_balance')).toBeCloseTo(report.tokens?.projectedBalance ?? -1, 2);
    expect(v('keepa_deals_tokens_refill_per_minute')).toBe(20);
    expect(v('keepa_deals_deals_stored')).toBe(report.deals.total);
    expect(v('keepa_deals_deals_visible')).toBe(report.deals.visible);
    expect(v('keepa_deals_queue_items', { stage: 'parked' })).toBe(1);
    expect(v('keepa_deals_parked_items', { reason: 'bad_product_data' })).toBe(1);
    expect(v('keepa_deals_last_commit_age_seconds', { job: 'ingest' })).toBe((report.jobs.find((j) => j.job === 'ingest')?.lastCommitAgeMs ?? -1) / 1000);

    expect(families.get('keepa_deals_deals_saved_total')?.type).toBe('counter');
    expect(v('keepa_deals_deals_saved_total')).toBe(runs.reduce((n, r) => n + (r.funnel.saved ?? 0), 0));
    expect(v('keepa_deals_keepa_tokens_consumed_total', { job: 'ingest' })).toBe(runs.reduce((n, r) => n + r.tokensSpent, 0));
    expect(v('keepa_deals_runs_total', { job: 'ingest', outcome: 'failed' })).toBe(3);
    expect(v('keepa_deals_runs_total', { job: 'ingest', outcome: 'ok' })).toBe(285);
    expect(families.get('keepa_deals_run_duration_seconds')?.type).toBe('histogram');
    expect(v('keepa_deals_run_duration_seconds_count', { job: 'ingest' })).toBe(288);
    expect(v('keepa_deals_run_duration_seconds_bucket', { job: 'ingest', le: '30' })).toBe(0);
    expect(v('keepa_deals_run_duration_seconds_bucket', { job: 'ingest', le: '60' })).toBe(288);

    expect(v('process_resident_memory_bytes')).toBeGreaterThan(10e6);
    expect(families.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(v('nodejs_heap_used_bytes')).toBeGreaterThan(0);
    // Gauges that only repeated what rate() computes from the counters are gone.
    for (const gone of ['keepa_deals_job_tokens_last_hour', 'keepa_deals_job_tokens_last_day', 'keepa_deals_deals_saved', 'keepa_deals_tokens_spent_total']) expect(families.has(gone)).toBe(false);
  });

  it('/ shows the verdict in words and escapes a deal title', async () => {
    const res = await fetch(`${await serve(flowingFixture())}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<span class="badge">DEGRADED</span>');
    expect(html).toContain('1 item(s) parked after repeated failures (bad_product_data: 1)');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; Sons');
    expect(html).toContain('no csv for &lt;ASIN&gt;');
    expect(html).toMatch(/<svg [^>]*class="chart"/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(EVIL_TITLE).toContain('<script>');
  });

  it('/ without the store shows the report alone; unknown paths are 404', async () => {
    const url = await serve(stalledFixture(), false);
    const html = await (await fetch(`${url}/`)).text();
    expect(html).toContain('<span class="badge">STALLED</span> Stalled: nothing is being saved.');
    expect(html).toContain('nothing committed for 3 h although 1200 tokens were available');
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('answers only the Host names it serves (no DNS rebinding), with security headers', async () => {
    server = await startStatusServer({ host: '127.0.0.1', port: 0, log: silentLogger(), report: flowingFixture().report, allowedHosts: ['deals.example.org'] });
    const { port } = new URL(server.url);
    const get = (host: string): Promise<{ status: number; headers: Record<string, unknown> }> =>
      new Promise((res, rej) => {
        request({ host: '127.0.0.1', port, path: '/status', headers: { host } }, (r) => {
          r.resume();
          r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers }));
        })
          .on('error', rej)
          .end();
      });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `[::1]:${port}`, 'deals.example.org']) {
      expect((await get(host)).status, host).toBe(200);
    }
    for (const host of [`evil.example.com:${port}`, 'deals.example.org.evil.com', '127.0.0.2']) {
      expect((await get(host)).status, host).toBe(403);
    }
    expect((await get('localhost')).headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
  });

  it('a port already in use is a configuration error naming HTTP_PORT, not a crash to restart', async () => {
    const url = await serve(flowingFixture());
    const port = Number(new URL(url).port);
    const second = startStatusServer({ host: '127.0.0.1', port, log: silentLogger(), report: flowingFixture().report });
    await expect(second).rejects.toBeInstanceOf(ConfigError);
    await expect(second).rejects.toThrow(`cannot listen on 127.0.0.1:${port} (EADDRINUSE); set HTTP_PORT to a free port, or 0 to turn it off`);
  });
});

describe('status wording', () => {
  it("says when Keepa's answers carry a time far from this host's clock", () => {
    const f = flowingFixture();
    expect(f.report().reasons.join(' ')).not.toMatch(/clock/);
    const saved = f.store.system.getJson(BUCKET_STATE_KEY) as Record<string, unknown>;
    f.store.system.setJson(BUCKET_STATE_KEY, { ...saved, clockSkewMs: -12 * 60_000 }, f.nowMs);
    const report = f.report();
    expect(report.verdict).toBe('degraded');
    expect(report.reasons).toContain("Keepa's clock disagrees with ours: its answers are 12 min behind; check this host's clock (timedatectl)");
  });

  it('a running daemon that records no run for three ticks cannot write to its database', () => {
    const f = flowingFixture();
    const report = buildStatus({ store: f.store, config: CONFIG, nowMs: f.nowMs + HOUR / 2, daemonRunning: true });
    expect(report.verdict).toBe('stalled');
    expect(report.reasons[0]).toBe('no ingest run recorded for 33 min although the daemon runs and ingest is scheduled every 5 min: the daemon cannot write to its database (disk full or read-only?); see its log');
  });

  it("is judged by the daemon's own schedule when it recorded one, not by the reader's environment", () => {
    const f = flowingFixture();
    const demoShell = { ingestCron: '*/20 * * * * *', pipeline: { candidateMaxAgeHours: 72 } };
    expect(buildStatus({ store: f.store, config: demoShell, nowMs: f.nowMs, daemonRunning: true }).verdict).toBe('stalled');
    f.store.system.setJson('daemon', { pid: 4242, version: '0.1.0', startedAt: f.nowMs - 25 * HOUR, keepa: 'live', ingestCron: '*/5 * * * *' }, f.nowMs);
    expect(buildStatus({ store: f.store, config: demoShell, nowMs: f.nowMs, daemonRunning: true }).verdict).toBe('degraded');
  });

  it('a full disk named in the last error gets a hint about what to check', () => {
    const f = flowingFixture();
    const id = f.store.runs.start('ingest', f.nowMs - 60_000);
    f.store.runs.finish(id, 'failed', f.nowMs - 59_000, { error: 'SqliteError: database or disk is full' });
    expect(f.report().reasons).toContain("the last ingest run failed: SqliteError: database or disk is full (check the free space on the disk that holds DEALS_DB, and that the daemon's user may write the file and its folder)");
  });
});
