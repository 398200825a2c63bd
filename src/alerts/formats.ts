// An alert in the shape each destination expects: the generic webhook gets the JSON body as is;
// Discord an embed, Slack mrkdwn blocks, ntfy a plain-text body with its Title and Click headers.
// Every request carries the `Idempotency-Key` header. Pure.
import type { AlertFormat } from './config.js';
import { type AlertMessage, type DealAlert, isStatusAlert, type StatusAlert } from './message.js';

export interface Rendered {
  body: string;
  headers: Record<string, string>;
}

const money = (v: number | null): string => (v === null ? '?' : `$${v.toFixed(2)}`);
const figure = (v: number | null, unit = ''): string => (v === null ? '?' : `${Math.round(v * 10) / 10}${unit}`);

/** One line saying what to buy and why. */
export function dealHeadline(a: DealAlert): string {
  return `${a.test ? '[test] ' : ''}Buy at ${money(a.priceNow)}, list at ${money(a.listAt)}: profit ${money(a.profit)}, ROI ${figure(a.roi, '%')}, ${figure(a.salesPerYear)} sales/year`;
}

function dealLines(a: DealAlert): string[] {
  return [`${a.title ?? a.asin} (${a.condition ?? 'condition unknown'})`, dealHeadline(a), `Sales rank ${a.salesRank ?? '?'}${a.season ? `, season ${a.season}` : ''}; rule ${a.rule}`];
}

function statusLine(s: StatusAlert): string {
  const head = s.verdict === 'stalled' ? 'keepa-deals is STALLED: no deals are coming in.' : `keepa-deals recovered: deals are flowing again (status ${s.verdict}).`;
  return `${s.test ? '[test] ' : ''}${head}${s.reasons.length > 0 ? ` ${s.reasons.join('; ')}` : ''}`;
}

const links = (a: DealAlert): Array<[string, string]> => [['Offers', a.offerUrl], ['Keepa', a.keepaUrl], ...(a.url ? ([['Deal', a.url]] as Array<[string, string]>) : [])];

export function render(format: AlertFormat, m: AlertMessage): Rendered {
  const headers: Record<string, string> = { 'idempotency-key': m.id };
  switch (format) {
    case 'webhook':
      return { body: JSON.stringify(m), headers: { ...headers, 'content-type': 'application/json' } };
    case 'discord':
      return { body: JSON.stringify(discord(m)), headers: { ...headers, 'content-type': 'application/json' } };
    case 'slack':
      return { body: JSON.stringify(slack(m)), headers: { ...headers, 'content-type': 'application/json' } };
    case 'ntfy':
      return ntfy(m, headers);
  }
}

/** Discord: an embed whose title links to the offers; content is capped at 2,000 characters. */
function discord(m: AlertMessage): unknown {
  if (isStatusAlert(m)) return { username: 'keepa-deals', content: statusLine(m).slice(0, 2000) };
  const [what, why, more] = dealLines(m);
  return {
    username: 'keepa-deals',
    content: (why ?? '').slice(0, 2000),
    embeds: [
      {
        title: (what ?? m.asin).slice(0, 256),
        url: m.offerUrl,
        description: `${more}\n${links(m)
          .map(([name, url]) => `[${name}](${url})`)
          .join(' · ')}`.slice(0, 4000),
      },
    ],
  };
}

/** Slack: `text` is the notification's fallback; a mrkdwn section carries the details and links. */
function slack(m: AlertMessage): unknown {
  if (isStatusAlert(m)) return { text: statusLine(m) };
  const lines = dealLines(m);
  const escapeMrkdwn = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    text: `${lines[1]} (${m.title ?? m.asin})`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escapeMrkdwn(lines[0] ?? '')}*\n${escapeMrkdwn(lines[1] ?? '')}\n${escapeMrkdwn(lines[2] ?? '')}\n${links(m)
            .map(([name, url]) => `<${url}|${name}>`)
            .join(' · ')}`,
        },
      },
    ],
  };
}

/** ntfy: header values must be plain ASCII, so the title (any script) goes in the body. */
function ntfy(m: AlertMessage, headers: Record<string, string>): Rendered {
  const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');
  if (isStatusAlert(m)) {
    return {
      body: statusLine(m),
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', title: m.verdict === 'stalled' ? 'keepa-deals stalled' : 'keepa-deals recovered', priority: m.verdict === 'stalled' ? 'high' : 'default', ...(m.url ? { click: m.url } : {}) },
    };
  }
  const body = [...dealLines(m), ...links(m).map(([name, url]) => `${name}: ${url}`)].join('\n');
  return {
    body,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', title: ascii(`Deal: profit ${money(m.profit)} on ${m.asin}`), tags: 'books', click: m.url ?? m.offerUrl },
  };
}
