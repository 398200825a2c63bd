// Keepa's real 400 answers (test/fixtures/real-keepa/other/kd_error_bodies.jsonl) become an error
// that names the parameter Keepa rejected.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { KeepaHttpError, KeepaParameterError } from '../../src/errors.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { KeepaClient } from '../../src/keepa/client.js';
import { createLogger } from '../../src/log.js';

const ORIGIN = 'https://api.keepa.test';
const KEY = 'k3epaSecretKey0123456789abcdefXYZ';
const BODIES = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'real-keepa', 'other', 'kd_error_bodies.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { body: { error: { message: string; details: string | null } } }).body);

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function clientAnswering400(body: object): KeepaClient {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const pool = agent.get(ORIGIN);
  pool
    .intercept({ path: (p: string) => p.startsWith('/token') })
    .reply(200, JSON.stringify({ timestamp: 0, tokensLeft: 300, refillIn: 60_000, refillRate: 5, tokenFlowReduction: 0, tokensConsumed: 0, processingTimeInMs: 0 }))
    .persist();
  pool
    .intercept({ path: (p: string) => p.startsWith('/deal') })
    .reply(400, JSON.stringify(body))
    .persist();
  const log = createLogger({ level: 'error', format: 'json', stream: new Writable({ write: (_c, _e, done) => done() }) });
  return new KeepaClient({ baseUrl: ORIGIN, apiKey: KEY, bucket: new TokenBucket({ maxDeficit: 60 }), clock: new VirtualClock(Date.UTC(2026, 0, 5)), log, dispatcher: agent, random: () => 0 });
}

describe("Keepa's 400 invalidParameter answers", () => {
  it('are 25 real bodies with 4 distinct errors', () => {
    expect(BODIES).toHaveLength(25);
    expect(new Set(BODIES.map((b) => JSON.stringify(b.error))).size).toBe(4);
  });

  it("become a KeepaParameterError naming the parameter and Keepa's reason, once per distinct body, never retried", async () => {
    const distinct = [...new Map(BODIES.map((b) => [JSON.stringify(b.error), b])).values()];
    const seen: string[] = [];
    for (const body of distinct) {
      const e = await clientAnswering400(body)
        .deals({ dateRange: '3' }, 0)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KeepaParameterError);
      expect(e).toBeInstanceOf(KeepaHttpError);
      const error = e as KeepaParameterError;
      expect(error.status).toBe(400);
      expect(error.keepaMessage).toBe(body.error.message);
      expect(error.message).toContain(body.error.message);
      expect(error.message).not.toContain(KEY);
      seen.push(`${error.parameter ?? '(none)'}: ${error.message}`);
    }
    expect(seen.sort()).toEqual([
      '(none): Keepa rejected a parameter of /deal (HTTP 400, invalidParameter): Either no or a minimum of 20 offers must be requested. Fix the setting or request that sends it.',
      '(none): Keepa rejected a parameter of /deal (HTTP 400, invalidParameter): The queryJSON is missing or invalid. Fix the setting or request that sends it.',
      'dateRange: Keepa rejected the parameter "dateRange" of /deal (HTTP 400, invalidParameter): The queryJSON is of invalid format. Fix the setting or request that sends it.',
      'priceTypes: Keepa rejected the parameter "priceTypes" of /deal (HTTP 400, invalidParameter): The queryJSON is of invalid format. Fix the setting or request that sends it.',
    ]);
  });

  it('a 400 without an error object is still the key or the request', async () => {
    const e = await clientAnswering400({ tokensLeft: 300, refillIn: 1, refillRate: 5, tokensConsumed: 0 })
      .deals({}, 0)
      .catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(KeepaParameterError);
    expect((e as Error).message).toMatch(/check KEEPA_API_KEY/);
  });
});
