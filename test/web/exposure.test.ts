// The status server off loopback: without HTTP_AUTH_TOKEN the daemon refuses to start (exit 2,
// one sentence naming the setting) before it opens anything; the token itself is never logged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHttpExposure, isLoopback } from '../../src/http.js';
import { assertBuilt, PROJECT_DIR } from '../ops/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-exposure-'));
beforeAll(assertBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HTTP_HOST off loopback', () => {
  it('makes the daemon exit 2 with a sentence naming HTTP_AUTH_TOKEN when no token is set', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HTTP_HOST: '0.0.0.0', HTTP_PORT: '47613', DEALS_DB: join(dir, 'deals.db'), LOG_FORMAT: 'json' };
    const r = spawnSync(process.execPath, [resolve(PROJECT_DIR, 'bin/daemon.js')], { env, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('HTTP_HOST is 0.0.0.0, which other machines can reach; set HTTP_AUTH_TOKEN to a long random secret (every request must then send it), or bind HTTP_HOST to 127.0.0.1.');
  });

  it('accepts loopback addresses without a token and any address with one', () => {
    for (const host of ['127.0.0.1', '127.3.4.5', 'localhost', '::1', '[::1]']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'deals.example.com', '128.0.0.1']) expect(isLoopback(host)).toBe(false);
    expect(() => checkHttpExposure('192.168.1.20', null)).toThrow(/HTTP_AUTH_TOKEN/);
    expect(() => checkHttpExposure('192.168.1.20', 's3cret-token')).not.toThrow();
  });
});
