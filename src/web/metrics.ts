// GET /metrics: the status report in Prometheus' text exposition format (version 0.0.4), so an
// existing monitor can graph the token balance and alert on commit age without parsing JSON.
import type { StatusReport } from '../status.js';
import type { Overview } from './overview.js';

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
    const list = typeof samples === 'number' ? [{ value: samples }] : samples ?? [];
    if (list.length === 0) return;
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const s of list) {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      this.lines.push(`${name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${format(s.value)}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const seconds = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : ms / 1000);
const byLabel = (label: string, record: Record<string, number>): Sample[] => Object.entries(record).map(([k, value]) => ({ labels: { [label]: k }, value }));

export function renderMetrics(r: StatusReport, overview: Overview | null): string {
  const m = new Exposition();
  const p = 'keepa_deals_';
  m.add(`${p}verdict`, 'gauge', 'The status verdict: 1 for the current one (ok, degraded, stalled), 0 for the others.', (['ok', 'degraded', 'stalled'] as const).map((v) => ({ labels: { verdict: v }, value: r.verdict === v ? 1 : 0 })));
  m.add(`${p}daemon_running`, 'gauge', 'Whether a daemon holds the database.', r.daemon ? (r.daemon.running ? 1 : 0) : 0);
  if (r.daemon) m.add(`${p}info`, 'gauge', 'The daemon version and whether it talks to Keepa or the simulator.', [{ labels: { version: r.daemon.version, keepa: r.daemon.keepa }, value: 1 }]);
  m.add(`${p}uptime_seconds`, 'gauge', 'Seconds since the daemon started.', seconds(r.daemon?.uptimeMs));

  m.add(`${p}deals_saved`, 'gauge', 'Deals in the table.', r.deals.total);
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
    m.add(`${p}tokens_spent_total`, 'counter', 'Tokens Keepa reported consumed, by job, since the figures began.', byLabel('job', r.tokens.spentByJob));
  }
  m.add(`${p}job_tokens_last_hour`, 'gauge', 'Tokens spent by runs started in the last hour, by job.', r.jobs.map((j) => ({ labels: { job: j.job }, value: j.tokensLastHour })));
  m.add(`${p}job_tokens_last_day`, 'gauge', 'Tokens spent by runs started in the last 24 hours, by job.', r.jobs.map((j) => ({ labels: { job: j.job }, value: j.tokensLastDay })));
  const committed = r.jobs.filter((j) => j.lastCommitAt !== null);
  m.add(`${p}last_commit_age_seconds`, 'gauge', 'Seconds since the job last committed a chunk that made progress.', committed.map((j) => ({ labels: { job: j.job }, value: (j.lastCommitAgeMs ?? 0) / 1000 })));
  m.add(`${p}last_commit_timestamp_seconds`, 'gauge', 'When the job last committed a chunk that made progress (Unix time).', committed.map((j) => ({ labels: { job: j.job }, value: (j.lastCommitAt ?? 0) / 1000 })));
  if (overview) {
    m.add(`${p}runs_total`, 'counter', 'Runs recorded, by job and outcome.', overview.runOutcomes.map((o) => ({ labels: { job: o.job, outcome: o.outcome }, value: o.count })));
  }
  return m.text();
}
