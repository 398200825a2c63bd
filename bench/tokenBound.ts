// The token-bound regime: a stream large enough that the tokens, not the deals, are the limit
// (30,000 books, 400 deals an hour, 8 hours, at 5 and 20 tokens/min), run by the daemon, the old
// policy and an oracle that heavy-fetches only true opportunities. Its figures and their targets.
import type { Level, LevelOf } from './metrics.js';
import { listingAt, priceMovedFrom, quantile, tokenSplit } from './metrics.js';
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
  /**
   * Hours from a new opportunity's appearance in the deal list (within the run) to its first saved
   * row, p95. Keepa lists some deals hours after their creation; nothing can find them sooner.
   */
  freshnessP95H: number | null;
  /** The same from the deal's creation date, for deals created within the run. */
  freshnessFromCreationP95H: number | null;
  repeatsShare: number;
  /** Where the tokens went. */
  split: { discovery: number; peek: number; enrich: number; seller: number; refresh: number; repeats: Record<Level, number> };
  /** The policy's funnel over the run (in the JSON only). */
  funnel: Record<string, number>;
  /** Share of the deals visible at the end whose seller is named. */
  sellersNamedShare: number | null;
  trueShare: number | null;
  wallMs: number;
}

export function tokenBoundFigures(run: DriveResult, levelOf: LevelOf, refreshGapMs: number): TokenBoundFigures {
  const within = (atMs: number): boolean => atMs >= run.startMs && atMs < run.endMs;
  const ledger = run.ledger.filter((e) => within(e.atMs));
  const listing = listingAt(run.seen);
  const split = tokenSplit(ledger, levelOf, refreshGapMs, listing, priceMovedFrom(run.priceMoves));
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
  const sinceCreation: number[] = [];
  for (const [key, savedAt] of firstSave) {
    const created = Number(key.slice(key.lastIndexOf('@') + 1));
    if (!Number.isFinite(created)) continue;
    const listed = run.listedAt[key] ?? created;
    if (listed >= run.startMs) ages.push((savedAt - listed) / HOUR_MS);
    if (created >= run.startMs) sinceCreation.push((savedAt - created) / HOUR_MS);
  }
  return {
    policy: run.options.policy,
    refillRate: run.options.refillRate,
    tokens: split.total,
    visible: madeVisible.size,
    opportunitiesVisible: opportunities.length,
    opportunitiesPer1k: split.total > 0 ? (opportunities.length * 1000) / split.total : 0,
    freshnessP95H: quantile(ages, 0.95),
    freshnessFromCreationP95H: quantile(sinceCreation, 0.95),
    repeatsShare: split.total > 0 ? split.repeats / split.total : 0,
    funnel: run.funnel,
    split: { discovery: split.discovery, peek: split.peek, enrich: split.enrich, seller: split.seller, refresh: split.refresh, repeats: split.repeatsByLevel },
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
      add(
        'opportunities per 1,000 tokens >= 2x the old policy',
        `${daemon.opportunitiesPer1k.toFixed(2)} vs ${baseline.opportunitiesPer1k.toFixed(2)}: ${ratio === null ? 'old policy found none' : `x${ratio.toFixed(2)}`}`,
        ratio === null ? daemon.opportunitiesPer1k > 0 : ratio >= 2,
      );
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
  const hours = (h: number | null): string => (h === null ? '-' : `${h.toFixed(2)} h`);
  const table = (head: string[], rows: string[][]): string[] => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    return [fmt(head), ...rows.map(fmt)];
  };
  lines.push(
    ...table(
      ['policy', 'rate', 'tokens', 'visible', 'opps visible', 'opps/1k tok', 'p95 fresh', 'from creation', 'repeats', 'sellers', 'true share'],
      figures.map((f) => [
        f.policy,
        `${f.refillRate}/min`,
        String(Math.round(f.tokens)),
        String(f.visible),
        String(f.opportunitiesVisible),
        f.opportunitiesPer1k.toFixed(2),
        hours(f.freshnessP95H),
        hours(f.freshnessFromCreationP95H),
        pct(f.repeatsShare),
        pct(f.sellersNamedShare),
        pct(f.trueShare),
      ]),
    ),
    '',
    'Tokens by use (repeats by level):',
  );
  const n = (v: number): string => String(Math.round(v));
  lines.push(
    ...table(
      ['policy', 'rate', 'discovery', 'peek', 'enrich', 'seller', 'refresh', 'repeat peek', 'repeat enrich', 'repeat refresh'],
      figures.map((f) => [f.policy, `${f.refillRate}/min`, n(f.split.discovery), n(f.split.peek), n(f.split.enrich), n(f.split.seller), n(f.split.refresh), n(f.split.repeats.peek), n(f.split.repeats.enrich), n(f.split.repeats.refresh)]),
    ),
    '',
    'Targets (daemon):',
  );
  for (const c of checks) lines.push(`  ${c.met ? 'met ' : 'MISS'} ${c.rate}/min  ${c.target}: ${c.stands}`);
  return lines.join('\n');
}
