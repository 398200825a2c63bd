import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAlert } from '../../src/alerts/send.js';
import { type Receiver, startReceiver } from './receiver.js';

let r: Receiver;
beforeAll(async () => {
  r = await startReceiver();
});
afterAll(() => r.close());

const message = { body: '{"id":"k:1"}', headers: { 'idempotency-key': 'k:1', 'content-type': 'application/json' } };

describe('sending one alert', () => {
  it('2xx is delivered; a refusal keeps its words and Retry-After, never the URL', async () => {
    expect(await sendAlert(r.url, message, { timeoutMs: 5_000 })).toMatchObject({ ok: true, status: 204, text: '204', retryAfterMs: null });
    r.onRequest = (_req, res) => {
      res.writeHead(429, { 'retry-after': '7' });
      res.end(`slow down, you posted to ${r.url}`);
      return true;
    };
    const refused = await sendAlert(r.url, message, { timeoutMs: 5_000 });
    expect(refused).toMatchObject({ ok: false, status: 429, retryAfterMs: 7_000 });
    expect(refused.text).toMatch(/^429: slow down, you posted to \*\*\*$/);
    r.onRequest = () => true;
    const silent = await sendAlert(r.url, message, { timeoutMs: 300 });
    expect(silent).toMatchObject({ ok: false, status: null, text: 'no answer within 300 ms' });
    r.onRequest = null;
  });
});
