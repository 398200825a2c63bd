// The token-bound regime: a stream large enough that the tokens, not the deals, are the limit
// (30,000 books, 400 deals an hour, 8 hours, at 5 and 20 tokens/min), run by the daemon, the old
// policy and an oracle that heavy-fetches only true opportunities. Its figures and their targets.
import type { LevelOf } from './metrics.js';
import { listingAt, quantile, tokenSplit } from './metrics.js';
import type { DriveResult } from './types.js';

const HOUR_MS = 3_600_000;

export interface TokenBoundFigures {
  policy: string;
  refillRate: number;
  tokens: number;
  /** Deals made visible during the run (distinct ASINs), and how many of them ground truth calls real opportunities. */
  visible: number;
  opportunitiesVisible: number;
  opportunitiesPer1k: number;
  /** Hours from a new opportunity's appearance (its deal's creation, within the run) to its first saved row, p95. */
  freshnessP95H: number | null;
  repeatsShare: number;
  /** Share of the deals visible at the end whose seller is named. */
  sellersNamedShare: number | null;
  trueShare: number | null;
  wallMs: number;
}

export function tokenBoundFigures(run: DriveResult, levelOf: LevelOf, refreshGapMs: number): TokenBoundFigures {
  const within = (atMs: number): boolean => atMs >= run.startMs && atMs < run.endMs;
  const ledger = run.ledger.filter((e) => within(e.atMs));
  const listing = listingAt(run.seen);
  const split = tokenSplit(ledger, levelOf, refreshGapMs, listing);
  const truthOf = (asin: string): boolean => run.isOpportunity[asin] === true;
  // Made visible: saved with a row that passed the visible rule at some moment of the run.
  const madeVisible = new Set(run.saves.filter((s) => within(s.savedAtMs) && s.visible).map((s) => s.asin));
  const opportunities = [...madeVisible].filter(truthOf);
  // Freshness: each opportunity listing's first save, from the listing's creation when it appeared within the run.
  const firstSave = new Map<string, number>();
  for (const s of run.saves) {
    if (!within(s.savedAtMs) || !truthOf(s.asin)) continue;
    const key = listing(s.asin, s.savedAtMs);
    if (!firstSave.has(key)) firstSave.set(key, s.savedAtMs);
  }
  const ages: number[] = [];
  for (const [key, savedAt] of firstSave) {
    const created = Number(key.slice(key.lastIndexOf('@') + 1));
    if (Number.isFinite(created) && created >= run.startMs) ages.push((savedAt - created) / HOUR_MS);
  }
  return {
    policy: run.options.policy,
    refillRate: run.options.refillRate,
    tokens: split.total,
    visible: madeVisible.size,
    opportunitiesVisible: opportunities.length,
    opportunitiesPer1k: split.total > 0 ? (opportunities.length * 1000) / split.total : 0,
    freshnessP95H: quantile(ages, 0.95),
    repeatsShare: split.total > 0 ? split.repeats / split.total : 0,
    sellersNamedShare: run.visible.length > 0 ? run.visible.filter((v) => v.sellerNamed).length / run.visible.length : null,
    trueShare: madeVisible.size > 0 ? opportunities.length / madeVisible.size : null,
    wallMs: run.wallMs,
  };
}

export interface TokenBoundCheck {
  rate: number;
  target: string;
  stands: string;
  met: boolean;
}

const pct = (n: number | null): string => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

/** The issue's targets at each rate, for the daemon against the oracle and the old policy. */
export function checkTokenBound(figures: readonly TokenBoundFigures[]): TokenBoundCheck[] {
  const out: TokenBoundCheck[] = [];
  const rates = [...new Set(figures.map((f) => f.refillRate))];
  for (const rate of rates) {
    const of = (policy: string): TokenBoundFigures | undefined => figures.find((f) => f.policy === policy && f.refillRate === rate);
    const daemon = of('daemon');
    const oracle = of('oracle');
    const baseline = of('baseline');
    if (daemon === undefined) continue;
    const add = (target: string, stands: string, met: boolean): void => {
      out.push({ rate, target, stands, met });
    };
    if (oracle !== undefined) {
      const share = oracle.opportunitiesVisible > 0 ? daemon.opportunitiesVisible / oracle.opportunitiesVisible : null;
      add("opportunities visible >= 90% of the oracle's", `${daemon.opportunitiesVisible} of ${oracle.opportunitiesVisible}: ${pct(share)}`, share !== null && share >= 0.9);
    }
    if (baseline !== undefined) {
      const ratio = baseline.opportunitiesPer1k > 0 ? daemon.opportunitiesPer1k / baseline.opportunitiesPer1k : null;
      add('opportunities per 1,000 tokens >= 2x the old policy', `${daemon.opportunitiesPer1k.toFixed(2)} vs ${baseline.opportunitiesPer1k.toFixed(2)}: ${ratio === null ? 'old policy found none' : `x${ratio.toFixed(2)}`}`, ratio === null ? daemon.opportunitiesPer1k > 0 : ratio >= 2);
    }
    const limitH = rate <= 5 ? 2 : 0.5;
    add(`p95 freshness of new opportunities < ${limitH} h`, daemon.freshnessP95H === null ? 'no new opportunity saved' : `${daemon.freshnessP95H.toFixed(2)} h`, daemon.freshnessP95H !== null && daemon.freshnessP95H < limitH);
    add('repeats < 2% of tokens', pct(daemon.repeatsShare), daemon.repeatsShare < 0.02);
    add('sellers named on >= 95% of visible deals', pct(daemon.sellersNamedShare), daemon.sellersNamedShare !== null && daemon.sellersNamedShare >= 0.95);
    add('>= 80% of visible deals are true opportunities', pct(daemon.trueShare), daemon.trueShare !== null && daemon.trueShare >= 0.8);
  }
  return out;
}

export function renderTokenBound(figures: readonly TokenBoundFigures[], checks: readonly TokenBoundCheck[], setting: string): string {
  const lines = [`Token-bound regime (${setting})`, ''];
  const head = ['policy', 'rate', 'tokens', 'visible', 'opps visible', 'opps/1k tok', 'p95 fresh', 'repeats', 'sellers', 'true share'];
  const rows = figures.map((f) => [
    f.policy, `${f.refillRate}/min`, String(Math.round(f.tokens)), String(f.visible), String(f.opportunitiesVisible), f.opportunitiesPer1k.toFixed(2),
    f.freshnessP95H === null ? '-' : `${f.freshnessP95H.toFixed(2)} h`, pct(f.repeatsShare), pct(f.sellersNamedShare), pct(f.trueShare),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  lines.push(fmt(head), ...rows.map(fmt), '', 'Targets (daemon):');
  for (const c of checks) lines.push(`  ${c.met ? 'met ' : 'MISS'} ${c.rate}/min  ${c.target}: ${c.stands}`);
  return lines.join('\n');
}
