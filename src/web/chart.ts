// The page's one chart, as inline SVG: deals saved per hour (bars, right axis) and the estimated
// token balance (line, left axis) over the last 24 hours.
import { escapeHtml } from './escape.js';
import type { Overview } from './overview.js';

const W = 760;
const H = 230;
const PAD = { left: 56, right: 48, top: 16, bottom: 34 };
const HOUR = 3_600_000;

const round = (n: number): string => (Math.round(n * 10) / 10).toString();

/** A round axis maximum at or above `n` that splits into four readable steps: 1, 2, 4, 5, 6, 8, 10, 12, 15, 20... */
export function niceCeiling(n: number): number {
  if (n <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 1.2, 1.5, 2, 4, 5, 6, 8, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

export function renderChart(overview: Overview, tokenMax: number | null): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const start = overview.nowMs - 24 * HOUR;
  const x = (ms: number): number => PAD.left + ((ms - start) / (24 * HOUR)) * plotW;
  const savedMax = niceCeiling(Math.max(...overview.hours.map((h) => h.saved), 1));
  const balanceTop = niceCeiling(Math.max(tokenMax ?? 0, ...overview.balance.map((p) => p.balance), 1));
  const balanceBottom = Math.min(0, ...overview.balance.map((p) => p.balance));
  const yDeals = (n: number): number => PAD.top + plotH - (n / savedMax) * plotH;
  const yTokens = (n: number): number => PAD.top + plotH - ((n - balanceBottom) / (balanceTop - balanceBottom)) * plotH;

  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + (plotH * i) / 4;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${round(y)}" y2="${round(y)}" class="grid"/>`);
    const tokens = balanceTop - ((balanceTop - balanceBottom) * i) / 4;
    const deals = savedMax - (savedMax * i) / 4;
    parts.push(`<text x="${PAD.left - 6}" y="${round(y + 4)}" class="axis tok" text-anchor="end">${Math.round(tokens)}</text>`);
    parts.push(`<text x="${W - PAD.right + 6}" y="${round(y + 4)}" class="axis deal">${round(deals)}</text>`);
  }
  for (let h = 0; h <= 24; h += 6) {
    const label = h === 24 ? 'now' : `-${24 - h} h`;
    parts.push(`<text x="${round(x(start + h * HOUR))}" y="${H - PAD.bottom + 18}" class="axis" text-anchor="middle">${label}</text>`);
  }
  const barW = plotW / 24;
  for (const hour of overview.hours) {
    if (hour.saved === 0 && hour.failed === 0) continue;
    const top = yDeals(hour.saved);
    const when = new Date(hour.startMs).toISOString().slice(11, 16);
    const tip = `${when} UTC: ${hour.saved} deals saved, ${Math.round(hour.tokens)} tokens spent, ${hour.runs} runs${hour.failed ? `, ${hour.failed} failed` : ''}`;
    parts.push(`<rect x="${round(x(hour.startMs) + 2)}" y="${round(top)}" width="${round(barW - 4)}" height="${round(PAD.top + plotH - top)}" class="${hour.failed ? 'bar failed' : 'bar'}"><title>${escapeHtml(tip)}</title></rect>`);
  }
  if (overview.balance.length > 1) {
    const path = overview.balance.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(x(p.atMs))},${round(yTokens(p.balance))}`).join(' ');
    parts.push(`<path d="${path}" class="balance"/>`);
  }
  if (tokenMax !== null) parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${round(yTokens(tokenMax))}" y2="${round(yTokens(tokenMax))}" class="cap"/>`);
  const title = 'Token balance (line, estimated, left axis) and deals saved per hour (bars, right axis), last 24 hours';
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}" class="chart"><title>${title}</title>${parts.join('')}</svg>`;
}
