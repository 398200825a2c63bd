// GET /metrics: the status report in Prometheus' text exposition format (version 0.0.4), so an
// existing monitor can graph the token balance and alert on commit age without parsing JSON.
// What grows is a counter kept in the database (deals saved, tokens, requests, runs, the run
// duration histogram), for Grafana's rate() and increase(); gauges are only states.
import type { CounterSample } from '../state/counters.js';
import type { StatusReport } from '../status.js';
import type { ProcessFigures } from './processMetrics.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;
interface Sample {
  labels?: Labels;
  value: number;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function format(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(Math.round(value * 1000) / 1000);
}

class Exposition {
  private readonly lines: string[] = [];

  add(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[] | number | null): void {
    const list = typeof samples === 'number' ? [{ value: samples }] : (samples ?? []);
    if (list.length === 0) return;
    this.header(name, type, help);
    for (const s of list) this.sample(name, s);
  }

  /** A histogram kept as counters named `<name>_bucket`, `<name>_sum` and `<name>_count`. */
  histogram(name: string, help: string, parts: Array<{ suffix: string; sample: Sample }>): void {
    if (parts.length === 0) return;
    this.header(name, 'histogram', help);
    for (const p of parts) this.sample(`${name}${p.suffix}`, p.sample);
  }

  private header(name: string, type: string, help: string): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
  }

  private sample(name: string, s: Sample): void {
    const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.lines.push(`${name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${format(s.value)}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const seconds = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : ms / 1000);
const byLabel = (label: string, record: Record<string, number>): Sample[] => Object.entries(record).map(([k, value]) => ({ labels: { [label]: k }, value }));

/** The help of each counter the database keeps; one added elsewhere and not listed here still shows. */
const COUNTER_HELP: Record<string, string> = {
  deals_saved_total: 'Deals analysed and saved (new or re-analysed), since the database began.',
  keepa_requests_total: 'Keepa API requests, by endpoint and HTTP status (network: no answer); code="429" counts refusals for lack of tokens.',
  keepa_tokens_consumed_total: 'Keepa tokens consumed, by job.',
  runs_total: 'Job runs recorded, by job and outcome (skipped: a tick that found another job running).',
  alerts_sent_total: 'Alert messages delivered (answered 2xx), by rule (status: the stalled and recovered alerts).',
};
const HISTOGRAM_HELP: Record<string, string> = {
  run_duration_seconds: 'How long job runs took, skipped ticks excepted.',
};

function renderCounters(m: Exposition, p: string, counters: readonly CounterSample[]): void {
  const families = new Map<string, CounterSample[]>();
  for (const c of counters) families.set(c.name, [...(families.get(c.name) ?? []), c]);
  for (const [name, help] of Object.entries(HISTOGRAM_HELP)) {
    const parts = ['_bucket', '_sum', '_count'].flatMap((suffix) => (families.get(`${name}${suffix}`) ?? []).map((c) => ({ suffix, sample: { labels: c.labels, value: c.value } })));
    const byLe = (part: { sample: Sample }): number => (part.sample.labels?.le === '+Inf' ? Infinity : Number(part.sample.labels?.le ?? 0));
    parts.sort((a, b) => JSON.stringify({ ...a.sample.labels, le: '' }).localeCompare(JSON.stringify({ ...b.sample.labels, le: '' })) || ['_bucket', '_sum', '_count'].indexOf(a.suffix) - ['_bucket', '_sum', '_count'].indexOf(b.suffix) || byLe(a) - byLe(b));
    m.histogram(`${p}${name}`, help, parts);
    for (const suffix of ['_bucket', '_sum', '_count']) families.delete(`${name}${suffix}`);
  }
  for (const [name, samples] of families) {
    m.add(
      `${p}${name}`,
      'counter',
      COUNTER_HELP[name] ?? `${name.replace(/_total$/, '').replace(/_/g, ' ')}.`,
      samples.map((c) => ({ labels: c.labels, value: c.value })),
    );
  }
}

function renderProcess(m: Exposition, f: ProcessFigures): void {
  m.add('process_resident_memory_bytes', 'gauge', 'Resident memory of the daemon process.', f.residentBytes);
  m.add('process_cpu_seconds_total', 'counter', 'CPU time (user and system) the daemon process has used.', f.cpuSeconds);
  m.add('process_start_time_seconds', 'gauge', 'When the daemon process started (Unix time).', f.startTimeSeconds);
  m.add('nodejs_heap_used_bytes', 'gauge', 'JavaScript heap in use.', f.heapUsedBytes);
  m.add('nodejs_eventloop_lag_p99_seconds', 'gauge', 'Event-loop delay since the last scrape, 99th percentile: how long a timer or a request waited.', f.eventLoopLagP99);
  m.add('nodejs_eventloop_lag_max_seconds', 'gauge', 'Event-loop delay since the last scrape, the longest.', f.eventLoopLagMax);
}

export interface MetricsInput {
  /** The counters the database keeps (absent without a store). */
  counters?: readonly CounterSample[];
  /** The serving process's figures (absent when not served by the daemon). */
  process?: ProcessFigures | null;
}

export function renderMetrics(r: StatusReport, input: MetricsInput = {}): string {
  const m = new Exposition();
  const p = 'keepa_deals_';
  m.add(
    `${p}verdict`,
    'gauge',
    'The status verdict: 1 for the current one (ok, degraded, stalled), 0 for the others.',
    (['ok', 'degraded', 'stalled'] as const).map((v) => ({ labels: { verdict: v }, value: r.verdict === v ? 1 : 0 })),
  );
  m.add(`${p}daemon_running`, 'gauge', 'Whether a daemon holds the database.', r.daemon ? (r.daemon.running ? 1 : 0) : 0);
  if (r.daemon) m.add(`${p}info`, 'gauge', 'The daemon version and whether it talks to Keepa or the simulator.', [{ labels: { version: r.daemon.version, keepa: r.daemon.keepa }, value: 1 }]);
  m.add(`${p}uptime_seconds`, 'gauge', 'Seconds since the daemon started.', seconds(r.daemon?.uptimeMs));

  m.add(`${p}deals_stored`, 'gauge', 'Deals in the table now (the janitor deletes those not seen for a while).', r.deals.total);
  m.add(`${p}deals_visible`, 'gauge', 'Deals a dashboard shows (profit > 0 with a list price).', r.deals.visible);
  m.add(`${p}newest_deal_age_seconds`, 'gauge', 'Seconds since the newest deal was analysed and saved.', seconds(r.deals.newestAgeMs));

  m.add(`${p}queue_items`, 'gauge', 'Queue items by stage.', byLabel('stage', r.queue.byStage));
  m.add(`${p}queue_oldest_waiting_seconds`, 'gauge', 'Age of the oldest queued or peeked item.', seconds(r.queue.oldestWaitingAgeMs));
  m.add(`${p}parked_items`, 'gauge', 'Items parked after repeated failures, by reason.', byLabel('reason', r.queue.parkedByReason));
  m.add(`${p}alerts`, 'gauge', 'Alert messages by delivery state (pending, stale, delivered, parked, dropped).', byLabel('state', r.alerts.byState));
  m.add(`${p}watermark_lag_seconds`, 'gauge', 'How far the deal-list watermark is behind now.', seconds(r.watermark?.lagMs));

  if (r.tokens) {
    m.add(`${p}tokens_balance`, 'gauge', 'Keepa tokens available now (projected from the last answer and the refill).', r.tokens.projectedBalance);
    m.add(`${p}tokens_max`, 'gauge', 'The most tokens the bucket holds.', r.tokens.max);
    m.add(`${p}tokens_refill_per_minute`, 'gauge', 'Tokens Keepa adds each minute.', r.tokens.refillRate);
    m.add(`${p}tokens_recharging_seconds`, 'gauge', 'Seconds the bucket has been empty or refusing calls (0 when not).', seconds(r.tokens.rechargingForMs) ?? 0);
  }
  const committed = r.jobs.filter((j) => j.lastCommitAt !== null);
  m.add(
    `${p}last_commit_age_seconds`,
    'gauge',
    'Seconds since the job last committed a chunk that made progress.',
    committed.map((j) => ({ labels: { job: j.job }, value: (j.lastCommitAgeMs ?? 0) / 1000 })),
  );
  m.add(
    `${p}last_commit_timestamp_seconds`,
    'gauge',
    'When the job last committed a chunk that made progress (Unix time).',
    committed.map((j) => ({ labels: { job: j.job }, value: (j.lastCommitAt ?? 0) / 1000 })),
  );
  renderCounters(m, p, input.counters ?? []);
  if (input.process) renderProcess(m, input.process);
  return m.text();
}
