// Backlog honesty: whether the queue keeps up, said in a sentence for `bin/status` and the status
// page (docs/tokens.md, "Backlog honesty"): what waits, what arrives and what the plan analyses an
// hour, what expired, what discovery took, and the peek tokens the free judgements saved.
import { isSpentTokenKey, type Run } from './state/runs.js';

const HOUR = 3_600_000;
/** The backlog's rates are measured over the last hours of runs. */
const BACKLOG_WINDOW_MS = 6 * HOUR;

/** Whether the queue keeps up: what waits, what arrives and what the plan analyses an hour, what expired. */
export interface Backlog {
  waiting: number;
  arrivingPerHour: number;
  /** Candidates the plan decides on an hour: peeked, or rejected or passed free on the deal object. */
  analysedPerHour: number;
  expiredLastDay: number;
  /** Candidates the deal object alone judged in the last day, rejected and passed to their heavy fetch, and the peek tokens that saved. */
  prefilteredLastDay: number;
  passedFreeLastDay: number;
  tokensSavedLastDay: number;
  growing: boolean;
  /** Share of the last day's tokens that discovery took. */
  discoveryShare: number | null;
  sentence: string;
}

const sumFunnel = (runs: readonly Run[], keys: readonly string[]): number => runs.reduce((a, r) => a + keys.reduce((b, k) => b + (r.funnel[k] ?? 0), 0), 0);

/** The backlog from the runs of the last day (pure; `waiting` from the queue). */
export function backlogOf(lastDay: readonly Run[], waiting: number, nowMs: number, candidateMaxAgeHours: number): Backlog {
  const ingest = lastDay.filter((r) => r.job === 'ingest');
  const recent = ingest.filter((r) => r.startedAt >= nowMs - BACKLOG_WINDOW_MS);
  const first = recent[0]?.startedAt ?? nowMs;
  const hours = Math.max(1, (nowMs - first) / HOUR);
  const arrivingPerHour = sumFunnel(recent, ['queued']) / hours;
  const analysedPerHour = sumFunnel(recent, ['peeked', 'prefiltered', 'passed_free']) / hours;
  const expiredLastDay = sumFunnel(ingest, ['expired']);
  const prefilteredLastDay = sumFunnel(ingest, ['prefiltered']);
  const passedFreeLastDay = sumFunnel(ingest, ['passed_free']);
  const tokensSavedLastDay = sumFunnel(ingest, ['tokens_saved']);
  const tokenKeys = [...new Set(ingest.flatMap((r) => Object.keys(r.funnel)))].filter(isSpentTokenKey);
  const allTokens = sumFunnel(ingest, tokenKeys);
  const discoveryShare = allTokens > 0 ? sumFunnel(ingest, ['tokens_discover']) / allTokens : null;
  // Growing: more arrive than the plan analyses, and what waits is more than an hour's work.
  const growing = waiting > Math.max(1, analysedPerHour) && arrivingPerHour > analysedPerHour * 1.1;
  const rate = (n: number): string => (n >= 10 ? String(Math.round(n)) : n.toFixed(1));
  const expired = expiredLastDay > 0 ? ` ${expiredLastDay} expired in the last 24 h (a candidate waits at most ${candidateMaxAgeHours} h).` : '';
  const saved = tokensSavedLastDay > 0 ? ` ${prefilteredLastDay} rejected and ${passedFreeLastDay} passed free from the deal objects in the last 24 h saved ${Math.round(tokensSavedLastDay)} peek tokens.` : '';
  let sentence: string;
  if (growing) {
    sentence = `The queue grows: ${waiting} candidates wait, ${rate(arrivingPerHour)} arrive an hour and the plan analyses ${rate(analysedPerHour)} an hour; the least valuable expire after ${candidateMaxAgeHours} h.${expired}${saved}`;
  } else if (waiting > 0) {
    sentence = `${waiting} candidates wait; the plan analyses ${rate(analysedPerHour)} an hour and ${rate(arrivingPerHour)} arrive.${expired}${saved}`;
  } else {
    sentence = `No candidate waits.${expired}${saved}`;
  }
  return { waiting, arrivingPerHour, analysedPerHour, expiredLastDay, prefilteredLastDay, passedFreeLastDay, tokensSavedLastDay, growing, discoveryShare, sentence };
}
