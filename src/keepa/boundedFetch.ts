// One GET to Keepa, bounded in time and in size: a timeout, and a cap on the answer on the wire
// and once decompressed (a gzip bomb once took the daemon to 2 GB; docs/design.md rule 11).
import { gunzipSync } from 'node:zlib';
import { type Dispatcher, request } from 'undici';
import { ResponseTooLargeError } from '../errors.js';

/** Keepa's largest answers (100 products with 3 years of history and offers) are tens of MB as JSON. */
export const MAX_BODY_BYTES = 128 * 1024 * 1024;
/** JSON compresses about tenfold; an answer this large on the wire is not Keepa's. */
export const MAX_WIRE_BYTES = 32 * 1024 * 1024;

export interface Answer {
  status: number;
  text: string;
}

export interface FetchLimits {
  dispatcher?: Dispatcher;
  timeoutMs: number;
  maxWireBytes: number;
  maxBodyBytes: number;
}

/**
 * The answer's status and text. Throws ResponseTooLargeError for an answer over a limit (naming
 * `path`), the timer's TimeoutError when time ran out, and whatever undici throws otherwise;
 * `timedOut` tells a timeout from the rest.
 */
export async function fetchBounded(url: string, path: string, limits: FetchLimits): Promise<Answer> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  try {
    return await read(url, path, limits, timeout);
  } catch (e: unknown) {
    // However undici words an abort, the timer's own reason says it was the time.
    if (timeout.aborted && !(e instanceof ResponseTooLargeError)) throw timeout.reason;
    throw e;
  }
}

async function read(url: string, path: string, limits: FetchLimits, signal: AbortSignal): Promise<Answer> {
  const { timeoutMs, maxWireBytes, maxBodyBytes } = limits;
  const tooLarge = (what: string): ResponseTooLargeError => new ResponseTooLargeError(`Keepa /${path} sent an answer larger than ${what}; it was refused (not Keepa's answer, or a request to split)`);
  const res = await request(url, {
    method: 'GET',
    dispatcher: limits.dispatcher,
    headers: { 'accept-encoding': 'gzip' },
    signal,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > maxWireBytes) {
      res.body.destroy();
      throw tooLarge(`${maxWireBytes} bytes on the wire`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = decode(Buffer.concat(chunks), res.headers['content-encoding'], maxBodyBytes);
  if (text === null) throw tooLarge(`${maxBodyBytes} bytes decompressed`);
  return { status: res.statusCode, text };
}

/** Whether a failed fetch ran out of time: the overall timeout, or undici's own for headers, body or connect. */
export function timedOut(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = 'code' in e ? e.code : undefined;
  return e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** Keepa compresses its answers; undici's `request` does not decompress. Null: larger than `maxBytes`. */
function decode(raw: Buffer, encoding: string | string[] | undefined, maxBytes: number): string | null {
  const gzip = String(encoding ?? '').includes('gzip') || (raw[0] === 0x1f && raw[1] === 0x8b);
  if (!gzip) return raw.length > maxBytes ? null : raw.toString('utf8');
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes }).toString('utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    return ''; // a truncated stream: readJson turns it into BadResponseError
  }
}
