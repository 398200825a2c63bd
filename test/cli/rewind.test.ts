import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { REWIND_COMMAND, rewind as rewindArgs } from '../../src/cli/rewind.js';
import { PROJECT_DIR } from '../../src/config.js';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import { openStore } from '../../src/state/store.js';
import { smallColumns, T0 } from '../helpers.js';

const HOUR = 3_600_000;
const rewind = (argv: string[], nowMs: number, out: (l: string) => void): number => rewindArgs(parseCommandArgs(REWIND_COMMAND, argv), nowMs, out);

function setup(watermarkMs: number | null): { args: string[]; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kd-rewind-'));
  const dbPath = join(dir, 'deals.db');
  const store = openStore({ path: dbPath, columns: smallColumns(), nowMs: T0 });
  if (watermarkMs !== null) store.watermark.set({ lastUpdateKm: msToKeepaMinutes(watermarkMs), asin: '0123456789' }, T0);
  store.db.close();
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ dealsDb: dbPath }));
  return { args: ['--config', configPath], dbPath };
}

function watermarkOf(dbPath: string): unknown {
  const store = openStore({ path: dbPath, columns: smallColumns(), nowMs: T0 });
  const w = store.watermark.current();
  store.db.close();
  return w;
}

describe('bin/rewind', () => {
  it('moves the watermark back to now - N hours and prints the old and new values', () => {
    const { args, dbPath } = setup(T0 - HOUR);
    const lines: string[] = [];
    expect(rewind(['--hours', '24', ...args], T0, (l) => lines.push(l))).toBe(0);
    expect(watermarkOf(dbPath)).toEqual({ lastUpdateKm: msToKeepaMinutes(T0 - 24 * HOUR), asin: '' });
    expect(lines.join('\n')).toContain('from 2026-02-28T23:00:00.000Z (ASIN 0123456789) to 2026-02-28T00:00:00.000Z');
  });

  it('never moves the watermark forward', () => {
    const { args, dbPath } = setup(T0 - 48 * HOUR);
    const lines: string[] = [];
    expect(rewind(['--hours=24', ...args], T0, (l) => lines.push(l))).toBe(0);
    expect(watermarkOf(dbPath)).toEqual({ lastUpdateKm: msToKeepaMinutes(T0 - 48 * HOUR), asin: '0123456789' });
    expect(lines.join('\n')).toMatch(/already older.*Nothing changed/);
  });

  it.each([
    [['--hours=-1'], /--hours must be a number of hours greater than 0/],
    [['--hours', 'abc'], /got "abc"/],
    [['--hours', ''], /got ""/],
    [[], /--hours is required/],
  ])('refuses %o and changes nothing', (bad, message) => {
    const { args, dbPath } = setup(T0 - HOUR);
    expect(() => rewind([...bad, ...args], T0, () => undefined)).toThrow(message);
    expect(watermarkOf(dbPath)).toEqual({ lastUpdateKm: msToKeepaMinutes(T0 - HOUR), asin: '0123456789' });
  });

  it('exits 2 with a one-line message for bad input and for a database that does not exist', () => {
    const bin = resolve(PROJECT_DIR, 'bin/rewind');
    const env = { ...process.env, DEALS_DB: join(mkdtempSync(join(tmpdir(), 'kd-none-')), 'missing.db') };
    const bad = spawnSync(bin, ['--hours', 'abc'], { env, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^--hours must be a number/), expect.stringMatching(/^usage: bin\/rewind --hours N \[--config PATH\]/)]);
    const missing = spawnSync(bin, ['--hours', '24'], { env, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/No database at .*missing\.db\. Check DEALS_DB/);
  });
});
