// GET /deals/ASIN: one deal explained line by line with the numbers that produced it: the sales
// behind List at and 1yr. Avg., the all-in cost, Amazon's fees, profit, margin, ROI and break-even,
// the history chart, the live offers of the last fetch, when it was fetched, and for a book that
// was rejected the reason in words. Everything from Keepa is escaped.

import { msToIso } from '../keepa/time.js';
import { type DealEvidence, type EvidenceSale, isPriced, salesInYear } from '../pipeline/evidence.js';
import type { BusinessSettings } from '../settings.js';
import type { DealColumn } from '../state/columns.js';
import type { DeskDeal } from '../state/dealQuery.js';
import type { QueueItem } from '../state/queue.js';
import { renderDealChart } from './dealChart.js';
import { notVisibleReason } from './dealsPage.js';
import { ago, asinLinks, count, money, percent, renderDeskPage } from './deskLayout.js';
import { escapeHtml as e } from './escape.js';
import { reasonInWords } from './reasons.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const YEAR_MS = 365 * 86_400_000;

export interface DealPageInput {
  asin: string;
  deal: DeskDeal | null;
  evidence: DealEvidence | null;
  queue: QueueItem | null;
  columns: readonly DealColumn[];
  /** The settings in force now: the cost lines' fallback when the deal predates its evidence. */
  settings: BusinessSettings;
  nowMs: number;
  nonce: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const cents = (dollars: number): number => Math.round(dollars * 100);
const day = (ms: number): string => msToIso(ms).slice(0, 10);

function calc(lines: Array<[string, string, boolean?]>): string {
  return `<dl class="calc">${lines.map(([k, v, total]) => `<dt${total ? ' class="total"' : ''}>${k}</dt><dd${total ? ' class="total"' : ''}>${v}</dd>`).join('')}</dl>`;
}

function salesList(sales: readonly EvidenceSale[]): string {
  if (sales.length === 0) return '';
  return `<div class="scroll"><table><thead><tr><th>Date</th><th>Month</th><th class="n">Price</th><th>Condition</th></tr></thead><tbody>${sales
    .map((s) => `<tr><td>${day(s.atMs)}</td><td>${MONTHS[s.month] ?? '-'}</td><td class="n">${s.priceCents === null ? 'not counted' : money(s.priceCents / 100)}</td><td>${e(s.condition ?? '-')}</td></tr>`)
    .join('')}</tbody></table></div>`;
}

function listAtSection(row: DeskDeal['row'], ev: DealEvidence): string {
  const listAt = num(row.List_at);
  const sales = ev.sales.filter(isPriced);
  if (listAt === null || sales.length === 0) return '<p>No List at: no sale could be inferred from the history, so there is nothing to price the book by.</p>';
  if (sales.length < 3) {
    return `<p>List at <strong>${money(listAt)}</strong> is the median of the only ${sales.length} inferred sale${sales.length === 1 ? '' : 's'} (too few to tell months apart):</p>${salesList(sales)}`;
  }
  const peak = typeof row.Peak_Season === 'string' ? MONTHS.indexOf(row.Peak_Season) : -1;
  const inPeak = sales.filter((s) => s.month === peak);
  if (inPeak.length === 0) {
    return `<p>List at <strong>${money(listAt)}</strong> comes from these ${sales.length} inferred sales, grouped by calendar month: the month with the highest median price sets it (its most frequent price, or its median), capped at 90% of Amazon's lowest price.</p>${salesList(sales)}`;
  }
  const highest = Math.max(...inPeak.map((s) => s.priceCents));
  const capped = inPeak.length > 0 && cents(listAt) < Math.min(...inPeak.map((s) => s.priceCents));
  return `<p>List at <strong>${money(listAt)}</strong> comes from ${sales.length} inferred sales over the history. Grouped by calendar month, ${e(
    MONTHS[peak] ?? 'the peak month',
  )} has the highest median price; List at is the price that repeats most among its ${inPeak.length} sale${inPeak.length === 1 ? '' : 's'}, or their median when none repeats${
    capped ? `, then capped at 90% of Amazon's lowest price (the sales went up to ${money(highest / 100)})` : ''
  }:</p>${salesList(inPeak)}`;
}

function yearAvgSection(row: DeskDeal['row'], ev: DealEvidence): string {
  const avg = num(row['1yr_Avg']);
  const year = ev.sales.filter(isPriced).filter((s) => s.atMs > ev.analyzedAtMs - YEAR_MS && s.atMs <= ev.analyzedAtMs);
  if (avg === null || year.length === 0) return '<p>No 1yr. Avg.: no sale was inferred in the 365 days before the analysis.</p>';
  return `<p>1yr. Avg. <strong>${money(avg)}</strong> is the mean of the ${year.length} sale${year.length === 1 ? '' : 's'} inferred between ${day(ev.analyzedAtMs - YEAR_MS)} and ${day(ev.analyzedAtMs)}:</p>${salesList(year)}`;
}

function costSection(d: DeskDeal, ev: DealEvidence | null, settings: BusinessSettings): string {
  const r = d.row;
  const price = num(r.Price_Now);
  const costs = ev?.costs ?? settings;
  const source = ev ? 'the settings in force at the analysis' : 'the settings in force now (this deal was saved before its analysis was kept)';
  if (price === null) return '<p>No used offer to buy, so no cost.</p>';
  const tax = costs.taxExempt ? 0 : Math.round(price * costs.taxPercent) / 100;
  const shippingIncluded = r.Shipping_Included === 'yes';
  const allIn = num(r.All_in_Cost);
  const listAt = num(r.List_at);
  const pickPack = num(r.FBA_PickandPack_Fee);
  const referralPct = num(r.Referral_Fee_Percent);
  const referral = listAt !== null && referralPct !== null ? Math.round(listAt * referralPct) / 100 : null;
  const fees = num(r.Total_AMZ_fees);
  const profit = num(r.Profit);
  const breakEven = allIn !== null && pickPack !== null && referralPct !== null && referralPct < 100 ? Math.ceil(((allIn + pickPack) / (1 - referralPct / 100)) * 100) / 100 : null;
  const cost = calc([
    [`Price now (${e(r.Condition ?? 'used')}, ${shippingIncluded ? 'shipping included' : 'shipping unknown'})`, money(price)],
    [costs.taxExempt ? 'Tax (exempt)' : `Tax ${costs.taxPercent}%`, money(tax)],
    ['Prep fee', money(costs.prepFee)],
    [shippingIncluded ? 'Inbound shipping (in the price)' : 'Inbound shipping (estimated)', money(shippingIncluded ? 0 : costs.estimatedShipping)],
    ['All-in cost', money(allIn), true],
  ]);
  const amazon = calc([
    ['FBA pick and pack', money(pickPack)],
    [`Referral ${referralPct ?? '-'}% of List at`, money(referral)],
    ['Amazon fees', money(fees), true],
  ]);
  const result = calc([
    ['List at', money(listAt)],
    ['- All-in cost', money(allIn)],
    ['- Amazon fees', money(fees)],
    ['Profit', money(profit), true],
    ['Margin (profit / List at)', percent(r.Margin)],
    ['ROI (profit / All-in cost)', percent(d.roi)],
    ['Break-even list price', money(breakEven)],
    [`Min. listing price (${costs.markupPercent}% markup)`, money(r.Min_Listing_Price)],
  ]);
  return `<div class="cols"><div class="box"><h2>All-in cost</h2>${cost}<p><small>From ${source}.</small></p></div><div class="box"><h2>Amazon's fees</h2>${amazon}</div><div class="box"><h2>Profit</h2>${result}</div></div>`;
}

function offersSection(ev: DealEvidence, sellerId: unknown, nowMs: number): string {
  if (ev.offers.length === 0) return '<p>No live offer was seen at the last fetch.</p>';
  const rows = ev.offers.map((o) => {
    const total = o.priceCents + (o.shippingCents ?? 0);
    const winner = o.sellerId === sellerId ? ' <strong>(Price now)</strong>' : '';
    return `<tr><td>${e(o.condition)}${winner}</td><td class="n">${money(o.priceCents / 100)}</td><td class="n">${o.shippingCents === null ? 'unknown' : money(o.shippingCents / 100)}</td><td class="n">${money(total / 100)}</td><td>${o.fba ? 'FBA' : 'merchant'}</td><td><code>${e(o.sellerId)}</code></td></tr>`;
  });
  return `<p>${ev.offers.length} live offer${ev.offers.length === 1 ? '' : 's'} seen ${ago(nowMs, ev.offersAtMs)}, cheapest first:</p><div class="scroll"><table><thead><tr><th>Condition</th><th class="n">Price</th><th class="n">Shipping</th><th class="n">Total</th><th>Fulfilment</th><th>Seller</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function queueLine(item: QueueItem | null, nowMs: number): string {
  if (item === null) return '<p>The queue has no record of this book.</p>';
  const verdict = item.rejectReason ? ` Verdict: ${e(reasonInWords(item.rejectReason))}` : item.parkedReason ? ` Parked: ${e(reasonInWords(item.parkedReason))}` : '';
  return `<p>Queue: <strong>${e(item.stage)}</strong>, ${item.attempts} failed attempt${item.attempts === 1 ? '' : 's'} since it was last queued, ${item.tokensSpent.toFixed(1)} tokens spent on it, queued ${ago(nowMs, item.queuedAt)}, last changed ${ago(nowMs, item.updatedAt)}.${verdict}${item.lastError ? ` Last error: <span class="neg">${e(item.lastError)}</span>` : ''}</p>`;
}

function allColumns(d: DeskDeal, columns: readonly DealColumn[]): string {
  const rows = columns.map((c) => `<tr><th>${e(c.header)}</th><td>${e(d.row[c.name] ?? '')}</td></tr>`);
  return `<details><summary>Every column (${columns.length})</summary><table>${rows.join('')}</table></details>`;
}

export function renderDealPage(p: DealPageInput): string {
  const { deal: d, evidence: ev, nowMs } = p;
  const links = asinLinks(p.asin);
  const linkLine = links ? `<a href="${links.amazon}" rel="noreferrer">Amazon's used offers</a> · <a href="${links.keepa}" rel="noreferrer">Keepa</a>` : '';
  if (d === null) {
    const verdict = p.queue?.rejectReason ? `<div class="verdict off"><strong>Rejected:</strong> ${e(reasonInWords(p.queue.rejectReason))}</div>` : '';
    const body = `<p><a href="/deals">‹ All deals</a></p><h1>${e(p.asin)}</h1><p>This book is not among the saved deals.</p>${verdict}${queueLine(p.queue, nowMs)}<p>${linkLine}</p>`;
    return renderDeskPage({ title: p.asin, nonce: p.nonce, active: 'deals', body });
  }
  const r = d.row;
  const title = typeof r.Title === 'string' && r.Title !== '' ? r.Title : '(no title)';
  const verdict = d.visible && d.rejectReason === null ? '<div class="verdict"><strong>Shown on the dashboard:</strong> it makes a profit at List at.</div>' : `<div class="verdict off"><strong>Not shown:</strong> ${e(notVisibleReason(d))}</div>`;
  const explained = ev
    ? `<div class="cols"><div class="box"><h2>Why List at is ${money(r.List_at)}</h2>${listAtSection(r, ev)}</div><div class="box"><h2>Why 1yr. Avg. is ${money(r['1yr_Avg'])}</h2>${yearAvgSection(r, ev)}</div></div>
<h2>History</h2>${renderDealChart(ev, { listAt: num(r.List_at), yearAvg: num(r['1yr_Avg']) })}
<p class="muted"><span class="key price"></span>used price <span class="key rank"></span>sales rank (log scale, best at the top) <span class="key sale"></span>inferred sale <span class="key sale year"></span>inferred sale in the last year</p>
<h2>Live offers</h2>${offersSection(ev, r.Seller_ID, nowMs)}`
    : '<p class="muted">This deal was saved before the daemon kept the sales, history and offers behind it; the next full analysis adds them.</p>';
  const body = `<p><a href="/deals">‹ All deals</a></p>
<h1>${e(title)}</h1>
<p>${typeof r.Author === 'string' ? `${e(r.Author)} · ` : ''}<code>${e(p.asin)}</code> · ${e(r.Condition ?? '-')} · rank ${count(r.Sales_Rank_Current)} · ${e(r.Seasonality_Type ?? '-')} · ${ev ? `${salesInYear(ev.sales, ev.analyzedAtMs)} sales in the last year` : 'sales per year unknown'} · ${linkLine}</p>
${verdict}
${costSection(d, ev, p.settings)}
${explained}
<h2>When</h2>
<p>Found ${ago(nowMs, d.firstSeenAt)}; analysed with history ${ago(nowMs, d.analyzedAt)}; ${d.refreshedAt === null ? 'offers not refreshed since' : `offers refreshed ${ago(nowMs, d.refreshedAt)}`}; last seen in Keepa's deal list ${ago(nowMs, d.lastSeenAt)}.</p>
${queueLine(p.queue, nowMs)}
${allColumns(d, p.columns)}`;
  return renderDeskPage({ title, nonce: p.nonce, active: 'deals', body });
}
