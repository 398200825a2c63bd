import { describe, expect, it } from 'vitest';
import { render } from '../../src/alerts/formats.js';
import { dealAlert, statusAlert } from '../../src/alerts/message.js';
import { T0 } from '../helpers.js';

const ROW = {
  Title: 'Organic Chemistry — 9th édition',
  Condition: 'Used - Very Good',
  Price_Now: 8.5,
  List_at: 31.99,
  Profit: 12.4,
  All_in_Cost: 10.25,
  Sales_Rank_Current: 48210,
  Sales_Rank_Drops_last_365_days: 14,
  Keepa_Link: 'https://keepa.com/#!product/1-0131234567',
};
const DEAL = dealAlert({ rule: 'textbooks', asin: '0131234567', episode: 2, row: ROW, savedAtMs: T0, fetchedAtMs: T0 - 60_000, pageUrl: 'http://127.0.0.1:8750' });
const STALL = statusAlert({ episode: 3, verdict: 'stalled', reasons: ['nothing committed for 42 min although 300 tokens were available'], atMs: T0, pageUrl: null });

describe('alert formats', () => {
  it('the generic webhook: the documented JSON, with the Idempotency-Key header equal to id', () => {
    const out = render('webhook', DEAL);
    expect(out.headers).toEqual({ 'idempotency-key': 'textbooks:0131234567:2', 'content-type': 'application/json' });
    expect(JSON.parse(out.body)).toEqual({
      id: 'textbooks:0131234567:2',
      rule: 'textbooks',
      asin: '0131234567',
      episode: 2,
      title: 'Organic Chemistry — 9th édition',
      condition: 'Used - Very Good',
      priceNow: 8.5,
      listAt: 31.99,
      profit: 12.4,
      roi: 121,
      salesPerYear: 14,
      salesRank: 48210,
      season: null,
      url: 'http://127.0.0.1:8750/deals/0131234567',
      offerUrl: 'https://www.amazon.com/gp/offer-listing/0131234567?condition=used',
      keepaUrl: 'https://keepa.com/#!product/1-0131234567',
      savedAt: '2026-03-01T00:00:00.000Z',
      fetchedAt: '2026-02-28T23:59:00.000Z',
    });
    expect(JSON.parse(render('webhook', STALL).body)).toEqual({ id: 'status:3:stalled', rule: 'status', verdict: 'stalled', reasons: STALL.reasons, at: '2026-03-01T00:00:00.000Z', url: null });
  });

  it('Discord, Slack and ntfy say what to buy and why, with the links', () => {
    const discord = JSON.parse(render('discord', DEAL).body);
    expect(discord.content).toBe('Buy at $8.50, list at $31.99: profit $12.40, ROI 121%, 14 sales/year');
    expect(discord.embeds[0]).toMatchObject({ title: 'Organic Chemistry — 9th édition (Used - Very Good)', url: DEAL.offerUrl });
    expect(discord.embeds[0].description).toContain('[Deal](http://127.0.0.1:8750/deals/0131234567)');
    const slack = JSON.parse(render('slack', DEAL).body);
    expect(slack.text).toMatch(/^Buy at \$8\.50, list at \$31\.99: profit \$12\.40/);
    expect(slack.blocks[0].text.text).toContain(`<${DEAL.keepaUrl}|Keepa>`);
    const ntfy = render('ntfy', DEAL);
    expect(ntfy.headers).toMatchObject({ 'idempotency-key': DEAL.id, title: 'Deal: profit $12.40 on 0131234567', click: DEAL.url });
    expect(ntfy.body.split('\n')).toEqual([
      'Organic Chemistry — 9th édition (Used - Very Good)',
      'Buy at $8.50, list at $31.99: profit $12.40, ROI 121%, 14 sales/year',
      'Sales rank 48210; rule textbooks',
      `Offers: ${DEAL.offerUrl}`,
      `Keepa: ${DEAL.keepaUrl}`,
      `Deal: ${DEAL.url}`,
    ]);
    // Header values must be plain ASCII for any HTTP client.
    for (const value of Object.values(render('ntfy', { ...DEAL, asin: 'B0Ü' }).headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
    expect(render('ntfy', STALL).headers).toMatchObject({ title: 'keepa-deals stalled', priority: 'high' });
    expect(JSON.parse(render('slack', STALL).body).text).toBe('keepa-deals is STALLED: no deals are coming in. nothing committed for 42 min although 300 tokens were available');
  });
});
