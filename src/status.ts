// Health means progress: the report is read from the database (what was committed and when),
// never from what a live process says about itself. `bin/status`, the HTTP status server and the
// tests share this one function.
import cron from 'node-cron';
import { type Backlog, backlogOf } from './backlog.js';
import type { Config } from './config.js';
import { projectBalance } from './keepa/bucket.js';
import { CLOCK_TOLERANCE_MS } from './keepa/figures.js';
import { savedClockSkewMs, savedTokenFigures, type TokenFigures } from './keepa/savedBucket.js';
import { savedFutureDeal } from './keepa/savedFutureDeal.js';
import { keepaMinutesToMs, msToIso } from './keepa/time.js';
import { cronIntervalMs } from './scheduler.js';
import type { OutboxState } from './state/alerts.js';
import type { Lease } from './state/leases.js';
import type { Stage } from './state/queue.js';
import type { Funnel } from './state/runs.js';
import type { Store } from './state/store.js';

export type Verdict = 'ok' | 'degraded' | 'stalled';

export const VERDICT_EXIT_CODE: Record<Verdict, number> = { ok: 0, degraded: 1, stalled: 2 };

/** What the daemon saves about itself at start (system_state `daemon`). */
export interface DaemonInfo {
  pid: number;
  version: string;
  startedAt: number;
  keepa: 'live' | 'simulator';
  /** The daemon's ingest schedule; judged by it rather than by the reader's configuration. */
  ingestCron?: string;
}

export interface JobStatus {
  job: string;
  lastRunAt: number | null;
  /** The newest run row of any kind, skipped ticks included: a running daemon adds one every tick. */
  lastTickAt: number | null;
  lastOutcome: string | null;
  lastFunnel: Funnel;
  lastCommitAt: number | null;
  lastCommitAgeMs: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  tokensLastHour: number;
  tokensLastDay: number;
}

export interface StatusReport {
  generatedAt: string;
  verdict: Verdict;
  /** Sentences that explain the verdict. */
  reasons: string[];
  daemon: (DaemonInfo & { running: boolean; uptimeMs: number | null }) | null;
  deals: { total: number; visible: number; newestSavedAt: string | null; newestAgeMs: number | null };
  queue: { byStage: Record<Stage, number>; oldestWaitingAgeMs: number | null; parkedByReason: Record<string, number> };
  watermark: { lastUpdate: string; asin: string; lagMs: number } | null;
  backlog: Backlog;
  tokens: (TokenFigures & { projectedBalance: number; rechargingForMs: number | null }) | null;
  jobs: JobStatus[];
  leases: Lease[];
  /** Alert messages by delivery state; parked ones are named (rule and key, never the URL). */
  alerts: { byState: Record<OutboxState, number>; lastDeliveredAt: string | null; parked: ParkedAlert[] };
}

export interface ParkedAlert {
  id: string;
  /** The rule whose destination refused it. */
  destination: string;
  attempts: number;
  lastAnswer: string | null;
  parkedAt: string;
}

/** Parked alerts listed by name; the count covers them all. */
const PARKED_ALERTS_SHOWN = 5;

export interface StatusInput {
  store: Pick<Store, 'deals' | 'queue' | 'system' | 'watermark' | 'runs' | 'leases' | 'alerts'>;
  config: Pick<Config, 'ingestCron'> & { pipeline: Pick<Config['pipeline'], 'candidateMaxAgeHours'> };
  nowMs: number;
  /** Whether a daemon holds the database's process lock right now. */
  daemonRunning: boolean;
}

const HOUR = 3_600_000;
/** How long without a committed ingest chunk counts as a stall: three schedule intervals, at least 30 min. */
export function stallAfterMs(ingestCron: string): number {
  return Math.max(3 * cronIntervalMs(ingestCron), 30 * 60_000);
}

const validCron = (expression: string): boolean => cron.validate(expression);

function readDaemonInfo(v: unknown): DaemonInfo | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.pid !== 'number' || typeof o.startedAt !== 'number') return null;
  const info: DaemonInfo = { pid: o.pid, version: String(o.version ?? ''), startedAt: o.startedAt, keepa: o.keepa === 'simulator' ? 'simulator' : 'live' };
  if (typeof o.ingestCron === 'string' && validCron(o.ingestCron)) info.ingestCron = o.ingestCron;
  return info;
}

export function buildStatus(input: StatusInput): StatusReport {
  const { store, nowMs } = input;
  const daemon = readDaemonInfo(store.system.getJson('daemon'));
  const tokenFigures = savedTokenFigures(store.system);
  const watermark = store.watermark.current();
  const newest = store.deals.newestAnalyzedAt();
  const oldestWaiting = store.queue.oldestWaitingSince();
  const commits = store.runs.lastCommitPerJob();
  const lastRuns = store.runs.lastRunPerJob();
  const lastErrors = store.runs.lastErrorRunPerJob();
  const ticks = store.runs.lastStartPerJob();
  // The funnel worth showing is the last one that counted something; idle runs count nothing.
  const recent = store.runs.recentRuns(200);
  const lastFunnel = (job: string): Funnel => recent.find((r) => r.job === job && Object.keys(r.funnel).length > 0)?.funnel ?? {};
  const tokensHour = store.runs.tokensSpentSince(nowMs - HOUR);
  const tokensDay = store.runs.tokensSpentSince(nowMs - 24 * HOUR);

  const jobNames = [...new Set(['ingest', 'janitor', ...lastRuns.map((r) => r.job)])];
  const jobs: JobStatus[] = jobNames.map((job) => {
    const last = lastRuns.find((r) => r.job === job) ?? null;
    const err = lastErrors.find((r) => r.job === job) ?? null;
    const commitAt = commits[job] ?? null;
    return {
      job,
      lastRunAt: last?.startedAt ?? null,
      lastTickAt: ticks[job] ?? null,
      lastOutcome: last?.outcome ?? null,
      lastFunnel: lastFunnel(job),
      lastCommitAt: commitAt,
      lastCommitAgeMs: commitAt === null ? null : nowMs - commitAt,
      lastError: err?.error ?? null,
      lastErrorAt: err?.endedAt ?? err?.startedAt ?? null,
      tokensLastHour: tokensHour[job] ?? 0,
      tokensLastDay: tokensDay[job] ?? 0,
    };
  });

  const tokens = tokenFigures
    ? {
        ...tokenFigures,
        projectedBalance: projectBalance({ ...tokenFigures, capacity: tokenFigures.max }, nowMs).balance,
        rechargingForMs: tokenFigures.rechargingSince === null ? null : nowMs - tokenFigures.rechargingSince,
      }
    : null;

  const report: StatusReport = {
    generatedAt: msToIso(nowMs),
    verdict: 'ok',
    reasons: [],
    daemon: daemon ? { ...daemon, running: input.daemonRunning, uptimeMs: input.daemonRunning ? nowMs - daemon.startedAt : null } : null,
    deals: {
      total: store.deals.count(),
      visible: store.deals.visibleCount(),
      newestSavedAt: newest === null ? null : msToIso(newest),
      newestAgeMs: newest === null ? null : nowMs - newest,
    },
    queue: {
      byStage: store.queue.depthByStage(),
      oldestWaitingAgeMs: oldestWaiting === null ? null : nowMs - oldestWaiting,
      parkedByReason: store.queue.parkedByReason(),
    },
    watermark: watermark ? { lastUpdate: msToIso(keepaMinutesToMs(watermark.lastUpdateKm)), asin: watermark.asin, lagMs: nowMs - keepaMinutesToMs(watermark.lastUpdateKm) } : null,
    backlog: (() => {
      const byStage = store.queue.depthByStage();
      return backlogOf(store.runs.runsSince(nowMs - 24 * HOUR), byStage.queued + byStage.peeked, nowMs, input.config.pipeline.candidateMaxAgeHours);
    })(),
    tokens,
    jobs,
    leases: store.leases.all(),
    alerts: readAlerts(store.alerts),
  };
  const { verdict, reasons } = judge(report, input);
  report.verdict = verdict;
  report.reasons = reasons;
  return report;
}

function readAlerts(alerts: Store['alerts']): StatusReport['alerts'] {
  const last = alerts.lastDeliveredAt();
  return {
    byState: alerts.countByState(),
    lastDeliveredAt: last === null ? null : msToIso(last),
    parked: alerts.inState('parked', PARKED_ALERTS_SHOWN).map((a) => ({ id: a.id, destination: a.destination, attempts: a.attempts, lastAnswer: a.lastAnswer, parkedAt: msToIso(a.updatedAt) })),
  };
}

/**
 * The verdict. `stalled`: no ingest chunk committed for longer than the stall interval although
 * tokens were available (or their state is unknown), whatever the process says, or a running
 * daemon that has recorded no run for three ticks (it cannot write). `degraded`: the
 * daemon is not running, the last ingest failed or warned, items are parked, or progress waits
 * for tokens. Otherwise `ok`.
 */
function judge(report: StatusReport, input: StatusInput): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  let verdict: Verdict = 'ok';
  const worsen = (v: Verdict, reason: string): void => {
    reasons.push(reason);
    if (v === 'stalled' || (v === 'degraded' && verdict === 'ok')) verdict = v;
  };
  const ingest = report.jobs.find((j) => j.job === 'ingest');
  // An operator's shell may lack the daemon's environment; the daemon's own schedule is the truth.
  const ingestCron = report.daemon?.ingestCron ?? input.config.ingestCron;
  const limit = stallAfterMs(ingestCron);
  const since = ingest?.lastCommitAt ?? report.daemon?.startedAt ?? null;
  const tokens = report.tokens;
  const tokensAvailable = tokens === null || tokens.projectedBalance > 0;
  const tickMs = cronIntervalMs(ingestCron);

  if (report.daemon === null) {
    worsen('stalled', 'the daemon has never started on this database');
  } else if (!report.daemon.running) {
    worsen('degraded', 'no daemon holds this database right now (not running)');
  }
  if (report.daemon?.running && tickMs > 0) {
    // Every tick writes a run row, even a skipped one; silence while the process runs means the
    // database refuses writes (full disk, read-only file), which it cannot record itself.
    const silentMs = input.nowMs - Math.max(ingest?.lastTickAt ?? 0, report.daemon.startedAt);
    if (silentMs > Math.max(3 * tickMs, 15_000)) {
      worsen('stalled', `no ingest run recorded for ${formatDuration(silentMs)} although the daemon runs and ingest is scheduled every ${formatDuration(tickMs)}: the daemon cannot write to its database (disk full or read-only?); see its log`);
    }
  }
  if (since !== null && input.nowMs - since > limit) {
    const what = ingest?.lastCommitAt ? `nothing committed for ${formatDuration(input.nowMs - since)}` : `no ingest chunk committed in the ${formatDuration(input.nowMs - since)} since the daemon started`;
    const err = ingest?.lastError ? `: last error ${ingest.lastError}${storageHint(ingest.lastError)}` : '';
    if (tokensAvailable) {
      const have = tokens ? ` although ${Math.floor(tokens.projectedBalance)} tokens were available` : '';
      worsen('stalled', `${what}${have}${err}`);
    } else {
      worsen('degraded', `${what}: waiting for tokens (balance ${tokens?.balance ?? '?'}, refill ${tokens?.refillRate ?? '?'}/min)${err}`);
    }
  }
  if (ingest?.lastOutcome === 'failed') worsen('degraded', `the last ingest run failed: ${ingest.lastError ?? 'unknown error'}${storageHint(ingest.lastError)}`);
  const clock = keepaClockDisagreement(input);
  if (clock !== null) worsen('degraded', clock);
  const parked = Object.values(report.queue.parkedByReason).reduce((a, b) => a + b, 0);
  if (parked > 0)
    worsen(
      'degraded',
      `${parked} item(s) parked after repeated failures (${Object.entries(report.queue.parkedByReason)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ')})`,
    );
  return { verdict, reasons };
}

/** A sentence when Keepa's clock and ours disagree (its answers' timestamp, or a deal from the future in the last hour). */
function keepaClockDisagreement(input: StatusInput): string | null {
  const skew = savedClockSkewMs(input.store.system);
  const future = savedFutureDeal(input.store.system);
  const check = "check this host's clock (timedatectl)";
  if (future !== null && input.nowMs - future.atMs < HOUR) {
    return `Keepa's clock disagrees with ours: it dated a deal ${formatDuration(future.aheadMs)} in the future (queued as of now); ${check}`;
  }
  if (typeof skew === 'number' && Math.abs(skew) > CLOCK_TOLERANCE_MS) {
    return `Keepa's clock disagrees with ours: its answers are ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead' : 'behind'}; ${check}`;
  }
  return null;
}

/** SQLite's own words for a full disk or a file it may not write are terse; say what to check. */
function storageHint(error: string | null): string {
  if (error === null || !/disk is full|disk I\/O error|readonly database|unable to open database/i.test(error)) return '';
  return " (check the free space on the disk that holds DEALS_DB, and that the daemon's user may write the file and its folder)";
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = ms / HOUR;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}
