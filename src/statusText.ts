// `bin/status`'s text: the status report (status.ts) in lines an operator reads at a glance.
import { msToIso } from './keepa/time.js';
import { formatDuration, type StatusReport } from './status.js';

const ageText = (ms: number | null): string => (ms === null ? 'never' : `${formatDuration(ms)} ago`);

export function renderStatusText(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`keepa-deals: ${r.verdict.toUpperCase()}${r.reasons.length ? ` - ${r.reasons.join('; ')}` : ''}`);
  if (r.daemon) {
    lines.push(`daemon     ${r.daemon.running ? `running, pid ${r.daemon.pid}, up ${formatDuration(r.daemon.uptimeMs ?? 0)}` : 'not running'}, version ${r.daemon.version}, Keepa ${r.daemon.keepa}`);
  }
  lines.push(`deals      ${r.deals.total} saved, ${r.deals.visible} visible, newest saved ${ageText(r.deals.newestAgeMs)}`);
  const q = r.queue.byStage;
  lines.push(
    `queue      ${q.queued} waiting for a peek, ${q.peeked} for the heavy fetch, ${q.done} done, ${q.rejected} rejected, ${q.expired} expired, ${q.parked} parked; oldest waiting ${r.queue.oldestWaitingAgeMs === null ? '-' : formatDuration(r.queue.oldestWaitingAgeMs)}`,
  );
  lines.push(`backlog    ${r.backlog.sentence}${r.backlog.discoveryShare === null ? '' : ` Discovery took ${Math.round(r.backlog.discoveryShare * 100)}% of the last day's tokens.`}`);
  lines.push(`watermark  ${r.watermark ? `${r.watermark.lastUpdate} (${r.watermark.asin || 'any ASIN'}), ${formatDuration(r.watermark.lagMs)} behind now` : 'none yet'}`);
  if (r.tokens) {
    lines.push(`tokens     ${Math.floor(r.tokens.projectedBalance)} of ${r.tokens.max} now, refill ${r.tokens.refillRate}/min${r.tokens.rechargingForMs !== null ? `, recharging for ${formatDuration(r.tokens.rechargingForMs)}` : ''}`);
    const spent = Object.entries(r.tokens.spentByJob)
      .map(([job, n]) => `${job} ${Math.round(n)}`)
      .join(', ');
    if (spent) lines.push(`           spent since start of figures: ${spent}`);
  } else {
    lines.push('tokens     unknown (no Keepa call yet)');
  }
  for (const j of r.jobs) {
    const funnel = Object.entries(j.lastFunnel)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(`${j.job.padEnd(10)} last run ${j.lastRunAt === null ? 'never' : `${msToIso(j.lastRunAt)} ${j.lastOutcome ?? ''}`}, last commit ${ageText(j.lastCommitAgeMs)}, tokens ${Math.round(j.tokensLastHour)}/h ${Math.round(j.tokensLastDay)}/day`);
    if (funnel) lines.push(`           funnel: ${funnel}`);
    if (j.lastError) lines.push(`           last error: ${j.lastError}`);
  }
  for (const [reason, n] of Object.entries(r.queue.parkedByReason)) lines.push(`parked     ${n} x ${reason}`);
  const a = r.alerts.byState;
  if (Object.values(a).some((n) => n > 0)) {
    const last = r.alerts.lastDeliveredAt === null ? 'never' : `${formatDuration(Date.parse(r.generatedAt) - Date.parse(r.alerts.lastDeliveredAt))} ago`;
    lines.push(`alerts     ${a.delivered} delivered, ${a.pending + a.stale} waiting${a.stale > 0 ? ` (${a.stale} for a refresh)` : ''}, ${a.parked} parked; last delivered ${last}`);
  }
  for (const p of r.alerts.parked) lines.push(`parked alert ${p.id} to rule ${p.destination} after ${p.attempts} tries: ${p.lastAnswer ?? '-'}`);
  for (const l of r.leases) lines.push(`lease      ${l.name} held by ${l.owner} until ${msToIso(l.expiresAt)}`);
  return lines.join('\n');
}
