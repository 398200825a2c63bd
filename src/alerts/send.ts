// One POST of a rendered alert to its destination, with a timeout, and what the destination
// answered in words that never include its URL (the URL holds the webhook's secret).
import { type Dispatcher, request } from 'undici';
import { describeError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { Rendered } from './formats.js';

export interface Answer {
  ok: boolean;
  /** HTTP status, or null when no answer came (network error, timeout). */
  status: number | null;
  /** e.g. `204`, `500: rate limited`, `no answer within 10000 ms`. */
  text: string;
  /** The destination's `Retry-After`, in ms, when it gave one. */
  retryAfterMs: number | null;
  ms: number;
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export type Sender = (url: string, message: Rendered, options: SendOptions) => Promise<Answer>;

/** A few characters of the answer help an operator (Discord and Slack explain a 400 in the body). */
const BODY_EXCERPT = 120;

export const sendAlert: Sender = async (url, message, options) => {
  const t0 = performance.now();
  const secrets = [url, new URL(url).pathname];
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: message.headers,
      body: message.body,
      signal,
      dispatcher: options.dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = (await res.body.text()).replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const retryAfter = Number(res.headers['retry-after']);
    return {
      ok,
      status: res.statusCode,
      text: redactSecrets(ok || body === '' ? String(res.statusCode) : `${res.statusCode}: ${body}`, secrets),
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null,
      ms: Math.round(performance.now() - t0),
    };
  } catch (e: unknown) {
    const why = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : options.signal?.aborted ? 'stopped before an answer' : `network error (${describeError(e)})`;
    return { ok: false, status: null, text: redactSecrets(why, secrets), retryAfterMs: null, ms: Math.round(performance.now() - t0) };
  }
};
