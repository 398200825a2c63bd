// The frame of the deals desk's pages (/deals, /deals/ASIN, /settings): navigation, the styles
// and one small script, both carrying the response's CSP nonce, so no other inline script or
// style can run. The pages work without the script; it only submits the filters on change.
import { msToIso } from '../keepa/time.js';
import { formatDuration } from '../status.js';
import { escapeHtml as e } from './escape.js';

export interface DeskPageOptions {
  title: string;
  nonce: string;
  active: 'deals' | 'settings';
  body: string;
}

export function money(v: unknown): string {
  if (typeof v !== 'number') return '-';
  return v < 0 ? `-$${(-v).toFixed(2)}` : `$${v.toFixed(2)}`;
}

export function percent(v: unknown): string {
  return typeof v === 'number' ? `${v.toFixed(1)}%` : '-';
}

export function count(v: unknown): string {
  return typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : '-';
}

export function ago(nowMs: number, atMs: number | null): string {
  if (atMs === null) return '-';
  return `<time datetime="${msToIso(atMs)}" title="${msToIso(atMs)}">${formatDuration(nowMs - atMs)} ago</time>`;
}

/** Only ASINs that look like ASINs make links: the value came from Keepa. */
export function asinLinks(asin: string): { amazon: string; keepa: string } | null {
  if (!/^[A-Z0-9]{10}$/.test(asin)) return null;
  return { amazon: `https://www.amazon.com/gp/offer-listing/${asin}?condition=used`, keepa: `https://keepa.com/#!product/1-${asin}` };
}

export function renderDeskPage(o: DeskPageOptions): string {
  const nav = (href: string, label: string, key: string): string => `<a href="${href}"${o.active === key ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><meta name="referrer" content="no-referrer">
<title>${e(o.title)} - keepa-deals</title>
<style nonce="${o.nonce}">${CSS}</style></head>
<body><header class="top"><strong>keepa-deals</strong><nav>${nav('/', 'Status', 'status')}${nav('/deals', 'Deals', 'deals')}${nav('/settings', 'Settings', 'settings')}</nav></header>
<main>${o.body}</main>
<script nonce="${o.nonce}">${SCRIPT}</script>
</body></html>
`;
}

const SCRIPT = `document.querySelectorAll('form.filters select, form.filters input[type=checkbox]').forEach(function (el) { el.addEventListener('change', function () { el.form.submit(); }); });`;

const CSS = `
:root{--ok:#1a7f37;--bad:#c62828;--warn:#b35900;--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#f6f8fa;--link:#0b5cad}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--link)}main{max-width:1280px;margin:0 auto;padding:12px 16px}
.top{display:flex;gap:16px;align-items:center;padding:8px 16px;background:#24292f;color:#fff}.top nav{display:flex;gap:12px}.top a{color:#d0d7de;text-decoration:none}.top a[aria-current]{color:#fff;font-weight:600;border-bottom:2px solid #fff}
h1{font-size:20px;margin:8px 0}h2{font-size:16px;margin:20px 0 8px}small,.muted{color:var(--muted)}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}form.filters .wide{grid-column:span 2}
form.filters input,form.filters select{font:inherit;padding:4px 6px;border:1px solid var(--line);border-radius:4px;color:var(--ink);background:#fff;min-width:0}
form.filters .check{flex-direction:row;align-items:center;gap:6px}form.filters .actions{flex-direction:row;align-items:end;gap:8px}
button{font:inherit;padding:4px 12px;border:1px solid #1f6f3f;background:var(--ok);color:#fff;border-radius:4px;cursor:pointer}
.summary{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;margin:10px 0}.summary .exports{margin-left:auto}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#eef1f4;font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;white-space:nowrap}th a{color:inherit}th a.on{text-decoration:underline 2px}
td.title{min-width:220px;max-width:360px}td.title a{font-weight:600}.why{display:block;color:var(--warn);font-size:12px}
.neg{color:var(--bad)}.pos{color:var(--ok)}.links a{display:block;white-space:nowrap}.scroll{overflow-x:auto}
.pager{display:flex;gap:6px;flex-wrap:wrap;margin:12px 0}.pager a,.pager span{padding:3px 9px;border:1px solid var(--line);border-radius:4px;background:#fff;text-decoration:none}.pager span.on{background:#24292f;color:#fff}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.box{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px}
dl.calc{display:grid;grid-template-columns:1fr auto;gap:2px 12px;margin:0}dl.calc dt{color:var(--muted)}dl.calc dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
dl.calc .total{border-top:1px solid var(--line);padding-top:2px;font-weight:600;color:var(--ink)}
.verdict{border-left:6px solid var(--ok);background:#fff;padding:8px 12px;border-radius:4px;margin:8px 0}.verdict.off{border-left-color:var(--warn)}
.chart-wrap{overflow-x:auto}.chart{width:100%;min-width:620px;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
.grid{stroke:#e4e8ec}.axis{font-size:11px;fill:var(--muted)}.axis.price{fill:#1f5fbf}.axis.rank{fill:#8250df}
.price-line{fill:none;stroke:#1f5fbf;stroke-width:2}.rank-line{fill:none;stroke:#8250df;stroke-width:1.2;opacity:.8}text.level-list{fill:#1a7f37}text.level-avg{fill:#e36209}line.level-list{stroke:#1a7f37;stroke-width:1.5}line.level-avg{stroke:#e36209;stroke-width:1.5}.sale{fill:#1a7f37;stroke:#fff;stroke-width:1}.sale.year{fill:#e36209}
.key{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px}.key.price{border-top:2px solid #1f5fbf;height:0}.key.rank{border-top:2px solid #8250df;height:0}.key.sale{background:#1a7f37;border-radius:50%;width:10px}.key.sale.year{background:#e36209}
code{background:#eef1f4;padding:0 3px;border-radius:3px}td code{white-space:nowrap}
@media (max-width:760px){
  main{padding:8px}form.filters{grid-template-columns:1fr 1fr}form.filters .wide{grid-column:span 2}
  table.deals,table.deals tbody,table.deals tr,table.deals td{display:block;width:100%}table.deals thead{display:none}
  table.deals tr{border-bottom:2px solid var(--line);padding:6px 0}table.deals td{border:0;padding:2px 8px;text-align:left;max-width:none}
  table.deals td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}
  .summary .exports{margin-left:0}
}
`;
