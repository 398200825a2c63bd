// GET /deals: every saved deal, filtered, sorted and paged by the query string, with links to each
// deal's explanation, Amazon's used offers and Keepa. Server-rendered; works without script.
import type { DealQuery, DealSort, DeskDeal } from '../state/dealQuery.js';
import { ago, asinLinks, count, money, percent, renderDeskPage } from './deskLayout.js';
import { type DeskQuery, defaultOrder, deskQueryString, PAGE_SIZE } from './deskQuery.js';
import { escapeHtml as e } from './escape.js';
import { reasonInWords } from './reasons.js';

const SORT_LABELS: Record<DealSort, string> = {
  profit: 'Profit',
  roi: 'ROI',
  margin: 'Margin',
  sales: 'Sales per year',
  rank: 'Sales rank',
  found: 'When found',
  verified: 'When last verified',
};

/** Why a saved deal is not on the dashboard, in words. */
export function notVisibleReason(d: DeskDeal): string {
  if (d.rejectReason !== null) return `The latest analysis rejected it: ${reasonInWords(d.rejectReason)}`;
  const { Profit: profit, List_at: listAt } = d.row;
  if (typeof listAt !== 'number' || listAt <= 0) return 'No List at: too few inferred sales to price it.';
  if (d.row['1yr_Avg'] === null || d.row['1yr_Avg'] === undefined) return 'No 1-year average: no inferred sale in the last 365 days.';
  if (typeof profit !== 'number') return 'No profit figure: no used offer to buy.';
  if (profit > 0) return 'It sells too rarely: Keepa counts fewer sales a year (sales-rank drops) than peek.minSalesPerYear asks.';
  return `Profit is ${money(profit)}: selling at List at would not pay for the book, its costs and Amazon's fees.`;
}

function input(name: string, label: string, value: string | number | null, attrs: string, labelClass = ''): string {
  return `<label${labelClass ? ` class="${labelClass}"` : ''}>${label}<input name="${name}" value="${e(value ?? '')}" ${attrs}></label>`;
}

function select(name: string, label: string, options: readonly string[], value: string | null, anyLabel: string): string {
  const opts = [`<option value="">${e(anyLabel)}</option>`, ...options.map((o) => `<option${o === value ? ' selected' : ''}>${e(o)}</option>`)];
  if (value !== null && !options.includes(value)) opts.push(`<option selected>${e(value)}</option>`);
  return `<label>${label}<select name="${name}">${opts.join('')}</select></label>`;
}

function filterForm(q: DeskQuery, seasons: readonly string[], conditions: readonly string[]): string {
  const f = q.filter;
  const sortOptions = (Object.keys(SORT_LABELS) as DealSort[]).map((s) => `<option value="${s}"${s === f.sort ? ' selected' : ''}>${SORT_LABELS[s]}</option>`).join('');
  return `<form class="filters" method="get" action="/deals" role="search">
${input('q', 'Title, author or ASIN', f.q, 'type="search"', 'wide')}
${input('min_profit', 'Min profit ($)', f.minProfit, 'type="number" step="any" inputmode="decimal"')}
${input('min_roi', 'Min ROI (%)', f.minRoi, 'type="number" step="any" inputmode="decimal"')}
${input('max_rank', 'Max sales rank', f.maxRank, 'type="number" step="1" min="1" inputmode="numeric"')}
${input('min_sales', 'Min sales per year', f.minSales, 'type="number" step="1" min="0" inputmode="numeric"')}
${select('season', 'Season', seasons, f.season, 'any season')}
${select('condition', 'Condition', conditions, f.condition, 'any condition')}
<label>Sort by<select name="sort">${sortOptions}</select></label>
<label>Order<select name="order"><option value="desc"${f.order === 'desc' ? ' selected' : ''}>high to low / newest</option><option value="asc"${f.order === 'asc' ? ' selected' : ''}>low to high / oldest</option></select></label>
<label class="check"><input type="checkbox" name="all" value="1"${f.all ? ' checked' : ''}> include deals not shown</label>
<label class="actions"><button type="submit">Apply</button> <a href="/deals">Reset</a></label>
</form>`;
}

function sortHeader(q: DeskQuery, sort: DealSort, label: string): string {
  const on = q.filter.sort === sort;
  const order = on ? (q.filter.order === 'asc' ? 'desc' : 'asc') : defaultOrder(sort);
  const arrow = on ? (q.filter.order === 'asc' ? ' ▲' : ' ▼') : '';
  return `<th class="n"><a href="/deals${e(deskQueryString(q, { sort, order, page: 1 }))}"${on ? ' class="on"' : ''}>${label}${arrow}</a></th>`;
}

function signed(v: unknown, text: string): string {
  return typeof v === 'number' ? `<span class="${v > 0 ? 'pos' : v < 0 ? 'neg' : ''}">${text}</span>` : text;
}

function dealRow(d: DeskDeal, nowMs: number, showWhy: boolean): string {
  const r = d.row;
  const asin = String(r.ASIN);
  const title = typeof r.Title === 'string' && r.Title !== '' ? r.Title : '(no title)';
  const author = typeof r.Author === 'string' && r.Author !== '' ? `<br><small>${e(r.Author)}</small>` : '';
  const links = asinLinks(asin);
  const why = showWhy && !d.visible ? `<span class="why">Not shown: ${e(notVisibleReason(d))}</span>` : '';
  const cells = [
    `<td class="title"><a href="/deals/${encodeURIComponent(asin)}">${e(title)}</a>${author}${why}</td>`,
    `<td data-label="Condition">${e(r.Condition ?? '-')}</td>`,
    `<td class="n" data-label="Price now">${money(r.Price_Now)}</td>`,
    `<td class="n" data-label="List at">${money(r.List_at)}</td>`,
    `<td class="n" data-label="Profit">${signed(r.Profit, money(r.Profit))}</td>`,
    `<td class="n" data-label="ROI">${signed(d.roi, percent(d.roi))}</td>`,
    `<td class="n" data-label="Margin">${percent(r.Margin)}</td>`,
    `<td class="n" data-label="Sales/yr">${count(d.salesYear)}</td>`,
    `<td class="n" data-label="Rank">${count(r.Sales_Rank_Current)}</td>`,
    `<td data-label="Season">${e(r.Seasonality_Type ?? '-')}</td>`,
    `<td class="n" data-label="Found">${ago(nowMs, d.firstSeenAt)}</td>`,
    `<td class="n" data-label="Verified">${ago(nowMs, d.verifiedAt)}</td>`,
    `<td class="links" data-label="ASIN"><code>${e(asin)}</code><br>${links ? `<a href="${links.amazon}" rel="noreferrer">Amazon offers</a><a href="${links.keepa}" rel="noreferrer">Keepa</a>` : ''}</td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

function pager(q: DeskQuery, pages: number): string {
  if (pages <= 1) return '';
  const link = (page: number, label: string): string => (page === q.page ? `<span class="on" aria-current="page">${label}</span>` : `<a href="/deals${e(deskQueryString(q, { page }))}">${label}</a>`);
  const shown = new Set([1, pages, q.page - 2, q.page - 1, q.page, q.page + 1, q.page + 2].filter((p) => p >= 1 && p <= pages));
  const parts: string[] = [];
  if (q.page > 1) parts.push(link(q.page - 1, '‹ Previous'));
  let last = 0;
  for (const p of [...shown].sort((a, b) => a - b)) {
    if (p > last + 1) parts.push('<span class="gap">…</span>');
    parts.push(link(p, String(p)));
    last = p;
  }
  if (q.page < pages) parts.push(link(q.page + 1, 'Next ›'));
  return `<nav class="pager" aria-label="Pages">${parts.join('')}</nav>`;
}

export function renderDealsPage(query: DealQuery, q: DeskQuery, nowMs: number, nonce: string): string {
  const total = query.count(q.filter);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const deals = query.page(q.filter, (q.page - 1) * PAGE_SIZE, PAGE_SIZE);
  const from = total === 0 ? 0 : (q.page - 1) * PAGE_SIZE + 1;
  const to = (q.page - 1) * PAGE_SIZE + deals.length;
  const qs = deskQueryString({ ...q, page: 1 });
  const head = [
    '<th>Title and author</th><th>Condition</th><th class="n">Price now</th><th class="n">List at</th>',
    sortHeader(q, 'profit', 'Profit'),
    sortHeader(q, 'roi', 'ROI'),
    sortHeader(q, 'margin', 'Margin'),
    sortHeader(q, 'sales', 'Sales/yr'),
    sortHeader(q, 'rank', 'Rank'),
    '<th>Season</th>',
    sortHeader(q, 'found', 'Found'),
    sortHeader(q, 'verified', 'Verified'),
    '<th>Links</th>',
  ].join('');
  const body = `<h1>Deals</h1>
${filterForm(q, query.distinct('Seasonality_Type'), query.distinct('Condition'))}
<div class="summary"><span><strong>${total.toLocaleString('en-US')}</strong> ${q.filter.all ? 'saved deals' : 'deals shown'} match${total === 0 ? '' : `; ${from}-${to}`}, sorted by ${e(SORT_LABELS[q.filter.sort].toLowerCase())} ${q.filter.order === 'asc' ? 'ascending' : 'descending'}.</span>
<span class="exports">Export this list: <a href="/deals.csv${e(qs)}" download>CSV</a> · <a href="/deals.json${e(qs)}">JSON</a></span></div>
${deals.length === 0 ? `<p class="muted">No deal matches${q.filter.all ? '' : ' among those shown; <a href="/deals?all=1">include deals not shown</a>'}.</p>` : `<div class="scroll"><table class="deals"><thead><tr>${head}</tr></thead><tbody>${deals.map((d) => dealRow(d, nowMs, q.filter.all)).join('')}</tbody></table></div>`}
${pager(q, pages)}
<p class="muted"><small>Shown: profit above zero at List at, with a List at and a 1-year average. ROI is profit over All-in Cost; sales per year are the sales inferred in the year before the analysis.</small></p>`;
  return renderDeskPage({ title: q.page > 1 ? `Deals, page ${q.page}` : 'Deals', nonce, active: 'deals', body });
}
