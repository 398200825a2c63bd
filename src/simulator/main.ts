// `npm run simulator`: the simulator on its own, on the real clock, in the demo's world (busy
// enough to watch deals flow by hand). Point the daemon at it with KEEPA_BASE_URL.
//   node dist/src/simulator/main.js [--port N] [--seed N] [--refill-rate N] [--catalog N] [--deals-per-hour N]
// The port also comes from SIM_PORT; default 8790.

import { parseArgs } from 'node:util';
import { DEMO_WORLD } from './demo.js';
import { createSimulator } from './server.js';

const DEFAULT_PORT = 8790;

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer (got "${value}")`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      'refill-rate': { type: 'string' },
      catalog: { type: 'string' },
      'deals-per-hour': { type: 'string' },
    },
  });
  const simulator = await createSimulator({
    port: numberOption('port', values.port ?? process.env.SIM_PORT, DEFAULT_PORT),
    seed: numberOption('seed', values.seed, DEMO_WORLD.seed),
    refillRate: numberOption('refill-rate', values['refill-rate'], 200),
    catalogSize: numberOption('catalog', values.catalog, DEMO_WORLD.catalogSize),
    dealsPerHour: numberOption('deals-per-hour', values['deals-per-hour'], DEMO_WORLD.dealsPerHour),
  });
  console.log(`Keepa simulator listening on ${simulator.url}`);
  console.log(`Point the daemon at it: KEEPA_BASE_URL=${simulator.url}`);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`The simulator could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
