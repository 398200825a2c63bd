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
