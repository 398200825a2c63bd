// One deal's chart, drawn on the server as inline SVG: the used price (step line, left axis) and
// the sales rank (right axis, logarithmic: ranks span orders of magnitude) over the kept history,
// each inferred sale as a dot at its time and price (orange: the last year's, behind 1yr. Avg.),
// and List at and the 1-year average as dashed lines.
import { msToIso } from '../keepa/time.js';
import { type DealEvidence, isPriced } from '../pipeline/evidence.js';
import { niceCeiling } from './chart.js';
import { escapeHtml } from './escape.js';

const W = 860;
const H = 300;
const PAD = { left: 60, right: 64, top: 14, bottom: 34 };
const YEAR_MS = 365 * 86_400_000;

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

function stepPath(points: ReadonlyArray<[number, number]>, x: (ms: number) => number, y: (v: number) => number, endMs: number): string {
  let d = '';
  let open = false;
  for (let i = 0; i < points.length; i++) {
    const [t, v] = points[i] ?? [0, -1];
    if (v < 0) {
      if (open) d += `H${r1(x(t))}`;
      open = false;
      continue;
    }
    const nextT = points[i + 1]?.[0] ?? endMs;
    if (!open) d += `M${r1(x(t))},${r1(y(v))}`;
    else d += `H${r1(x(t))}V${r1(y(v))}`;
    d += `H${r1(x(nextT))}`;
    open = true;
  }
  return d;
}

/** 1k, 100k, 1M: rank axis labels that fit the margin. */
function compact(n: number): string {
  if (n >= 1_000_000) return `${n / 1_000_000}M`;
  if (n >= 1000) return `${n / 1000}k`;
  return String(n);
}

function monthLabel(ms: number): string {
  return msToIso(ms).slice(0, 7);
}

export function renderDealChart(ev: DealEvidence, lines: { listAt: number | null; yearAvg: number | null }): string {
  const prices = ev.usedPrice.filter(([, v]) => v > 0);
  const ranks = ev.salesRank.filter(([, v]) => v > 0);
  const times = [...ev.usedPrice.map(([t]) => t), ...ev.salesRank.map(([t]) => t), ...ev.sales.map((s) => s.atMs)];
  const end = ev.analyzedAtMs;
  const start = times.length > 0 ? Math.min(...times) : end - YEAR_MS;
  const span = Math.max(end - start, 86_400_000);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (ms: number): number => PAD.left + ((ms - start) / span) * plotW;

  const dollarValues = [...prices.map(([, v]) => v / 100), ...ev.sales.filter(isPriced).map((s) => s.priceCents / 100), lines.listAt ?? 0, lines.yearAvg ?? 0];
  const priceTop = niceCeiling(Math.max(1, ...dollarValues));
  const yPrice = (dollars: number): number => PAD.top + plotH - (dollars / priceTop) * plotH;
  const rankMax = Math.max(10, ...ranks.map(([, v]) => v));
  const rankMin = Math.max(1, Math.min(rankMax / 10, ...ranks.map(([, v]) => v)));
  const logTop = Math.ceil(Math.log10(rankMax));
  const logBottom = Math.floor(Math.log10(rankMin));
  // Rank 1 is best: drawn at the top, like Keepa's chart.
  const yRank = (rank: number): number => PAD.top + ((Math.log10(rank) - logBottom) / Math.max(1, logTop - logBottom)) * plotH;

  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + (plotH * i) / 4;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${r1(y)}" y2="${r1(y)}" class="grid"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${r1(y + 4)}" class="axis price" text-anchor="end">$${r1(priceTop - (priceTop * i) / 4)}</text>`);
  }
  for (let p = logBottom; p <= logTop; p++) {
    parts.push(`<text x="${W - PAD.right + 6}" y="${r1(yRank(10 ** p) + 4)}" class="axis rank">#${compact(10 ** p)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const t = start + (span * i) / 4;
    parts.push(`<text x="${r1(x(t))}" y="${H - PAD.bottom + 18}" class="axis" text-anchor="middle">${monthLabel(t)}</text>`);
  }
  if (ranks.length > 0) parts.push(`<path d="${stepPath(ev.salesRank, x, (v) => yRank(v), end)}" class="rank-line"><title>Sales rank</title></path>`);
  if (prices.length > 0) parts.push(`<path d="${stepPath(ev.usedPrice, x, (v) => yPrice(v / 100), end)}" class="price-line"><title>Used price</title></path>`);
  const level = (dollars: number | null, label: string, cls: string): void => {
    if (dollars === null) return;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${r1(yPrice(dollars))}" y2="${r1(yPrice(dollars))}" stroke-dasharray="6 4" class="${cls}"><title>${escapeHtml(label)}</title></line>`);
    parts.push(`<text x="${PAD.left + 4}" y="${r1(yPrice(dollars) - 4)}" class="axis ${cls}">${escapeHtml(label)}</text>`);
  };
  level(lines.listAt, `List at $${lines.listAt?.toFixed(2)}`, 'level-list');
  level(lines.yearAvg, `1yr. Avg. $${lines.yearAvg?.toFixed(2)}`, 'level-avg');
  for (const s of ev.sales) {
    const inYear = s.atMs > end - YEAR_MS;
    const price = s.priceCents === null ? 'price not counted' : `$${(s.priceCents / 100).toFixed(2)}`;
    const tip = `Inferred sale ${msToIso(s.atMs).slice(0, 10)}: ${price}${inYear ? ' (in the last year)' : ''}`;
    // A sale without a paired offer drop has no price: it is marked on the time axis.
    parts.push(`<circle cx="${r1(x(s.atMs))}" cy="${r1(yPrice((s.priceCents ?? 0) / 100))}" r="4.5" class="${inYear ? 'sale year' : 'sale'}"><title>${escapeHtml(tip)}</title></circle>`);
  }
  const title = `Used price (left axis), sales rank (right axis, log scale) and ${ev.sales.length} inferred sales, ${monthLabel(start)} to ${monthLabel(end)}`;
  return `<div class="chart-wrap"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}" class="chart"><title>${escapeHtml(title)}</title>${parts.join('')}</svg></div>`;
}
