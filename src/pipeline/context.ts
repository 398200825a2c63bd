// What every pipeline stage is given: the dependencies of a run, and nothing else.
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeepaClient } from '../keepa/client.js';
import type { Logger } from '../log.js';
import type { Store } from '../state/store.js';

export interface PipelineDeps {
  store: Store;
  keepa: KeepaClient;
  clock: Clock;
  log: Logger;
  config: Config;
}

/** Tokens Keepa reported consumed so far by this process, all jobs together. */
export function tokensSpent(deps: Pick<PipelineDeps, 'keepa' | 'clock'>): number {
  const spent = deps.keepa.bucket.snapshot(deps.clock.now()).spentByJob;
  return Object.values(spent).reduce((a, b) => a + b, 0);
}
