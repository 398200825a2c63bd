// Drills on the real daemon (`node bin/daemon.js`) for what the host and the disk do to it: a
// database locked, deleted or damaged under it, its stdout reader gone, systemd's journal, a
// request for another site's name. Each asserts what an operator would notice: work goes on (or stops with a
// sentence), memory and CPU stay bounded, SIGTERM is answered promptly.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cpuSeconds, freePort, get, killStragglers, memoryMb, PROJECT_DIR, startDaemon, statusUrl } from './daemon.js';
import { HOSTILE_KEY, startHostileKeepa } from './hostile.js';

const dir = mkdtempSync(join(tmpdir(), 'kd-stalls-'));
/** Ingest every 2 s, so that a few runs fit in a short drill. */
const FAST = { INGEST_CRON: '*/2 * * * * *' };

beforeAll(assertBuilt);
afterAll(() => {
  killStragglers();
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('the host and the disk', () => {
  it('a database locked by another process for 45 s: no second daemon (same path or symlink), /health answers, SIGTERM within 30 s', async () => {
    const dbPath = join(dir, 'locked.db');
    // Every tick meets the lock; every 3 s leaves the status server room between them.
    const daemon = startDaemon({ ...FAST, INGEST_CRON: '*/3 * * * * *', HTTP_PORT: String(await freePort()), DEALS_DB: dbPath });
    const url = await statusUrl(daemon);
    await daemon.waitFor(/^enriched \d+/, 30_000);
    const HOLD_S = 45;
    const holder = spawn(process.execPath, [
      '-e',
      `
      const Database = require(${JSON.stringify(resolve(PROJECT_DIR, 'node_modules/better-sqlite3'))});
      const db = new Database(${JSON.stringify(dbPath)});
      db.exec('BEGIN EXCLUSIVE');
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${HOLD_S * 1000});
      db.exec('COMMIT');
    `,
    ]);
    try {
      await new Promise<void>((res) => holder.stdout.once('data', () => res()));
      const lockedAt = Date.now();
      // proper-lockfile's lock went stale after 30 s of a frozen main thread; this one cannot.
      const answers: number[] = [];
      const verdicts = new Set<string>();
      while (Date.now() - lockedAt < 31_000) {
        const h = await get(`${url}/health`, { timeoutMs: 8_000 });
        answers.push(h.ms);
        verdicts.add(`${h.status} ${(JSON.parse(h.body) as { verdict: string }).verdict}`);
        await sleep(2_000);
      }
      console.info(`locked database: /health answered in ${answers.join(', ')} ms: ${[...verdicts].join(', ')}`);
      expect(Math.max(...answers)).toBeLessThan(8_000);
      // Read from the database as usual (WAL lets readers in); the failing runs show as degraded.
      expect([...verdicts].filter((v) => !/^(200 (ok|degraded)|503 stalled)$/.test(v))).toEqual([]);
      const link = join(dir, 'link-to-locked.db');
      symlinkSync(dbPath, link);
      const seconds = [startDaemon({ ...FAST, DEALS_DB: dbPath }), startDaemon({ ...FAST, DEALS_DB: link })];
      for (const second of seconds) {
        const { code } = await second.exited;
        expect(code, second.text()).toBe(2);
        expect(second.entries.find((e) => e.level === 'error')?.message).toMatch(new RegExp(`^cannot start: AlreadyRunningError: Another keepa-deals daemon \\(pid ${daemon.pid} `));
      }
      expect(Date.now() - lockedAt).toBeLessThan(HOLD_S * 1000);
      const stopped = await daemon.stop('SIGTERM', 40_000);
      console.info(`locked database: SIGTERM answered in ${stopped.ms} ms`);
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.ms).toBeLessThan(30_000);
    } finally {
      holder.kill('SIGKILL');
      await daemon.stop('SIGKILL');
    }
  }, 120_000);

  it('stdout closed by its reader: noticed once, under 20% of a core and 250 MB, work and SIGTERM go on', async () => {
    const dbPath = join(dir, 'stdout.db');
    // Keepa in this process, not the demo's simulator inside the daemon: the CPU and memory measured
    // are then the daemon's own, which is what a broken stdout must not inflate.
    const keepa = await startHostileKeepa({ refillRate: 6000 });
    const config = join(dir, 'stdout.json');
    writeFileSync(config, JSON.stringify({ pipeline: { discoverEveryMinutes: 0, maxRunSeconds: 5 } }));
    const daemon = startDaemon({ ...FAST, HTTP_PORT: String(await freePort()), DEALS_DB: dbPath, KEEPA_API_KEY: HOSTILE_KEY, KEEPA_BASE_URL: keepa.url }, ['--config', config]);
    try {
      await daemon.waitFor(/^enriched \d+/, 30_000);
      const runsBefore = Number(readDbCount(dbPath, 'SELECT COUNT(*) FROM runs'));
      daemon.child.stdout?.destroy();
      const cpu0 = cpuSeconds(daemon.pid);
      await sleep(10_000);
      const share = (cpuSeconds(daemon.pid) - cpu0) / 10;
      const rss = memoryMb(daemon.pid, 'VmRSS');
      console.info(`stdout closed: ${Math.round(share * 100)}% of a core, RSS ${Math.round(rss)} MB over 10 s`);
      expect(share).toBeLessThan(0.2);
      expect(rss).toBeLessThan(250);
      expect(Number(readDbCount(dbPath, 'SELECT COUNT(*) FROM runs'))).toBeGreaterThan(runsBefore + 2);
      const stopped = await daemon.stop('SIGTERM', 10_000);
      expect(stopped).toMatchObject({ code: 0, signal: null });
      expect(stopped.ms).toBeLessThan(5_000);
      expect(daemon.entries.filter((e) => /log output failed/.test(e.message)).map((e) => e.message)).toEqual(['keepa-deals: log output failed (EPIPE); later log lines are dropped, the daemon goes on']);
    } finally {
      await daemon.stop('SIGKILL');
      await keepa.close();
    }
  }, 60_000);

  it('the database deleted under the daemon: it stops with a sentence, exit 2', async () => {
    const dbPath = join(dir, 'deleted.db');
    const daemon = startDaemon({ ...FAST, HTTP_PORT: String(await freePort()), DEALS_DB: dbPath });
    await daemon.waitFor(/^enriched \d+/, 30_000);
    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
    const t0 = Date.now();
    const { code } = await daemon.exited;
    expect(code).toBe(2);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(daemon.entries.filter((e) => e.level === 'error').map((e) => e.message)).toContain(
      `The database file ${dbPath} was deleted while the daemon ran; what it writes now would be lost. Stopping: restore the database (bin/restore) or start the daemon again to begin a new one.`,
    );
  }, 60_000);

  it('a damaged database at start: one sentence, exit 2', async () => {
    const dbPath = join(dir, 'damaged.db');
    writeFileSync(dbPath, 'SQLite format 3\0'.padEnd(8192, 'x'));
    const daemon = startDaemon({ ...FAST, HTTP_PORT: String(await freePort()), DEALS_DB: dbPath });
    const { code } = await daemon.exited;
    expect(code).toBe(2);
    expect(daemon.entries.filter((e) => e.level === 'error' || e.level === 'raw').map((e) => e.message)).toEqual([
      expect.stringMatching(new RegExp(`^cannot start: ConfigError: The database ${dbPath} is damaged \\(.+\\)\\. Restore the last backup \\(bin/restore BACKUP\\), or move the file away to start with an empty database\\.$`)),
    ]);
  }, 30_000);

  it('under systemd each line carries its syslog priority, SIGHUP is logged and ignored, the status server answers only its own names', async () => {
    const dbPath = join(dir, 'journal.db');
    const logPath = join(dir, 'journal.log');
    // O_APPEND: the second daemon's lines must not be overwritten by the first's.
    const fd = openSync(logPath, 'a');
    const st = fstatSync(fd);
    const env: NodeJS.ProcessEnv = { ...process.env, ...FAST, HTTP_PORT: String(await freePort()), DEALS_DB: dbPath, LOG_FORMAT: 'json', JOURNAL_STREAM: `${st.dev}:${st.ino}` };
    delete env.KEEPA_API_KEY;
    delete env.KEEPA_BASE_URL;
    const child = spawn(process.execPath, [join(PROJECT_DIR, 'bin/daemon.js')], { cwd: PROJECT_DIR, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let second: ReturnType<typeof spawn> | null = null;
    try {
      const lines = async (pattern: RegExp): Promise<string[]> => {
        for (let i = 0; i < 300; i++) {
          const all = readFileSync(logPath, 'utf8')
            .split('\n')
            .filter((l) => l !== '');
          if (all.some((l) => pattern.test(l))) return all;
          await sleep(100);
        }
        throw new Error(`no line matching ${pattern} in:\n${readFileSync(logPath, 'utf8')}`);
      };
      const started = await lines(/status page at/);
      const url = /status page at (\S+)\//.exec(started.find((l) => /status page at/.test(l)) ?? '')?.[1] ?? '';
      // A second daemon on the same database is refused: its error line must carry priority 3.
      const fd2 = openSync(logPath, 'a');
      second = spawn(process.execPath, [join(PROJECT_DIR, 'bin/daemon.js')], { cwd: PROJECT_DIR, env, stdio: ['ignore', fd2, fd2] });
      closeSync(fd2);
      await lines(/cannot start: AlreadyRunningError/);
      await lines(/^<6>.*"message":"enriched \d+/);
      child.kill('SIGHUP');
      await lines(/SIGHUP ignored/);
      expect((await get(`${url}/health`)).status).toBe(200);
      const evil = await get(`${url}/status`, { host: 'attacker.example.com' });
      expect(evil.status).toBe(403);
      expect(evil.body).not.toContain('verdict');
      expect((await get(`${url}/status`, { host: 'localhost' })).headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
      child.kill('SIGTERM');
      await new Promise((res) => child.once('exit', res));
      const all = await lines(/"message":"stopped"/);
      // Every line of the daemon's logger (node-cron's own console warnings are not its lines).
      const logged = all.filter((l) => /"message":/.test(l));
      expect(logged.filter((l) => !/^<\d>\{/.test(l))).toEqual([]);
      const byLevel = new Map(logged.map((l) => [(JSON.parse(l.slice(3)) as { level: string }).level, l.slice(1, 2)]));
      expect(Object.fromEntries(byLevel)).toMatchObject({ error: '3', warn: '4', info: '6' });
      expect(all.find((l) => /cannot start: AlreadyRunningError/.test(l))).toMatch(/^<3>/);
      expect(all.find((l) => /"message":"no KEEPA_API_KEY/.test(l))).toMatch(/^<4>/);
    } finally {
      child.kill('SIGKILL');
      second?.kill('SIGKILL');
    }
  }, 60_000);
});

function readDbCount(dbPath: string, sql: string): unknown {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).pluck().get();
  } finally {
    db.close();
  }
}
