// bin/alerts as an operator runs it (the built command, a real receiver on 127.0.0.1).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/config.js';
import { openStore } from '../../src/state/store.js';
import { type Receiver, startReceiver } from '../alerts/receiver.js';
import { smallColumns, T0 } from '../helpers.js';
import { assertBuilt } from '../ops/daemon.js';

const BIN = resolve(PROJECT_DIR, 'bin/alerts');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of ['ALERT_WEBHOOK_URL', 'ALERT_MIN_PROFIT', 'DEALS_DB', 'KEEPA_API_KEY']) delete base[name];
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

let receiver: Receiver;
beforeAll(async () => {
  assertBuilt();
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('bin/alerts', () => {
  it('--help exits 0 with the usage; an unknown flag exits 2 with it', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: bin\/alerts/);
    const bad = await run(['--frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^bin\/alerts has no option --frobnicate\.\nusage: bin\/alerts/);
    expect((await run(['send'])).code).toBe(2);
  });

  it('test sends a message and says what the destination answered, without its URL', async () => {
    const ok = await run(['test'], { ALERT_WEBHOOK_URL: receiver.url });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^webhook \(127\.0\.0\.1:\d+\), webhook: delivered, answered 204 \(\d+ ms\)$/m);
    expect(ok.stdout).not.toContain('s3cr3t');
    const got = receiver.received.at(-1);
    expect(got?.json).toMatchObject({ rule: 'webhook', test: true });
    expect(got?.idempotencyKey).toBe(got?.json?.id);

    receiver.mode = 'error';
    const refused = await run(['test', 'webhook'], { ALERT_WEBHOOK_URL: receiver.url });
    receiver.mode = 'up';
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/NOT delivered: 500: receiver error/);
    const unknown = await run(['test', 'nope'], { ALERT_WEBHOOK_URL: receiver.url });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No alert rule named "nope"; the rules are webhook/);
  });

  it('lists the recent alerts with their delivery state', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'kd-alerts-cli-')), 'deals.db');
    const store = openStore({ path: dbPath, columns: smallColumns(), nowMs: T0 });
    store.alerts.enqueue({ id: 'webhook:B0LISTED01:1', destination: 'webhook', rule: 'webhook', asin: 'B0LISTED01', payload: '{}', fetchedAt: T0 }, T0);
    store.alerts.enqueue({ id: 'webhook:B0LISTED02:1', destination: 'webhook', rule: 'webhook', asin: 'B0LISTED02', payload: '{}', fetchedAt: T0 }, T0 + 1000);
    store.alerts.markDelivered({ id: 'webhook:B0LISTED01:1', destination: 'webhook' }, '204', T0 + 2000);
    store.db.close();
    const out = await run([], { DEALS_DB: dbPath, ALERT_WEBHOOK_URL: receiver.url });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/webhook:B0LISTED02:1 {2}to webhook \(127\.0\.0\.1:\d+\) {2}pending, next try 2026-03-01T00:00:01/),
      expect.stringMatching(/webhook:B0LISTED01:1 {2}to webhook \(127\.0\.0\.1:\d+\) {2}delivered 2026-03-01T00:00:02.000Z; 1 try, last answer 204/),
    ]);
    expect(out.stdout).not.toContain('s3cr3t');
  });

  it('retry puts parked alerts back in line', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'kd-alerts-cli-')), 'deals.db');
    const store = openStore({ path: dbPath, columns: smallColumns(), nowMs: T0 });
    store.alerts.enqueue({ id: 'webhook:B0PARKED01:1', destination: 'webhook', rule: 'webhook', asin: 'B0PARKED01', payload: '{}', fetchedAt: T0 }, T0);
    store.alerts.markFailed({ id: 'webhook:B0PARKED01:1', destination: 'webhook' }, '500', T0, null);
    store.db.close();
    const out = await run(['retry'], { DEALS_DB: dbPath, ALERT_WEBHOOK_URL: receiver.url });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^1 parked alert will be tried again from now/);
    const after = openStore({ path: dbPath, columns: smallColumns(), nowMs: T0 });
    expect(after.alerts.recent(5).map((r) => [r.state, r.attempts])).toEqual([['pending', 0]]);
    after.db.close();
    expect((await run(['retry'], { DEALS_DB: dbPath })).stdout).toMatch(/^No parked alerts\./);
  });
});
