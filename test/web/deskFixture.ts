// A database of saved deals (bench/deskData.ts) for the desk's tests, in a file of a fresh
// temporary folder (the exports read it through a connection of their own), and the server over it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { asinOf, FORMULA_TITLE, NOW, SCRIPT_TITLE, XSS_TITLE } from '../../bench/deskData.js';

import { DAY, NOW, saveDeals } from '../../bench/deskData.js';
import { loadConfig } from '../../src/config.js';
import { type StatusServer, startStatusServer } from '../../src/http.js';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_BUSINESS } from '../../src/settings.js';
import type { DealColumn } from '../../src/state/columns.js';
import { openExportReader } from '../../src/state/db.js';
import { openStore, type Store } from '../../src/state/store.js';
import { buildStatus } from '../../src/status.js';

export interface DeskFixture {
  dir: string;
  path: string;
  store: Store;
  columns: readonly DealColumn[];
  close(): void;
}

export function deskDatabase(columns: readonly DealColumn[], n: number): DeskFixture {
  const dir = mkdtempSync(join(tmpdir(), 'kd-desk-'));
  const path = join(dir, 'deals.db');
  const store = openStore({ path, columns, nowMs: NOW - 400 * DAY });
  saveDeals(store, n);
  return {
    dir,
    path,
    store,
    columns,
    close: () => {
      store.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The status server with the desk over `f`'s database, as the daemon starts it. */
export async function deskServer(f: DeskFixture, options: { authToken?: string } = {}): Promise<StatusServer> {
  const config = loadConfig({ env: { DEALS_DB: f.path } });
  return startStatusServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    store: f.store,
    report: () => buildStatus({ store: f.store, config, nowMs: NOW, daemonRunning: true }),
    authToken: options.authToken ?? null,
    desk: {
      store: f.store,
      business: DEFAULT_BUSINESS,
      settings: [{ name: 'business.prepFee', value: '2.75', source: 'default' }],
      now: () => NOW,
      openReader: () => openExportReader(f.path),
    },
  });
}
