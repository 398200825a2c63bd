// The simulator as an HTTP server on 127.0.0.1: Keepa's endpoints (routes.ts) behind Keepa's
// token accounting (tokens.ts), with faults on demand (faults.ts) and every call in the ledger.
// "Now" is the injected clock's time at each request, so on a VirtualClock tests run days of
// Keepa in seconds while the HTTP exchange stays real.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../clock.js';
import type { KeepaProduct } from '../keepa/types.js';
import { INVALID_KEY_STATUS, RATE_LIMIT_BODY_HAS_ERROR } from './assumptions.js';
import { Catalog, type GroundTruth } from './catalog.js';
import { DealStream } from './deals.js';
import { type FaultSpec, Faults } from './faults.js';
import { Ledger } from './ledger.js';
import type { TrueSale, Withdrawal } from './market.js';
import { MarketStore } from './markets.js';
import { buildProduct } from './products.js';
import { hashSeed } from './random.js';
import { ROUTES, type RouteContext, route } from './routes.js';
import { SellerPool } from './sellers.js';
import { TokenAccount } from './tokens.js';

export interface SimulatorOptions {
  /** Same seed, same catalog and deal stream. Default 1. */
  seed?: number;
  /** Source of "now". Default: the system clock. */
  clock?: Clock;
  /** Tokens per minute. Default 20. */
  refillRate?: number;
  /** Fixed bucket maximum. Default 60 x refillRate. */
  maxTokens?: number;
  /** Balance at start. Default: the maximum. */
  initialTokens?: number;
  /** Books in the catalog. Default 3,000. */
  catalogSize?: number;
  /** New deals per hour over the whole catalog. Default: one per book every 20 days. */
  dealsPerHour?: number;
  /** When set, calls with another key (or none) are refused with 400, as Keepa does. */
  apiKey?: string;
  /** The simulation's start (histories reach ~3 years before it). Default: clock.now(). */
  startMs?: number;
  /** Faults active from the start. */
  faults?: FaultSpec[];
  /** Chance that two neighbouring deals are out of order. Default 0.05. */
  sortDisorder?: number;
  /** TCP port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Books whose full market history stays in memory (the rest are regenerated). Default 800. */
  timelineCapacity?: number;
  /** Calls the ledger keeps, the latest. Default: every call (tests and benchmarks read them all). */
  ledgerLimit?: number;
}

export interface MarketTruth {
  sales: readonly TrueSale[];
  withdrawals: readonly Withdrawal[];
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (use as KEEPA_BASE_URL). */
  readonly url: string;
  readonly port: number;
  readonly ledger: Ledger;
  readonly faults: Faults;
  readonly tokens: TokenAccount;
  readonly catalog: Catalog;
  groundTruth(asin: string): GroundTruth | undefined;
  /** The sales and withdrawals the simulator made for a book up to now, oldest first. */
  marketTruth(asin: string): MarketTruth | undefined;
  /**
   * The book as a heavy fetch (history, a year of stats, up to 20 offers) would have shown it at
   * `atMs` (not after now), without charging or recording a call: for checking what was saved.
   */
  productAt(asin: string, atMs: number): KeepaProduct | undefined;
  /** Real-opportunity ASINs whose deal was live at some moment since the start, sorted. */
  opportunities(): string[];
  /**
   * When the deal created at `creationMs` (Keepa's minute) first showed in the deal list: its
   * creation, or hours later for a deal Keepa lists late; undefined for an unknown deal.
   */
  listedAt(asin: string, creationMs: number): number | undefined;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
  consumed: number;
  asins: string[];
  faults: string[];
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const startMs = options.startMs ?? clock.now();
  const catalogSize = options.catalogSize ?? 3_000;
  const dealsPerHour = options.dealsPerHour ?? catalogSize / (20 * 24);
  if (!(dealsPerHour > 0)) throw new RangeError(`dealsPerHour must be positive (got ${dealsPerHour})`);
  const catalog = new Catalog({ seed, size: catalogSize, startMs });
  const sellers = new SellerPool(seed);
  const markets = new MarketStore({ catalog, listingsPerDay: (dealsPerHour * 24) / catalogSize, sellerCount: sellers.size, capacity: options.timelineCapacity });
  const deals = new DealStream({ catalog, markets, seed, startMs, sortDisorder: options.sortDisorder ?? 0.05 });
  const tokens = new TokenAccount({
    clock,
    refillRate: options.refillRate ?? 20,
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
    ...(options.initialTokens !== undefined ? { initialTokens: options.initialTokens } : {}),
    phaseMs: hashSeed(seed, 'refill-phase') % 60_000,
  });
  const faults = new Faults((atMs, rate) => tokens.scheduleRefillRate(atMs, rate), options.faults ?? []);
  const ledger = new Ledger(options.ledgerLimit);
  const ctx: RouteContext = { catalog, markets, sellers, deals, faults };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator error: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const body = await readBody(req);
    const now = clock.now();
    const params = new URLSearchParams(url.searchParams);
    params.delete('key');
    const recorded: Record<string, string> = Object.fromEntries(params);
    if (req.method === 'POST' && body.trim() !== '') recorded.selection = body;

    const json = (status: number, payload: Record<string, unknown>, consumed: number, extra: Partial<Answer> = {}): Answer => {
      const fields = tokens.fields(consumed, Math.round(performance.now() - started));
      return { status, body: JSON.stringify({ ...fields, ...payload }), contentType: 'application/json;charset=UTF-8', consumed, asins: [], faults: [], ...extra };
    };

    let answer: Answer;
    let hang: FaultSpec | undefined;
    let delay: Extract<FaultSpec, { kind: 'delay' }> | undefined;
    if (!ROUTES.has(path)) {
      answer = json(404, { error: { type: 'notFound', message: `No such endpoint: ${path}`, details: null } }, 0);
    } else if (req.method !== 'GET' && !(req.method === 'POST' && path === '/deal')) {
      answer = json(405, { error: { type: 'methodNotAllowed', message: `${req.method} is not allowed on ${path}`, details: null } }, 0);
    } else if (options.apiKey !== undefined && url.searchParams.get('key') !== options.apiKey) {
      answer = invalidKey(now);
    } else {
      hang = faults.take('hang', path, now);
      delay = faults.take('delay', path, now);
      answer = serve(path, params, body, now, json);
    }
    if (delay) answer.faults.push('delay');
    if (hang) answer.faults.push('hang');

    ledger.record({
      atMs: now,
      method: req.method ?? 'GET',
      path,
      params: recorded,
      asins: answer.asins,
      status: hang ? 0 : answer.status,
      tokensConsumed: answer.consumed,
      tokensLeft: tokens.state().tokensLeft,
      faults: answer.faults,
    });
    if (hang) return;
    if (delay) {
      await realSleep(delay.ms, res);
      if (res.socket === null || res.socket.destroyed) return;
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  }

  function serve(path: string, params: URLSearchParams, body: string, now: number, json: JsonAnswer): Answer {
    const forced429 = faults.take('rateLimit', path, now);
    if (forced429) return rateLimited(json, 'rateLimit', forced429.tokensLeft);
    const serverError = faults.take('serverError', path, now);
    if (serverError) {
      return json(serverError.status ?? 500, { error: { type: 'internalServerError', message: 'Internal server error', details: null } }, 0, { faults: ['serverError'] });
    }
    const html = faults.take('htmlBody', path, now);
    if (html) {
      return {
        status: html.status ?? 200,
        consumed: 0,
        asins: [],
        faults: ['htmlBody'],
        contentType: 'text/html',
        body: '<html><head><title>Service Unavailable</title></head><body><h1>Please try again later</h1><hr><center>nginx</center></body></html>',
      };
    }
    if (!tokens.canRun()) return rateLimited(json);
    const result = route(path, params, body, now, ctx);
    const consumed = result.status === 200 ? result.cost : 0;
    tokens.charge(consumed);
    const answer = json(result.status, result.payload, consumed, { asins: result.asins, faults: result.faults });
    if (result.status === 200 && faults.take('truncatedJson', path, now)) {
      answer.body = answer.body.slice(0, Math.floor(answer.body.length / 2));
      answer.faults.push('truncatedJson');
    }
    return answer;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The simulator is not listening on a TCP port');
  const port = address.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ledger,
    faults,
    tokens,
    catalog,
    groundTruth: (asin) => catalog.groundTruth(asin),
    marketTruth: (asin) => {
      const index = catalog.indexOf(asin);
      if (index === undefined) return undefined;
      const now = clock.now();
      const timeline = markets.timeline(index, now);
      return { sales: timeline.sales.filter((x) => x.ms <= now), withdrawals: timeline.withdrawals.filter((x) => x.ms <= now) };
    },
    productAt: (asin, atMs) => {
      const index = catalog.indexOf(asin);
      if (index === undefined) return undefined;
      const at = Math.min(atMs, clock.now());
      const query = { stats: { fromMs: at - 365 * 86_400_000, toMs: at }, history: true, days: null, offers: 20, onlyLiveOffers: false, rating: false, buybox: false };
      return buildProduct(catalog.book(index), markets.timeline(index, at), sellers, query, at).product;
    },
    opportunities: () => deals.opportunitiesSeen(clock.now()),
    listedAt: (asin, creationMs) => {
      const index = catalog.indexOf(asin);
      if (index === undefined) return undefined;
      return markets.listings(index).between(creationMs, creationMs + 59_999)[0]?.visibleMs;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

type JsonAnswer = (status: number, payload: Record<string, unknown>, consumed: number, extra?: Partial<Answer>) => Answer;

function rateLimited(json: JsonAnswer, fault?: string, tokensLeft?: number): Answer {
  const payload: Record<string, unknown> = RATE_LIMIT_BODY_HAS_ERROR ? { error: { type: 'notEnoughToken', message: 'Not enough tokens.', details: null } } : {};
  // A forced 429 may pretend a balance (e.g. -5) so clients can be tested on what they learn from it.
  if (tokensLeft !== undefined) payload.tokensLeft = tokensLeft;
  return json(429, payload, 0, { faults: fault ? [fault] : [] });
}

function invalidKey(now: number): Answer {
  const body = {
    timestamp: now,
    tokensLeft: 0,
    refillIn: 0,
    refillRate: 0,
    tokenFlowReduction: 0,
    tokensConsumed: 0,
    processingTimeInMs: 0,
    error: { type: 'invalidKey', message: 'The access key is invalid.', details: null },
  };
  return { status: INVALID_KEY_STATUS, body: JSON.stringify(body), contentType: 'application/json;charset=UTF-8', consumed: 0, asins: [], faults: [] };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Slow answers wait in real time: clients time out in real time, whatever the simulated clock. */
function realSleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done(): void {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}
