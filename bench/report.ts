// The benchmark's output: one table for the daemon (a column per refill rate), one for the
// baseline with the daemon's ratio against it in every cell, where the daemon stands against each
// target of the issue, and the same as JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../src/config.js';
import type { Limit, RunFigures } from './metrics.js';
import type { StreamSettings } from './types.js';

export interface Report {
  generatedAt: string;
  days: number;
  stream: StreamSettings;
  rates: number[];
  daemon: RunFigures[];
  baseline: RunFigures[];
  limits: Limit[];
  analytics: { medianUs: number; p95Us: number };
  benchWallMs: number;
  /** CPU time of every process of the benchmark: runs, their simulators and this one. */
  benchCpuMs: number;
  targets: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  stands: string;
  met: boolean;
}

interface Row {
  label: string;
  value(f: RunFigures, limit: Limit): number | null;
  format(n: number): string;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const share = (n: number): string => `${(n * 100).toFixed(1)}%`;
const hours = (n: number): string => `${n.toFixed(1)} h`;
const per1k = (n: number, f: RunFigures): number | null => (f.tokens.total > 0 ? (n * 1000) / f.tokens.total : null);
const decimal = (n: number): string => n.toFixed(2);
const rightShare = (f: RunFigures, right: number): number | null => (f.accuracy.rows > 0 ? right / f.accuracy.rows : null);

const ROWS: Row[] = [
  { label: 'tokens spent', value: (f) => f.tokens.total, format: count },
  { label: '  discovery (/deal)', value: (f) => f.tokens.discovery, format: count },
  { label: '  peek', value: (f) => f.tokens.peek, format: count },
  { label: '  enrich', value: (f) => f.tokens.enrich, format: count },
  { label: '  seller lookups', value: (f) => f.tokens.seller, format: count },
  { label: '  refresh', value: (f) => f.tokens.refresh, format: count },
  { label: '  retries after errors', value: (f) => f.tokens.retries, format: count },
  { label: '  repeats (all levels)', value: (f) => f.tokens.repeats, format: count },
  { label: '    of which peek', value: (f) => f.tokens.repeatsByLevel.peek, format: count },
  { label: '    of which enrich', value: (f) => f.tokens.repeatsByLevel.enrich, format: count },
  { label: '    of which refresh', value: (f) => f.tokens.repeatsByLevel.refresh, format: count },
  { label: '  repeats + retries share', value: (f) => (f.tokens.total > 0 ? (f.tokens.repeats + f.tokens.retries) / f.tokens.total : null), format: share },
  { label: '/token calls', value: (f) => f.tokens.tokenCalls, format: count },
  { label: 'error answers (429, 5xx)', value: (f) => f.tokens.errorAnswers, format: count },
  { label: 'listings in the stream', value: (f) => f.streamListings, format: count },
  { label: 'limit, deals (daemon costs)', value: (_f, l) => l.deals, format: count },
  { label: 'deals analysed (or rejected free)', value: (f) => f.analysed, format: count },
  { label: '  per 1,000 tokens', value: (f) => per1k(f.analysed, f), format: decimal },
  { label: '  share of the limit', value: (f, l) => (l.deals > 0 ? f.analysed / l.deals : null), format: share },
  { label: 'deals saved', value: (f) => f.saved, format: count },
  { label: '  per 1,000 tokens', value: (f) => per1k(f.saved, f), format: decimal },
  { label: 'opportunities found', value: (f) => f.opportunities.found, format: count },
  { label: '  per 1,000 tokens', value: (f) => per1k(f.opportunities.found, f), format: decimal },
  { label: '  per 1,000 tokens, refresh aside', value: (f) => (f.tokens.total > f.tokens.refresh ? (f.opportunities.found * 1000) / (f.tokens.total - f.tokens.refresh) : null), format: decimal },
  { label: '  share of all real ones', value: (f) => (f.opportunities.real > 0 ? f.opportunities.found / f.opportunities.real : null), format: share },
  { label: '  false positives (Profit>0)', value: (f) => f.opportunities.falsePositives, format: count },
  { label: 'saved rows, List at right to the cent', value: (f) => rightShare(f, f.accuracy.listAtRight), format: share },
  { label: '  1yr. Avg. right to the cent', value: (f) => rightShare(f, f.accuracy.yearAvgRight), format: share },
  { label: '  Price Now right to the cent', value: (f) => rightShare(f, f.accuracy.priceNowRight), format: share },
  { label: 'withdrawn listings counted as sales', value: (f) => f.accuracy.withdrawnCountedAsSales, format: count },
  { label: 'sales invented (no withdrawal near)', value: (f) => f.accuracy.inventedSales, format: count },
  { label: 'inferred / true sales, saved ASINs', value: (f) => (f.accuracy.trueSales > 0 ? f.accuracy.inferredSales / f.accuracy.trueSales : null), format: decimal },
  { label: 'freshness p50', value: (f) => f.freshnessP50H, format: hours },
  { label: 'freshness p95', value: (f) => f.freshnessP95H, format: hours },
  { label: 'idle share', value: (f) => f.idleShare, format: share },
  { label: 'refills lost to a full bucket', value: (f) => f.fullBucketMinutes * f.refillRate, format: count },
  { label: 'longest stretch without commit', value: (f) => f.longestGapH, format: hours },
  { label: 'peak RSS, policy process', value: (f) => f.rssMb, format: (n) => `${n.toFixed(0)} MB` },
  { label: 'CPU ms per deal analysed', value: (f) => (f.analysed > 0 ? f.cpuMs / f.analysed : null), format: decimal },
  { label: 'wall time of the run', value: (f) => f.wallMs / 1000, format: (n) => `${n.toFixed(1)} s` },
];

function table(title: string, header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function cell(row: Row, f: RunFigures | undefined, limit: Limit | undefined): number | null {
  return f === undefined || limit === undefined ? null : row.value(f, limit);
}

export function renderReport(r: Report): string {
  const header = ['', ...r.rates.map((rate) => `${rate}/min`)];
  const daemonRows = ROWS.map((row) => [
    row.label,
    ...r.rates.map((_, i) => {
      const v = cell(row, r.daemon[i], r.limits[i]);
      return v === null ? '-' : row.format(v);
    }),
  ]);
  const baselineRows = ROWS.map((row) => [
    row.label,
    ...r.rates.map((_, i) => {
      const b = cell(row, r.baseline[i], r.limits[i]);
      const d = cell(row, r.daemon[i], r.limits[i]);
      if (b === null) return '-';
      const ratio = d !== null && b !== 0 ? ` (x${(d / b).toFixed(2)})` : '';
      return `${row.format(b)}${ratio}`;
    }),
  ]);
  const bounds = r.limits.map((l, i) => `${r.rates[i]}/min: ${l.bound}-bound (tokens allow ${count(l.byTokens)} deals, the stream held ${count(l.byStream)} listings)`);
  const s = r.stream;
  return [
    `keepa-deals benchmark: ${r.days} simulated days a rate, seed ${s.seed}, catalog ${count(s.catalogSize)} books, ${s.dealsPerHour} new deals an hour`,
    '',
    table('Daemon', header, daemonRows),
    '',
    table("Baseline (old system's choices); in brackets: daemon / baseline", header, baselineRows),
    '',
    `Limit: ${bounds.join('; ')}.`,
    `Analytics on a 3-year history: median ${r.analytics.medianUs} µs, p95 ${r.analytics.p95Us} µs a product.`,
    `Whole benchmark: ${(r.benchWallMs / 1000).toFixed(1)} s wall time (build not included), ${(r.benchCpuMs / 1000).toFixed(1)} s of CPU in all its processes (simulators included).`,
    '',
    'Targets:',
    ...r.targets.map((t) => `  [${t.met ? 'met' : 'NOT met'}] ${t.target}: ${t.stands}`),
  ].join('\n');
}

/** Where the daemon stands against each target of the issue. */
export function checkTargets(r: Omit<Report, 'targets' | 'generatedAt'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const waste = r.daemon.map((f) => (f.tokens.total > 0 ? (f.tokens.repeats + f.tokens.retries) / f.tokens.total : 0));
  checks.push({
    target: 'repeats and retries together under 2% of tokens',
    stands: r.daemon
      .map((f, i) => {
        const of = (n: number): string => share(f.tokens.total > 0 ? n / f.tokens.total : 0);
        const { peek, enrich, refresh } = f.tokens.repeatsByLevel;
        return `${f.refillRate}/min ${share(waste[i] ?? 0)} (refresh ${of(refresh)}, peek ${of(peek)}, enrich ${of(enrich)}, retries ${of(f.tokens.retries)})`;
      })
      .join('; '),
    met: waste.every((w) => w < 0.02),
  });
  checks.push({
    target: '/token calls at most one per start (one start a run)',
    stands: r.daemon.map((f) => `${f.refillRate}/min ${f.tokens.tokenCalls}`).join(', '),
    met: r.daemon.every((f) => f.tokens.tokenCalls <= 1),
  });
  const ofLimit = r.daemon.map((f, i) => f.analysed / (r.limits[i]?.deals ?? Infinity));
  checks.push({
    target: 'deals analysed at least 90% of the limit at every rate',
    stands: r.daemon.map((f, i) => `${f.refillRate}/min ${share(ofLimit[i] ?? 0)} (${r.limits[i]?.bound ?? '?'}-bound)`).join(', '),
    met: ofLimit.every((x) => x >= 0.9),
  });
  const at5 = r.rates.indexOf(5);
  const opp = (f: RunFigures | undefined): number => (f && f.tokens.total > 0 ? f.opportunities.found / f.tokens.total : 0);
  const oppRatio = opp(r.baseline[at5]) > 0 ? opp(r.daemon[at5]) / opp(r.baseline[at5]) : Infinity;
  checks.push({
    target: 'opportunities found per 1,000 tokens at least 1.5x the baseline at 5 tokens/min',
    stands: `x${oppRatio.toFixed(2)} (${(opp(r.daemon[at5]) * 1000).toFixed(2)} vs ${(opp(r.baseline[at5]) * 1000).toFixed(2)})`,
    met: oppRatio >= 1.5,
  });
  const p95At20 = r.daemon[r.rates.indexOf(20)]?.freshnessP95H ?? null;
  checks.push({ target: 'p95 freshness under 2 hours at 20 tokens/min', stands: p95At20 === null ? 'no deal saved' : hours(p95At20), met: p95At20 !== null && p95At20 < 2 });
  const accuracyOf = (f: RunFigures): number[] => [f.accuracy.listAtRight, f.accuracy.yearAvgRight, f.accuracy.priceNowRight].map((n) => (f.accuracy.rows > 0 ? n / f.accuracy.rows : 0));
  checks.push({
    target: 'List at, 1yr. Avg. and Price Now of saved rows right to the cent on at least 95% (simulator ground truth), no withdrawn listing counted as a sale',
    stands: r.daemon.map((f) => `${f.refillRate}/min ${accuracyOf(f).map(share).join(' / ')} of ${f.accuracy.rows} rows, ${f.accuracy.withdrawnCountedAsSales} withdrawn counted`).join('; '),
    met: r.daemon.every((f) => accuracyOf(f).every((x) => x >= 0.95) && f.accuracy.withdrawnCountedAsSales === 0),
  });
  checks.push({ target: 'analytics under 1 ms median per product', stands: `${r.analytics.medianUs} µs`, met: r.analytics.medianUs < 1000 });
  const rss = Math.max(...r.daemon.map((f) => f.rssMb));
  checks.push({ target: 'peak RSS under 150 MB', stands: `${rss.toFixed(0)} MB (daemon process, simulator apart)`, met: rss < 150 });
  checks.push({
    target: 'whole benchmark under 3 minutes on 2 cores',
    stands: `${(r.benchWallMs / 1000).toFixed(0)} s wall here; ${(r.benchCpuMs / 1000).toFixed(0)} s of CPU, ~${(r.benchCpuMs / 2000).toFixed(0)} s on 2 idle cores`,
    met: r.benchWallMs < 180_000,
  });
  return checks;
}

/** Writes the report as JSON under bench/results/ (git-ignored); returns the path. */
export function writeReport(r: Report): string {
  return writeJson('bench', r);
}

/** Writes `body` as JSON under bench/results/, named by `name` and its `generatedAt`; returns the path. */
export function writeJson<T extends { generatedAt: string }>(name: string, body: T): string {
  const dir = join(PROJECT_DIR, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${body.generatedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  return path;
}
