// The status server as a monitor, Prometheus and a person see it, over real HTTP on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { startStatusServer, type StatusServer } from '../../src/http.js';
import { silentLogger } from '../../src/log.js';
import { buildStatus } from '../../src/status.js';
import { type Fixture, CONFIG, EVIL_TITLE, flowingFixture, HOUR, stalledFixture } from './fixture.js';

let server: StatusServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(f: Fixture, withStore = true): Promise<string> {
  server = await startStatusServer({ host: '127.0.0.1', port: 0, log: silentLogger(), report: f.report, ...(withStore ? { store: f.store } : {}) });
  return server.url;
}

/** Prometheus text format 0.0.4: `name{label="value",...} number`, HELP and TYPE comments. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*")*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|[+-]Inf)$/;

function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# TYPE ')) {
      typed.add(line.split(' ')[2] ?? '');
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const [, name = '', labels = '', value = ''] = m;
    if (!typed.has(name)) throw new Error(`${name} has no TYPE line before its samples`);
    samples.set(`${name}${labels}`, Number(value));
  }
  return samples;
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

  it('/metrics is Prometheus text with tokens, deals, queue, commit age and run outcomes', async () => {
    const f = flowingFixture();
    const res = await fetch(`${await serve(f)}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(await res.text());
    const report = f.report();
    expect(m.get('keepa_deals_verdict{verdict="degraded"}')).toBe(1);
    expect(m.get('keepa_deals_verdict{verdict="ok"}')).toBe(0);
    expect(m.get('keepa_deals_tokens_balance')).toBeCloseTo(report.tokens?.projectedBalance ?? -1, 2);
    expect(m.get('keepa_deals_tokens_refill_per_minute')).toBe(20);
    expect(m.get('keepa_deals_tokens_spent_total{job="enrich"}')).toBe(5400);
    expect(m.get('keepa_deals_deals_saved')).toBe(report.deals.total);
    expect(m.get('keepa_deals_deals_visible')).toBe(report.deals.visible);
    expect(m.get('keepa_deals_queue_items{stage="parked"}')).toBe(1);
    expect(m.get('keepa_deals_parked_items{reason="bad_product_data"}')).toBe(1);
    expect(m.get('keepa_deals_last_commit_age_seconds{job="ingest"}')).toBe((report.jobs.find((j) => j.job === 'ingest')?.lastCommitAgeMs ?? -1) / 1000);
    expect(m.get('keepa_deals_runs_total{job="ingest",outcome="failed"}')).toBe(3);
    expect(m.get('keepa_deals_runs_total{job="ingest",outcome="ok"}')).toBe(285);
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

  it('a port already in use is a configuration error naming HTTP_PORT, not a crash to restart', async () => {
    const url = await serve(flowingFixture());
    const port = Number(new URL(url).port);
    const second = startStatusServer({ host: '127.0.0.1', port, log: silentLogger(), report: flowingFixture().report });
    await expect(second).rejects.toBeInstanceOf(ConfigError);
    await expect(second).rejects.toThrow(`cannot listen on 127.0.0.1:${port} (EADDRINUSE); set HTTP_PORT to a free port, or 0 to turn it off`);
  });
});

describe('status wording', () => {
  it('a running daemon that records no run for three ticks cannot write to its database', () => {
    const f = flowingFixture();
    const report = buildStatus({ store: f.store, config: CONFIG, nowMs: f.nowMs + HOUR / 2, daemonRunning: true });
    expect(report.verdict).toBe('stalled');
    expect(report.reasons[0]).toBe(
      'no ingest run recorded for 33 min although the daemon runs and ingest is scheduled every 5 min: the daemon cannot write to its database (disk full or read-only?); see its log',
    );
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
    expect(f.report().reasons).toContain(
      "the last ingest run failed: SqliteError: database or disk is full (check the free space on the disk that holds DEALS_DB, and that the daemon's user may write the file and its folder)",
    );
  });
});
