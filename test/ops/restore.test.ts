// bin/restore: refuses while a daemon holds the database, refuses a bad backup without touching
// anything, and otherwise puts the backup in place and keeps what it replaced.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { RESTORE_COMMAND, restore } from '../../src/cli/restore.js';
import { acquireProcessLock } from '../../src/state/processLock.js';
import { openStore } from '../../src/state/store.js';
import { smallColumns, T0 } from '../helpers.js';

let dir: string;
let dbPath: string;
let configPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kd-restore-'));
  dbPath = join(dir, 'deals.db');
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ dealsDb: dbPath, headersPath: join(dir, 'none.json') }));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A keepa-deals database with `asins`, open: until it closes, its last writes are only in its -wal. */
function database(path: string, asins: string[]): Database.Database {
  const store = openStore({ path, columns: smallColumns(), nowMs: T0 });
  for (const asin of asins) store.deals.upsert({ ASIN: asin, Title: `title ${asin}` }, T0, 'full');
  return store.db;
}

const asinsIn = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT "ASIN" FROM deals ORDER BY 1').pluck().all().map(String);
  } finally {
    db.close();
  }
};

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await restore(parseCommandArgs(RESTORE_COMMAND, [...args, '--config', configPath]), T0, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

describe('bin/restore', () => {
  it('puts the backup in place and keeps the replaced database with its -wal', async () => {
    const backupPath = join(dir, 'backup.db');
    const source = database(join(dir, 'then.db'), ['A1', 'A2', 'A3']);
    await source.backup(backupPath);
    source.close();
    // The state a killed daemon leaves: the last deals only in the -wal.
    const live = database(join(dir, 'live.db'), ['B1', 'B2']);
    copyFileSync(join(dir, 'live.db'), dbPath);
    copyFileSync(join(dir, 'live.db-wal'), `${dbPath}-wal`);
    live.close();
    expect(statSync(`${dbPath}-wal`).size).toBeGreaterThan(0);

    const { code, out } = await run(backupPath);
    expect(code).toBe(0);
    expect(out).toContain(`Restored ${backupPath} to ${dbPath}: 3 deals, integrity ok.`);
    expect(asinsIn(dbPath)).toEqual(['A1', 'A2', 'A3']);
    const kept = readdirSync(dir).find((f) => f.startsWith('deals.db.before-restore-') && !f.endsWith('-wal') && !f.endsWith('-shm'));
    expect(kept).toBeDefined();
    expect(asinsIn(join(dir, kept ?? ''))).toEqual(['B1', 'B2']);
    expect(readdirSync(dir).filter((f) => f.includes('restoring'))).toEqual([]);
  });

  it('refuses while a daemon holds the database, naming it', async () => {
    const backupPath = join(dir, 'backup.db');
    database(backupPath, ['A1']).close();
    database(dbPath, ['B1']).close();
    const lock = await acquireProcessLock(dbPath);
    try {
      const { code, out } = await run(backupPath);
      expect(code).toBe(2);
      expect(out).toMatch(new RegExp(`^Not restoring: Another keepa-deals daemon \\(pid ${process.pid} on .+\\) holds ${dbPath}\\. Stop it first`));
      expect(asinsIn(dbPath)).toEqual(['B1']);
    } finally {
      await lock.release();
    }
  });

  it('refuses a file that is not a keepa-deals database and changes nothing', async () => {
    database(dbPath, ['B1']).close();
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'SQLite format 3\0 but then nothing of use'.repeat(200));
    const foreign = join(dir, 'foreign.db');
    new Database(foreign).exec('CREATE TABLE notes (x)');

    for (const [file, why] of [
      [garbage, /cannot be (read|opened) as a SQLite database|fails SQLite's integrity check/],
      [foreign, /it is not a keepa-deals database \(no deals, queue, runs, system_state table\)/],
    ] as const) {
      const { code, out } = await run(file);
      expect(code).toBe(1);
      expect(out).toMatch(why);
      expect(out).toContain('Nothing changed.');
    }
    expect(asinsIn(dbPath)).toEqual(['B1']);
    expect(readdirSync(dir).filter((f) => f.includes('before-restore') || f.includes('restoring'))).toEqual([]);
  });
});
