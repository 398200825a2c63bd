#!/usr/bin/env node
// The keepa-deals daemon: `node bin/daemon.js [--config PATH]`, run under systemd.
import { load } from './load.js';

(await load('daemon.js')).main();
