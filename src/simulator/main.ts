// `npm run simulator`: the simulator on its own, on the real clock, with demo settings generous
// enough to watch deals flow by hand. Point the daemon at it with KEEPA_BASE_URL.
//   node dist/src/simulator/main.js [--port N] [--seed N] [--refill-rate N]
// The port also comes from SIM_PORT; default 8790.

import { parseArgs } from 'node:util';
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
    },
  });
  const simulator = await createSimulator({
    port: numberOption('port', values.port ?? process.env.SIM_PORT, DEFAULT_PORT),
    seed: numberOption('seed', values.seed, 1),
    refillRate: numberOption('refill-rate', values['refill-rate'], 200),
    // Demo pace: a new deal every five minutes or so, so something happens while you watch.
    dealsPerHour: 12,
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
