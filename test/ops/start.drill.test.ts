// Drills at the edges of a daemon's life, with real processes: refusals at start (a broken
// headers.json or config file, a second daemon, a database it may not write) exit at once with one
// clear line, and SIGTERM stops it cleanly, releasing the database for the next one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/store.js';
import { projectColumns } from '../helpers.js';
import { assertBuilt, killStragglers, readDb, startDaemon } from './daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-start-'));
const immutable: string[] = [];

beforeAll(assertBuilt);
afterAll(() => {
  killStragglers();
  for (const f of immutable) execFileSync('chattr', ['-i', f]);
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a daemon expected to refuse: it must exit within 10 s, before scheduling anything. */
async function refusal(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; errors: string[]; ms: number }> {
  const t0 = Date.now();
  const daemon = startDaemon({ HTTP_PORT: '0', ...env }, args);
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 10_000);
  const { code } = await daemon.exited;
  clearTimeout(timer);
  expect(daemon.entries.filter((e) => /scheduled ingest/.test(e.message))).toEqual([]);
  return { code, errors: daemon.entries.filter((e) => e.level === 'error' || e.level === 'raw').map((e) => e.message), ms: Date.now() - t0 };
}

/** chattr +i stops even root from writing; false where the tool or the file system does not allow it. */
function makeImmutable(path: string): boolean {
  try {
    execFileSync('chattr', ['+i', path], { stdio: 'ignore' });
    immutable.push(path);
    return true;
  } catch {
    return false;
  }
}

describe.concurrent('refusals at start', () => {
  it.each([
    ['truncated', '["ASIN", "Title", "Price N', /^cannot start: ConfigError: .*headers\.json is not valid JSON \(.+\); fix or restore it\.$/],
    ['not a list', '{"ASIN": 1}', /^cannot start: ConfigError: .*headers\.json must be a JSON list of column display names; it is a object\. Restore it from the release\.$/],
    ['without ASIN', '["Title", "Price Now"]', /^cannot start: ConfigError: .*headers\.json has no "ASIN" entry; the deals table is keyed by it\.$/],
  ])('a %s headers.json: exit 2 with one line saying what to fix', async (name, content, message) => {
    const headers = join(dir, `${name.replace(/ /g, '-')}.headers.json`);
    writeFileSync(headers, content);
    const { code, errors } = await refusal({ DEALS_DB: join(dir, 'h.db'), DEALS_HEADERS: headers });
    expect(code).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('a corrupt or wrong config file: exit 2 with one line naming the file and the setting', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"dealsDb": "x.db", "pipeline": {');
    const truncated = await refusal({}, ['--config', broken]);
    expect(truncated.code).toBe(2);
    expect(truncated.errors).toEqual([expect.stringMatching(new RegExp(`^--config ${broken} is not valid JSON \\(.+\\)\\.$`))]);

    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ dealsDb: join(dir, 'w.db'), pipeline: { maxAttempts: '5' } }));
    const bad = await refusal({}, ['--config', wrong]);
    expect(bad.code).toBe(2);
    expect(bad.errors).toEqual(['pipeline.maxAttempts is "5"; it must be a JSON number from 1 to 100 (a quoted "4" is not a number).']);
  });

  it('a second daemon on the same database: exit 2 naming the holder; SIGTERM stops the first with exit 0 and frees it', async () => {
    const env = { DEALS_DB: join(dir, 'shared.db') };
    const first = startDaemon({ ...env, HTTP_PORT: '0' });
    try {
      await first.waitFor(/^ingest started/);
      const second = await refusal(env);
      expect(second.code).toBe(2);
      expect(second.errors).toEqual([expect.stringMatching(new RegExp(`^cannot start: AlreadyRunningError: Another keepa-deals daemon \\(pid ${first.pid} on .+, started .+\\) holds .*shared\\.db\\. Stop it first \\(systemctl stop keepa-deals\\)`))]);
      await first.waitFor(/^enriched \d+/, 30_000);
      const stopped = await first.stop('SIGTERM');
      expect(stopped).toMatchObject({ code: 0, signal: null });
      console.info(`SIGTERM during ingest: exit ${stopped.code} after ${stopped.ms} ms`);
      expect(stopped.ms).toBeLessThan(5_000);
      expect(first.entries.map((e) => e.message)).toContain('stopped');
    } finally {
      await first.stop('SIGKILL');
    }
    const next = startDaemon({ ...env, HTTP_PORT: '0' });
    try {
      expect((await next.waitFor(/^(ingest started|cannot start)/)).message).toBe('ingest started');
      expect(next.entries.map((e) => e.message)).not.toContain('the previous daemon did not stop cleanly');
    } finally {
      expect((await next.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('a database file it may not write: exits at once saying so, instead of running without saving', async (ctx) => {
    const dbPath = join(dir, 'readonly.db');
    openStore({ path: dbPath, columns: projectColumns(), nowMs: Date.now() }).db.close();
    if (!makeImmutable(dbPath)) ctx.skip('chattr +i is not available here (not root, or the file system has no immutable flag)');
    const { code, errors, ms } = await refusal({ DEALS_DB: dbPath });
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^cannot start: .*(readonly|read-only)/i);
    expect(readDb(dbPath).integrity).toBe('ok');
  });
});
