// GET /: one self-contained page for an operator (no external assets): the verdict in words, the
// figures of `bin/status`, the last 24 hours, the last runs, the parked items and the newest deals.
import { msToIso } from '../keepa/time.js';
import { describeFunnel } from '../pipeline/ingest.js';
import type { Run } from '../state/runs.js';
import { formatDuration, type StatusReport } from '../status.js';
import { renderChart } from './chart.js';
import { escapeHtml as e } from './escape.js';
import type { Overview } from './overview.js';

const REFRESH_SECONDS = 30;

const VERDICT_TEXT: Record<StatusReport['verdict'], string> = {
  ok: 'Deals are flowing.',
  degraded: 'Working, with problems to look at.',
  stalled: 'Stalled: nothing is being saved.',
};

const ago = (ms: number | null): string => (ms === null ? 'never' : `${formatDuration(ms)} ago`);
const when = (nowMs: number, atMs: number | null): string => (atMs === null ? 'never' : `<time datetime="${msToIso(atMs)}" title="${msToIso(atMs)}">${ago(nowMs - atMs)}</time>`);

function money(v: unknown): string {
  return typeof v === 'number' ? `$${v.toFixed(2)}` : '-';
}

function card(title: string, main: string, lines: string[]): string {
  return `<section class="card"><h3>${e(title)}</h3><div class="big">${main}</div>${lines.map((l) => `<div>${l}</div>`).join('')}</section>`;
}

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${e(empty)}</p>`;
  const head = headers.map((h) => `<th>${e(h)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function figures(r: StatusReport, nowMs: number): string {
  const q = r.queue.byStage;
  const ingest = r.jobs.find((j) => j.job === 'ingest');
  const t = r.tokens;
  const cards = [
    card('Deals', `${r.deals.visible} <small>visible of ${r.deals.total}</small>`, [`newest saved ${ago(r.deals.newestAgeMs)}`]),
    card('Last ingest commit', ingest?.lastCommitAt ? when(nowMs, ingest.lastCommitAt) : 'none yet', [
      `last run ${when(nowMs, ingest?.lastRunAt ?? null)}: ${e(ingest?.lastOutcome ?? '-')}`,
      `${Math.round(ingest?.tokensLastHour ?? 0)} tokens in the last hour, ${Math.round(ingest?.tokensLastDay ?? 0)} in 24 h`,
    ]),
    card('Queue', `${q.queued + q.peeked} <small>waiting${r.backlog.growing ? ', growing' : ''}</small>`, [
      r.backlog.growing ? `<span class="err">${e(r.backlog.sentence)}</span>` : e(r.backlog.sentence),
      `${q.queued} waiting for a peek, ${q.peeked} for the heavy fetch; oldest ${r.queue.oldestWaitingAgeMs === null ? '-' : formatDuration(r.queue.oldestWaitingAgeMs)}`,
      `${q.done} done, ${q.rejected} rejected, ${q.expired} expired, ${q.parked} parked`,
      r.backlog.discoveryShare === null ? '' : `discovery took ${Math.round(r.backlog.discoveryShare * 100)}% of the last day's tokens`,
    ]),
    card(
      'Tokens',
      t ? `${Math.floor(t.projectedBalance)} <small>of ${t.max}</small>` : 'unknown',
      t
        ? [
            `refill ${t.refillRate}/min${t.rechargingForMs !== null ? `, recharging for ${formatDuration(t.rechargingForMs)}` : ''}`,
            `spent since the figures began: ${
              Object.entries(t.spentByJob)
                .map(([j, n]) => `${e(j)} ${Math.round(n)}`)
                .join(', ') || 'nothing yet'
            }`,
          ]
        : ['no Keepa call yet'],
    ),
    card('Watermark', r.watermark ? `${formatDuration(r.watermark.lagMs)} <small>behind</small>` : 'none yet', r.watermark ? [`${e(r.watermark.lastUpdate)} ${e(r.watermark.asin)}`] : ['the deal list was not scanned yet']),
    card(
      'Daemon',
      r.daemon ? (r.daemon.running ? 'running' : 'not running') : 'never started',
      r.daemon ? [`pid ${r.daemon.pid}, version ${e(r.daemon.version)}, Keepa ${e(r.daemon.keepa)}`, r.daemon.uptimeMs !== null ? `up ${formatDuration(r.daemon.uptimeMs)}` : '', ...r.leases.map((l) => `lease ${e(l.name)} held by ${e(l.owner)}`)] : [],
    ),
  ];
  return `<div class="cards">${cards.join('')}</div>`;
}

function jobsTable(r: StatusReport, nowMs: number): string {
  return table(
    ['Job', 'Last run', 'Outcome', 'Last commit', 'Tokens 1 h / 24 h', 'Last error'],
    r.jobs.map((j) => [
      e(j.job),
      when(nowMs, j.lastRunAt),
      e(j.lastOutcome ?? '-'),
      when(nowMs, j.lastCommitAt),
      `${Math.round(j.tokensLastHour)} / ${Math.round(j.tokensLastDay)}`,
      j.lastError ? `<span class="err">${e(j.lastError)}</span> ${j.lastErrorAt ? `<small>(${ago(nowMs - j.lastErrorAt)})</small>` : ''}` : '-',
    ]),
    'No jobs yet.',
  );
}

function runsTable(runs: readonly Run[], nowMs: number): string {
  return table(
    ['#', 'Job', 'Started', 'Took', 'Outcome', 'Funnel', 'Error or warning'],
    runs.map((run) => [
      String(run.id),
      e(run.job),
      when(nowMs, run.startedAt),
      run.endedAt === null ? 'running' : formatDuration(run.endedAt - run.startedAt),
      `<span class="o-${e(run.outcome)}">${e(run.outcome)}</span>`,
      Object.keys(run.funnel).length > 0 ? e(describeFunnel(run.funnel)) : '-',
      run.error ? `<span class="err">${e(run.error)}</span>` : '',
    ]),
    'No runs yet.',
  );
}

function parkedTable(overview: Overview): string {
  return table(
    ['ASIN', 'Reason', 'Attempts', 'Last error', 'Parked'],
    overview.parked.map((p) => [e(p.asin), e(p.parkedReason ?? '-'), String(p.attempts), `<span class="err">${e(p.lastError ?? '')}</span>`, when(overview.nowMs, p.updatedAt)]),
    'Nothing parked.',
  );
}

/** Shown once there are alerts: how many were delivered, wait, or were parked, and the parked ones. */
function alertsSection(r: StatusReport, nowMs: number): string {
  const a = r.alerts.byState;
  if (Object.values(a).every((n) => n === 0)) return '';
  const last = r.alerts.lastDeliveredAt === null ? 'never' : when(nowMs, Date.parse(r.alerts.lastDeliveredAt));
  const summary = `<p>${a.delivered} delivered (last ${last}), ${a.pending + a.stale} waiting${a.stale > 0 ? ` (${a.stale} for a refresh of their deal)` : ''}, ${a.dropped} dropped (the deal stopped matching first), <span class="${a.parked > 0 ? 'err' : ''}">${a.parked} parked</span>. <code>bin/alerts</code> lists them.</p>`;
  const parked =
    a.parked === 0
      ? ''
      : table(
          ['Alert', 'Rule', 'Tries', 'Last answer', 'Parked'],
          r.alerts.parked.map((p) => [e(p.id), e(p.destination), String(p.attempts), `<span class="err">${e(p.lastAnswer ?? '')}</span>`, when(nowMs, Date.parse(p.parkedAt))]),
          'Nothing parked.',
        );
  return `<h2>Alerts</h2>${summary}${parked}`;
}

function dealsTable(overview: Overview): string {
  return table(
    ['Title', 'ASIN', 'Price now', 'List at', 'Profit', 'Margin'],
    overview.deals.map((d) => {
      const title = typeof d.Title === 'string' ? d.Title : '';
      const short = title.length > 90 ? `${title.slice(0, 88)}…` : title;
      return [`<a href="/deals/${encodeURIComponent(String(d.ASIN))}" title="${e(title)}">${e(short)}</a>`, e(d.ASIN), money(d.Price_Now), money(d.List_at), money(d.Profit), typeof d.Margin === 'number' ? `${d.Margin.toFixed(1)}%` : '-'];
    }),
    'No visible deals yet.',
  );
}

export function renderPage(r: StatusReport, overview: Overview | null, nowMs: number, nonce: string): string {
  const reasons = r.reasons.length > 0 ? `<ul class="reasons">${r.reasons.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '';
  const more = overview
    ? `<h2>Last 24 hours</h2>${renderChart(overview, r.tokens?.max ?? null)}
<p class="legend"><span class="key bal"></span> token balance (estimated from the refill rate and the tokens each run spent) <span class="key bars"></span> deals saved per hour</p>
<h2>Last runs</h2>${runsTable(overview.runs, nowMs)}
<h2>Parked items</h2>${parkedTable(overview)}
<h2>Newest visible deals</h2>${dealsTable(overview)}
<p><a href="/deals">All deals: filter, sort, explain and export them</a></p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}"><link rel="icon" href="data:,">
<title>keepa-deals: ${e(r.verdict)}</title>
<style nonce="${nonce}">${CSS}</style></head>
<body><main>
<header class="verdict v-${e(r.verdict)}"><h1><span class="badge">${e(r.verdict.toUpperCase())}</span> ${e(VERDICT_TEXT[r.verdict])}</h1>${reasons}
<p class="meta">keepa-deals status at ${e(r.generatedAt)}; this page reloads every ${REFRESH_SECONDS} s.</p></header>
${figures(r, nowMs)}
<h2>Jobs</h2>${jobsTable(r, nowMs)}
${alertsSection(r, nowMs)}
${more}
<footer>Also: <a href="/deals">/deals</a> (the deals desk), <a href="/settings">/settings</a>, <a href="/status">/status</a> (JSON, as <code>bin/status --json</code>), <a href="/health">/health</a> (200 ok or degraded, 503 stalled), <a href="/metrics">/metrics</a> (Prometheus).</footer>
</main></body></html>
`;
}

const CSS = `
:root{--ok:#1a7f37;--degraded:#b35900;--stalled:#c62828;--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0}h2{font-size:16px;margin:24px 0 8px}h3{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:0 0 4px}
.verdict{background:#fff;border:1px solid var(--line);border-left:8px solid;border-radius:6px;padding:12px 16px}
.v-ok{border-left-color:var(--ok)}.v-degraded{border-left-color:var(--degraded)}.v-stalled{border-left-color:var(--stalled)}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:1px 8px;font-size:14px;vertical-align:2px}
.v-ok .badge{background:var(--ok)}.v-degraded .badge{background:var(--degraded)}.v-stalled .badge{background:var(--stalled)}
.reasons{margin:8px 0 0;padding-left:20px;font-size:15px}.meta,small,.empty,.legend,footer{color:var(--muted)}.meta{margin:8px 0 0;font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:10px;margin-top:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}.big{font-size:22px;font-weight:600}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#eef1f4;font-weight:600}
.err{color:var(--stalled)}.o-failed,.o-interrupted{color:var(--stalled);font-weight:600}.o-partial{color:var(--degraded)}.o-ok{color:var(--ok)}
.chart{width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
.grid{stroke:#e4e8ec}.axis{font-size:11px;fill:var(--muted)}.axis.tok{fill:#1f5fbf}.axis.deal{fill:var(--ok)}
.bar{fill:#7cc48d}.bar.failed{fill:#e3a0a0}.balance{fill:none;stroke:#1f5fbf;stroke-width:2}.cap{stroke:#1f5fbf;stroke-dasharray:4 4;opacity:.5}
.key{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;vertical-align:0}.key.bal{border-top:2px solid #1f5fbf;height:0}.key.bars{background:#7cc48d}
footer{margin:24px 0 8px;font-size:12px}code{background:#eef1f4;padding:0 3px;border-radius:3px}
`;
