// The Keepa HTTP client. Every call is estimated (cost.ts), granted by the one bucket (bucket.ts),
// sent with a timeout, fed back into the bucket with Keepa's token figures (429 bodies too), and
// parsed into checked, typed objects (parse.ts).
//
// A run never sleeps for long holding anything (docs/design.md rule 3): by default a call that would have
// to wait for tokens throws RateLimitedError with `retryAfterMs` instead of sleeping; a caller may
// allow a short wait with `maxWaitMs`. Transient failures (network, timeout, 5xx) are retried with
// the one back-off function; 4xx other than 429 never are. Status handling follows Keepa's Java
// client (keepacom/api_backend KeepaAPI.java): 400 REQUEST_REJECTED, 402 PAYMENT_REQUIRED,
// 429 NOT_ENOUGH_TOKEN (retried after `refillIn`), 500 INTERNAL_SERVER_ERROR.
//
// A paid call whose answer was lost (connection reset, timeout) may have been charged: it is retried
// once, through the bucket (so after its wait), never several times at once. Answers are bounded
// in time and size (boundedFetch.ts).
//
// The access key travels in the query string, so no URL leaves this file unredacted.
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { BadResponseError, describeError, KeepaHttpError, KeepaParameterError, NetworkError, RateLimitedError, ResponseTooLargeError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactSecrets } from '../redact.js';
import { backoffDelay } from './backoff.js';
import { type Answer, fetchBounded, MAX_BODY_BYTES, MAX_WIRE_BYTES, timedOut } from './boundedFetch.js';
import type { TokenBucket } from './bucket.js';
import { type CallShape, CostModel } from './cost.js';
import { type Body, parseDealPage, parseProducts, parseSellers, readJson, readKeepaError, readTokenFields } from './parse.js';
import type { DealPage, KeepaProduct, KeepaSeller, TokenFields } from './types.js';

export interface KeepaClientOptions {
  /** `https://api.keepa.com`, or the simulator's URL (KEEPA_BASE_URL). */
  baseUrl: string;
  apiKey: string;
  bucket: TokenBucket;
  clock: Clock;
  log: Logger;
  /** Shared with the pipeline so batch sizing uses the same learned corrections. */
  costs?: CostModel;
  /** Per attempt, headers and body. Offer requests take Keepa 2 to 20 s. */
  timeoutMs?: number;
  /** Retries after network errors, timeouts and 5xx (not counting waits for tokens). */
  maxRetries?: number;
  dispatcher?: Dispatcher;
  /** Amazon locale; 1 = amazon.com. */
  domainId?: number;
  /** Job label used when a call names none. */
  job?: string;
  random?: () => number;
  /** Told of every attempt: the endpoint and the HTTP status, or `network` (the /metrics request counter). */
  onCall?: (endpoint: string, code: string) => void;
  /** Told of every page of the deal list read (the benchmark records the stream a policy drew from). */
  onDealPage?: (page: DealPage) => void;
  /** Largest answer accepted as sent (compressed). */
  maxWireBytes?: number;
  /** Largest answer accepted once decompressed. */
  maxBodyBytes?: number;
}

/** A paid call whose answer was lost is tried this many more times (Keepa may have charged each). */
const PAID_RETRIES = 1;

export interface CallOptions {
  /** Whose budget the tokens are booked to (`discover`, `peek`, `enrich`...). */
  job?: string;
  /** The longest this call may wait for tokens in all; beyond it, RateLimitedError. Default 0. */
  maxWaitMs?: number;
  /**
   * The runner's stop signal: aborts waits for tokens and back-offs. A request already sent is
   * let finish (within its timeout), so the chunk it pays for can still commit.
   */
  signal?: AbortSignal;
  /** Filled in as the call goes, so that a caller knows what it paid even when the call fails. */
  charge?: Charge;
}

/** What Keepa charged for one call, every attempt included: its answers' tokensConsumed, as the bucket booked them. */
export interface Charge {
  tokens: number;
}

export interface ProductParams {
  /** Days of statistics (`stats=N`). */
  stats?: number;
  /** false sends `history=0` (no csv histories). */
  history?: boolean;
  days?: number;
  /** Offers to fetch per product, 20 to 100. */
  offers?: number;
  /** Offers the caller expects per product; only sharpens the cost estimate, never sent. */
  expectedOffers?: number;
  rating?: boolean;
  onlyLiveOffers?: boolean;
  update?: number;
  buybox?: boolean;
}

const MAX_IDS_PER_CALL = 100;

export class KeepaClient {
  readonly bucket: TokenBucket;
  readonly costs: CostModel;
  private readonly log: Logger;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly domainId: number;
  private readonly job: string;
  private readonly random: () => number;
  private primed = false;

  constructor(private readonly options: KeepaClientOptions) {
    this.bucket = options.bucket;
    this.costs = options.costs ?? new CostModel();
    this.log = options.log.child({ component: 'keepa' });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.domainId = options.domainId ?? 1;
    this.job = options.job ?? 'keepa';
    this.random = options.random ?? Math.random;
  }

  /**
   * Learns the token figures once when the bucket has none (first start, nothing restored). A
   * failure is not fatal: the first real answer teaches the bucket instead. Never called again.
   */
  async prime(call: CallOptions = {}): Promise<void> {
    if (this.primed || !this.bucket.needsInitialToken()) return;
    this.primed = true;
    try {
      await this.token(call);
    } catch (e: unknown) {
      if (call.signal?.aborted) throw e;
      this.log.warn('Keepa token status unavailable at start; the first call will teach the bucket', { error: describeError(e) });
    }
  }

  /** Token status (free). Prefer the figures every answer carries; this is for the start only. */
  async token(call: CallOptions = {}): Promise<TokenFields> {
    return this.call('token', {}, { path: 'token' }, call, (_body, fields) => fields);
  }

  /** One page (0-based) of the deal query; up to 150 deals. A 429 is RateLimitedError, never "no deals". */
  async deals(query: object, page: number, call: CallOptions = {}): Promise<DealPage> {
    const selection = JSON.stringify({ domainId: this.domainId, ...query, page });
    const answer = await this.call('deal', { selection }, { path: 'deal', count: 1 }, call, parseDealPage);
    this.options.onDealPage?.(answer);
    return answer;
  }

  /** Products by ASIN (1 to 100 a call). Malformed items are logged and left out: compare ASINs. */
  async products(asins: readonly string[], params: ProductParams = {}, call: CallOptions = {}): Promise<KeepaProduct[]> {
    if (asins.length === 0) return [];
    checkBatch('ASINs', asins.length);
    if (params.offers !== undefined && !(params.offers >= 20 && params.offers <= 100)) {
      throw new RangeError(`Keepa accepts offers=20..100 per product, not ${params.offers}`);
    }
    const query: Record<string, string> = { domain: String(this.domainId), asin: asins.join(',') };
    if (params.stats !== undefined) query.stats = String(params.stats);
    if (params.history !== undefined) query.history = params.history ? '1' : '0';
    if (params.days !== undefined) query.days = String(params.days);
    if (params.offers !== undefined) query.offers = String(params.offers);
    if (params.rating) query.rating = '1';
    if (params.onlyLiveOffers) query['only-live-offers'] = '1';
    if (params.update !== undefined) query.update = String(params.update);
    if (params.buybox) query.buybox = '1';
    const shape: CallShape = { path: 'product', count: asins.length, offers: params.offers, expectedOffers: params.expectedOffers, rating: params.rating, buybox: params.buybox, update: params.update };
    return this.call('product', query, shape, call, (body) => parseProducts(body, this.log));
  }

  /** Seller records by id (1 to 100 a call), keyed by seller id. */
  async sellers(ids: readonly string[], call: CallOptions = {}): Promise<Record<string, KeepaSeller>> {
    if (ids.length === 0) return {};
    checkBatch('seller ids', ids.length);
    const query = { domain: String(this.domainId), seller: ids.join(',') };
    return this.call('seller', query, { path: 'seller', count: ids.length }, call, (body) => parseSellers(body, this.log));
  }

  private async call<T>(path: string, query: Record<string, string>, shape: CallShape, call: CallOptions, parse: (body: Body, fields: TokenFields) => T): Promise<T> {
    if (shape.path !== 'token') await this.prime(call);
    const job = call.job ?? this.job;
    const maxWaitMs = call.maxWaitMs ?? 0;
    const estimate = this.costs.estimate(shape);
    const url = `${this.baseUrl}/${path}?${new URLSearchParams({ key: this.options.apiKey, ...query }).toString()}`;
    let failures = 0;
    let waitedMs = 0;
    for (;;) {
      const reservation = this.bucket.reserve(estimate, { job, nowMs: this.options.clock.now() });
      if (!reservation.granted) {
        const delay = backoffDelay(0, { hintMs: reservation.waitMs, random: this.random });
        if (waitedMs + delay > maxWaitMs) throw this.rateLimited(path, estimate, delay, maxWaitMs);
        this.log.debug('waiting for Keepa tokens', { path: `/${path}`, tokens: estimate, waitMs: delay, job });
        await this.options.clock.sleep(delay, call.signal);
        waitedMs += delay;
        continue;
      }
      const startedMs = this.options.clock.now();
      let answer: Answer;
      try {
        answer = await this.fetch(path, url);
      } catch (e: unknown) {
        this.bucket.settle(reservation.ticket, null, this.options.clock.now());
        this.logCall(path, estimate, startedMs, 'network', job);
        if (!(e instanceof NetworkError)) throw e;
        const retries = estimate > 0 ? Math.min(PAID_RETRIES, this.maxRetries) : this.maxRetries;
        if (failures >= retries) throw new NetworkError(`${e.message}; gave up after ${failures + 1} attempts`);
        await this.options.clock.sleep(backoffDelay(failures++, { random: this.random }), call.signal);
        continue;
      }
      const atMs = this.options.clock.now();
      const body = readJson(answer.text);
      const fields = body === null ? null : readTokenFields(body, atMs);
      const { charged, ignored } = this.bucket.settle(reservation.ticket, fields, atMs);
      if (call.charge) call.charge.tokens += charged;
      if (ignored !== null) this.log.warn(`ignored impossible token figures from Keepa /${path}: ${ignored}; the next answer is trusted again`, { path: `/${path}` });
      this.logCall(path, fields?.tokensConsumed ?? estimate, startedMs, answer.status, job);
      if (answer.status === 429) {
        this.bucket.refused(atMs);
        if (this.bucket.waitFor(estimate, atMs) > 0) continue;
        // Nothing to compute a wait from (no figures yet, or a free call): back off like a transient failure.
        const delay = backoffDelay(failures++, { random: this.random });
        if (failures > this.maxRetries || waitedMs + delay > maxWaitMs) throw this.rateLimited(path, estimate, delay, maxWaitMs);
        await this.options.clock.sleep(delay, call.signal);
        waitedMs += delay;
        continue;
      }
      if (answer.status >= 500) {
        if (failures >= this.maxRetries) throw this.httpError(path, answer.status, failures + 1);
        await this.options.clock.sleep(backoffDelay(failures++, { random: this.random }), call.signal);
        continue;
      }
      if (answer.status === 400) throw this.rejected(path, body);
      if (answer.status !== 200) throw this.httpError(path, answer.status, failures + 1);
      if (body === null) throw new BadResponseError(`Keepa /${path} answered 200 with a body that is not JSON: ${preview(answer.text, this.options.apiKey)}`);
      if (fields === null) throw new BadResponseError(`Keepa /${path} answered without token figures (tokensLeft, refillIn, refillRate, tokensConsumed)`);
      this.costs.learn(shape, fields.tokensConsumed);
      return parse(body, fields);
    }
  }

  /** One attempt. Throws NetworkError (retryable), or ResponseTooLargeError. */
  private async fetch(path: string, url: string): Promise<Answer> {
    try {
      return await fetchBounded(url, path, {
        dispatcher: this.options.dispatcher,
        timeoutMs: this.timeoutMs,
        maxWireBytes: this.options.maxWireBytes ?? MAX_WIRE_BYTES,
        maxBodyBytes: this.options.maxBodyBytes ?? MAX_BODY_BYTES,
      });
    } catch (e: unknown) {
      if (e instanceof ResponseTooLargeError) throw e;
      const what = timedOut(e) ? `no answer within ${this.timeoutMs} ms` : `network error (${describeError(e)})`;
      throw new NetworkError(this.redact(`Keepa /${path}: ${what}`));
    }
  }

  private rateLimited(path: string, estimate: number, retryAfterMs: number, maxWaitMs: number): RateLimitedError {
    const { balance, refillRate, figuresAtMs } = this.bucket.snapshot(this.options.clock.now());
    const state = figuresAtMs === null ? 'unknown' : `${Math.round(balance * 10) / 10} at ${refillRate} tokens/minute`;
    return new RateLimitedError(
      `Keepa /${path} needs about ${Math.ceil(estimate)} tokens; the balance is ${state}, so it can run in ${Math.ceil(retryAfterMs / 1000)} s, ` + `longer than this run may wait (${Math.round(maxWaitMs / 1000)} s). Checkpoint; a later run continues.`,
      retryAfterMs,
    );
  }

  private httpError(path: string, status: number, attempts: number): KeepaHttpError {
    const why =
      status === 400
        ? 'Keepa rejected the request: check KEEPA_API_KEY (and the request parameters)'
        : status === 402
          ? 'Keepa reports no API access: check the Keepa subscription'
          : status >= 500
            ? `Keepa failed with HTTP ${status} ${attempts} times in a row; it is likely down, a later run retries`
            : `Keepa answered HTTP ${status}`;
    return new KeepaHttpError(this.redact(`${why} (/${path}, HTTP ${status})`), status);
  }

  /** A 400 whose body names what was wrong (invalidParameter) says so; any other 400 is the key or the request. */
  private rejected(path: string, body: Body | null): KeepaHttpError {
    const error = readKeepaError(body);
    if (error?.type !== 'invalidParameter') return this.httpError(path, 400, 1);
    const what = error.details === null ? `a parameter of /${path}` : `the parameter "${error.details}" of /${path}`;
    const message = `Keepa rejected ${what} (HTTP 400, invalidParameter): ${error.message || 'no reason given'} Fix the setting or request that sends it.`;
    return new KeepaParameterError(this.redact(message), error.details, this.redact(error.message));
  }

  private logCall(path: string, tokens: number, startedMs: number, status: number | 'network', job: string): void {
    this.log.debug('keepa call', { path: `/${path}`, tokens, ms: this.options.clock.now() - startedMs, status, job });
    this.options.onCall?.(path, String(status));
  }

  private redact(text: string): string {
    return redactSecrets(text, [this.options.apiKey]);
  }
}

function checkBatch(what: string, count: number): void {
  if (count > MAX_IDS_PER_CALL) throw new RangeError(`Keepa accepts at most ${MAX_IDS_PER_CALL} ${what} per call, not ${count}; split the batch`);
}

/** The start of an unexpected body, for the operator (an HTML error page names its cause). */
function preview(text: string, apiKey: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(redactSecrets(flat.length > 120 ? `${flat.slice(0, 120)}...` : flat, [apiKey]));
}
