import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DatabaseGoneError } from '../../src/errors.js';
import { MIGRATIONS_DIR, openDatabase, openExistingDatabase } from '../../src/state/db.js';
import { applyMigrations, readMigrations } from '../../src/state/migrate.js';
import { openStore } from '../../src/state/store.js';
import { smallColumns, T0 } from '../helpers.js';

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'kd-db-')), 'deals.db');

describe('migrations', () => {
  it('apply once, in order, and a second start applies nothing', () => {
    const path = tempDb();
    const first = openDatabase({ path, columns: smallColumns(), nowMs: T0 });
    expect(first.migrationsApplied).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => m.version));
    first.db.close();
    const second = openDatabase({ path, columns: smallColumns(), nowMs: T0 + 1000 });
    expect(second.migrationsApplied).toEqual([]);
    expect(second.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(readMigrations(MIGRATIONS_DIR).length);
    second.db.close();
  });

  it('a database written by a newer release is refused with a clear message', () => {
    const path = tempDb();
    const { db } = openDatabase({ path, columns: smallColumns(), nowMs: T0 });
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('from_the_future');
    expect(() => applyMigrations(db, readMigrations(MIGRATIONS_DIR), T0)).toThrow(/schema version 999.*newer release/);
    db.close();
  });

  it('a failing migration leaves no record, so the next start tries it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-mig-'));
    writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL;');
    const path = tempDb();
    expect(() => openDatabase({ path, columns: smallColumns(), nowMs: T0, migrationsDir: dir })).toThrow();
    const db = openExistingDatabase(path);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1]);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(0);
    db.close();
  });

  it('opens in WAL mode with a busy timeout short enough for a stop within 30 s', () => {
    const { db } = openDatabase({ path: tempDb(), columns: smallColumns(), nowMs: T0 });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBe(1_000);
    db.close();
  });

  it('a damaged or foreign file is refused at start with one sentence naming it', () => {
    const path = tempDb();
    writeFileSync(path, 'this is not a database, it is a shopping list\n'.repeat(200));
    expect(() => openDatabase({ path, columns: smallColumns(), nowMs: T0 })).toThrow(ConfigError);
    expect(() => openDatabase({ path, columns: smallColumns(), nowMs: T0 })).toThrow(new RegExp(`^The database ${path} is damaged \\(file is not a database\\)\\. Restore the last backup \\(bin/restore BACKUP\\), or move the file away`));

    const torn = tempDb();
    openDatabase({ path: torn, columns: smallColumns(), nowMs: T0 }).db.close();
    const bytes = readFileSync(torn);
    // Page 2 onwards holds the tables: overwrite the middle of the file with noise.
    for (let i = 4096 + 100; i < Math.min(bytes.length, 4096 * 3); i++) bytes[i] = (i * 7919) % 251;
    writeFileSync(torn, bytes);
    expect(() => openDatabase({ path: torn, columns: smallColumns(), nowMs: T0 })).toThrow(/is damaged \((quick_check: .+|database disk image is malformed)\)/);
  });

  it('notices its file deleted or replaced', () => {
    const path = tempDb();
    const store = openStore({ path, columns: smallColumns(), nowMs: T0 });
    expect(() => store.checkFile()).not.toThrow();
    rmSync(path);
    expect(() => store.checkFile()).toThrow(DatabaseGoneError);
    expect(() => store.checkFile()).toThrow(/was deleted while the daemon ran; what it writes now would be lost\. Stopping/);
    store.db.close();
  });
});

describe('deals table follows headers.json', () => {
  it('a header added while stopped becomes a column on the next start, existing rows intact', () => {
    const path = tempDb();
    const before = openStore({ path, columns: smallColumns(), nowMs: T0 });
    before.deals.upsert({ ASIN: '0000000001', List_at: 24.5, Title: 'Calculus' }, T0, 'full');
    before.db.close();

    const after = openStore({ path, columns: smallColumns(['Deal Trust']), nowMs: T0 + 1 });
    expect(after.columnsAdded).toEqual(['Deal_Trust']);
    after.deals.upsert({ ASIN: '0000000002', Deal_Trust: 75 }, T0 + 1, 'full');
    expect(after.deals.find('0000000001')).toMatchObject({ ASIN: '0000000001', List_at: 24.5, Title: 'Calculus', Deal_Trust: null });
    expect(after.deals.find('0000000002')).toMatchObject({ Deal_Trust: 75 });
    after.db.close();
  });

  it('operator commands never create a database by mistake', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'kd-none-')), 'typo.db');
    expect(() => openExistingDatabase(missing)).toThrow(ConfigError);
    expect(() => readFileSync(missing)).toThrow();
  });
});
