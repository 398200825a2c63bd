// /metrics of the real daemon (the demo), read by a strict Prometheus text parser: the counters
// move with the work, and a restart on the same database continues them instead of resetting
// them. The version the daemon runs is the one of package.json in /status and on the page.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, freePort, killStragglers, PROJECT_DIR, startDaemon } from './daemon.js';
import { parsePrometheus, sampleValue } from './prometheus.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-metrics-'));
const VERSION = String((JSON.parse(readFileSync(resolve(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version);
afterAll(() => {
  killStragglers();
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(url: string) {
  const families = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  return (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
}

describe('the daemon’s /metrics', () => {
  it('counts deals saved, Keepa requests and tokens, keeps counting across a restart, and shows its version', { timeout: 120_000 }, async () => {
    assertBuilt();
    const env = { DEALS_DB: join(dir, 'demo.db'), HTTP_PORT: String(await freePort()) };
    const first = startDaemon(env);
    let saved = 0;
    let requests = 0;
    try {
      const printed = await first.waitFor(/^status page at http:\/\/127\.0\.0\.1:\d+/);
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(printed.message)?.[1] ?? '';
      await first.waitFor(/^ingest finished/, 90_000);
      const v = await scrape(url);
      saved = v('keepa_deals_deals_saved_total') ?? -1;
      requests = v('keepa_deals_keepa_requests_total', { endpoint: 'deal', code: '200' }) ?? -1;
      expect(saved).toBeGreaterThan(0);
      expect(requests).toBeGreaterThan(0);
      expect(v('keepa_deals_keepa_requests_total', { endpoint: 'product', code: '200' })).toBeGreaterThan(0);
      expect(v('keepa_deals_keepa_tokens_consumed_total', { job: 'ingest' })).toBeGreaterThan(0);
      expect(v('keepa_deals_run_duration_seconds_count', { job: 'ingest' })).toBeGreaterThanOrEqual(1);
      expect(v('keepa_deals_info', { version: VERSION, keepa: 'simulator' })).toBe(1);
      expect(v('process_resident_memory_bytes')).toBeGreaterThan(20e6);
      expect(v('process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(v('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);

      const status = (await (await fetch(`${url}/status`)).json()) as { daemon: { version: string } };
      expect(status.daemon.version).toBe(VERSION);
      expect(await (await fetch(`${url}/`)).text()).toContain(`version ${VERSION}`);
      expect((await first.stop('SIGTERM')).code).toBe(0);
    } finally {
      await first.stop('SIGKILL');
    }

    const second = startDaemon(env);
    try {
      const printed = await second.waitFor(/^status page at http:\/\/127\.0\.0\.1:\d+/);
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(printed.message)?.[1] ?? '';
      const v = await scrape(url);
      expect(v('keepa_deals_deals_saved_total')).toBeGreaterThanOrEqual(saved);
      expect(v('keepa_deals_keepa_requests_total', { endpoint: 'deal', code: '200' })).toBeGreaterThanOrEqual(requests);
      expect(v('keepa_deals_runs_total', { job: 'ingest', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect((await second.stop('SIGTERM')).code).toBe(0);
    } finally {
      await second.stop('SIGKILL');
    }
  });
});
