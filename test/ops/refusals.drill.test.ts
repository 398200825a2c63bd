// Start-up failures an operator can fix, on the real daemon process: each exits 2 at once (systemd
// does not restart on 2) with one sentence naming the setting and what to do; none spins.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEADER_COLUMNS } from '../../src/state/columns.js';
import { assertBuilt, cpuSeconds, PROJECT_DIR } from './daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-refuse-'));
const DAEMON = resolve(PROJECT_DIR, 'bin/daemon.js');

beforeAll(assertBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.KEEPA_API_KEY;
  return { ...base, LOG_FORMAT: 'json', HTTP_PORT: '0', DEALS_DB: join(dir, 'unused.db'), ...env };
}

/** The daemon's error lines: the message of each JSON line at level error, and any raw stderr. */
function errors(r: { stdout: string; stderr: string }): string[] {
  const out: string[] = [];
  for (const line of `${r.stdout}${r.stderr}`.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { level: string; message: string };
      if (entry.level === 'error') out.push(entry.message);
    } catch {
      out.push(line);
    }
  }
  return out;
}

/** Runs the daemon, expected to refuse; a daemon still running after 10 s is killed (and fails the test). */
async function daemon(env: Record<string, string>, options: { uid?: number; gid?: number; args?: string[] } = {}) {
  const t0 = Date.now();
  const child = spawn(process.execPath, [DAEMON, ...(options.args ?? [])], { cwd: dir, env: baseEnv(env), uid: options.uid, gid: options.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearTimeout(timer);
  return { code, errors: errors({ stdout, stderr }), ms: Date.now() - t0 };
}

describe.concurrent('start-up failures the operator can fix: exit 2 with one sentence', () => {
  const asNobody = process.getuid?.() === 0;

  it.skipIf(!asNobody)('DEALS_DB in a folder the service user may not write: names the folder, the user and ReadWritePaths=', async () => {
    const parent = join(dir, 'owned-by-root');
    mkdirSync(join(parent, 'data'), { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(parent, 0o755);
    chmodSync(join(parent, 'data'), 0o755);
    const dbPath = join(parent, 'data', 'deals.db');
    const r = await daemon({ DEALS_DB: dbPath }, { uid: 65534, gid: 65534 });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      `cannot start: ConfigError: DEALS_DB is ${dbPath}, but user nobody cannot write its folder ${join(parent, 'data')} (EACCES); make the folder writable by that user (chown nobody ${join(parent, 'data')}), and under systemd list it in ReadWritePaths= (systemctl edit keepa-deals), or set DEALS_DB to a file in a writable folder.`,
    ]);
  });

  it('DEALS_DB=/proc/nope/x.db: exit 2 within seconds, no spinning', async () => {
    const r = await daemon({ DEALS_DB: '/proc/nope/x.db' });
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.errors).toEqual([
      'cannot start: ConfigError: DEALS_DB is /proc/nope/x.db, but its folder /proc/nope cannot be created (ENOENT at /proc/nope); create it for user root, or set DEALS_DB to a file in an existing writable folder.'.replace(
        'user root',
        `user ${userInfo().username}`,
      ),
    ]);
  });

  it('a SIGTERM sent while it starts on DEALS_DB=/proc/nope/x.db ends it promptly and it used little CPU', async () => {
    const child = spawn(process.execPath, [DAEMON], { cwd: dir, env: baseEnv({ DEALS_DB: '/proc/nope/x.db' }), stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.on('exit', (c, s) => res(c ?? (s ? 128 : null))));
    await new Promise((res) => setTimeout(res, 300));
    let cpu = 0;
    try {
      cpu = cpuSeconds(child.pid ?? -1);
    } catch {
      // Already gone: it refused before the signal.
    }
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    const code = await exited;
    clearTimeout(timer);
    expect([2, 128]).toContain(code);
    expect(cpu).toBeLessThan(2);
  });

  it('HTTP_HOST=999.1.1.1: exit 2 naming HTTP_HOST, before anything starts', async () => {
    const r = await daemon({ HTTP_HOST: '999.1.1.1', HTTP_PORT: '8750' });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual(['HTTP_HOST is "999.1.1.1", which is not an IP address or host name; set it to an address of this machine such as 127.0.0.1 (or ::1, or 0.0.0.0 for all).']);
  });

  it('HTTP_HOST naming no address of this machine: exit 2 naming HTTP_HOST, not a raw getaddrinfo error', async () => {
    // With a token, so that the refusal is about the address, not about exposing the server.
    const r = await daemon({ HTTP_HOST: 'no-such-host.invalid', HTTP_AUTH_TOKEN: 'a-long-random-test-token-0123456789', HTTP_PORT: '65000', DEALS_DB: join(mkdtempSync(join(dir, 'h-')), 'd.db') });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([expect.stringMatching(/^cannot start: ConfigError: The status server cannot listen on HTTP_HOST no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN): not an address of this machine\); set HTTP_HOST to one, such as 127\.0\.0\.1\.$/)]);
  });

  it('a headers.json of more columns than SQLite allows: exit 2 saying how many to remove', async () => {
    const headers = join(dir, 'wide.headers.json');
    writeFileSync(headers, JSON.stringify(['ASIN', ...Array.from({ length: 2100 }, (_, i) => `Column ${i}`)]));
    const r = await daemon({ DEALS_HEADERS: headers, DEALS_DB: join(mkdtempSync(join(dir, 'w-')), 'd.db') });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([`cannot start: ConfigError: ${headers} names 2101 columns; SQLite allows at most ${MAX_HEADER_COLUMNS} deal columns, so remove ${2101 - MAX_HEADER_COLUMNS} entries.`]);
  });

  it('a config file with a misspelt top-level key: exit 2 naming it, instead of running on defaults', async () => {
    const config = join(dir, 'typo.json');
    writeFileSync(config, JSON.stringify({ buisness: { taxExempt: true } }));
    const r = await daemon({}, { args: ['--config', config] });
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([expect.stringMatching(/^"buisness" in the config file is not a setting; did you mean "business"\? Known: /)]);
  });
});
