// The simulator's process of the benchmark, and the runner's handle on it. The simulator runs
// apart, behind a small proxy that sets its clock from a header each request carries, so that the
// policy's process holds only what the daemon holds: its peak RSS and CPU time are the daemon's,
// not those of the simulator's three-year histories.
import { type ChildProcess, fork } from 'node:child_process';
import { createServer, Agent as HttpAgent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher } from 'undici';
import { type Clock, VirtualClock } from '../src/clock.js';
import { createSimulator, type LedgerEntry, type Simulator } from '../src/simulator/index.js';
import { type Accuracy, measureAccuracy, type SavedPrices } from './accuracy.js';
import type { DriveOptions, SeenDeal } from './types.js';

export const SIM_KEY = 'benchkey000000000000000000000000000000000000000000000000000000000';
/** The simulated start of every run. */
export const START_MS = Date.UTC(2026, 2, 1);
const NOW_HEADER = 'x-bench-now';
const MAIN_JS = fileURLToPath(new URL('./main.js', import.meta.url));

export type HostRequest =
  | { id: number; op: 'start'; options: DriveOptions }
  | { id: number; op: 'balances'; times: number[] }
  | { id: number; op: 'truth'; asins: string[] }
  | { id: number; op: 'finish'; asins: string[]; saves: SavedPrices[]; listings: SeenDeal[] };
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;
export interface Balance {
  tokensLeft: number;
  maxTokens: number;
}
export interface Finished {
  ledger: LedgerEntry[];
  opportunities: string[];
  truth: Record<string, boolean>;
  /** When each listing asked about first showed in the deal list, by `asin@creationMs`. */
  listedAt: Record<string, number>;
  accuracy: Accuracy;
  cpuMs: number;
}

/** Entry of the simulator's process: answers the runner's requests until `finish`. */
export function hostSimulator(): void {
  const clock = new VirtualClock(START_MS);
  const moveTo = (ms: number): void => {
    if (Number.isFinite(ms) && ms > clock.now()) clock.set(ms);
  };
  let started: Simulator | null = null;
  const answer = async (msg: HostRequest): Promise<unknown> => {
    if (msg.op === 'start') {
      const { stream, refillRate } = msg.options;
      started = await createSimulator({ ...stream, clock, refillRate, apiKey: SIM_KEY });
      return { url: await listenProxy(started.port, moveTo) };
    }
    const sim = started;
    if (sim === null) throw new Error('The simulator was not started.');
    if (msg.op === 'balances') {
      return msg.times.map((t): Balance => {
        moveTo(t);
        const { tokensLeft, maxTokens } = sim.tokens.state();
        return { tokensLeft, maxTokens };
      });
    }
    const truth: Record<string, boolean> = {};
    for (const asin of msg.asins) truth[asin] = sim.groundTruth(asin)?.isOpportunity ?? false;
    if (msg.op === 'truth') return truth;
    const ledger = [...sim.ledger.entries()];
    const accuracy = measureAccuracy(sim, ledger, msg.saves);
    const listedAt: Record<string, number> = {};
    for (const { asin, creationMs } of msg.listings) {
      const at = sim.listedAt(asin, creationMs);
      if (at !== undefined) listedAt[`${asin}@${creationMs}`] = at;
    }
    const finished: Finished = { ledger, opportunities: sim.opportunities(), truth, listedAt, accuracy, cpuMs: cpuMs() };
    await sim.close();
    return finished;
  };
  // An orphan would keep its port and memory: it goes when its runner does.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: HostRequest) => {
    answer(msg).then(
      (reply) => process.send?.({ id: msg.id, reply }, () => (msg.op === 'finish' ? process.exit(0) : undefined)),
      (e: unknown) => process.send?.({ id: msg.id, error: String(e) }),
    );
  });
}

/** Forwards every request to the simulator after moving its clock to the time the request carries. */
function listenProxy(simPort: number, setNow: (ms: number) => void): Promise<string> {
  const agent = new HttpAgent({ keepAlive: true });
  const proxy = createServer((req, res) => {
    setNow(Number(req.headers[NOW_HEADER]));
    const upstream = httpRequest({ host: '127.0.0.1', port: simPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => {
      const address = proxy.address();
      resolve(typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '');
    }),
  );
}

/** The runner's handle on the simulator's process. */
export class SimHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;

  constructor() {
    this.child = fork(MAIN_JS, ['--sim'], { stdio: 'inherit' });
    this.child.on('message', (msg: { id: number; reply?: unknown; error?: string }) => {
      const waiter = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error !== undefined) waiter?.reject(new Error(`simulator: ${msg.error}`));
      else waiter?.resolve(msg.reply);
    });
  }

  request<T>(msg: Unsent<HostRequest>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject });
      this.child.send({ ...msg, id });
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

export function cpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

/** Undici dispatcher that stamps each request with the runner's virtual time. */
export function clockedDispatcher(clock: Clock): Dispatcher {
  return new Agent().compose((dispatch) => (opts, handler) => {
    // KeepaClient passes its headers as an object; a flat [name, value, ...] list is kept as well.
    const headers: Record<string, string | string[] | undefined> = {};
    const given = opts.headers;
    if (Array.isArray(given)) for (let i = 0; i + 1 < given.length; i += 2) headers[String(given[i])] = String(given[i + 1]);
    else if (given) Object.assign(headers, given);
    headers[NOW_HEADER] = String(clock.now());
    return dispatch({ ...opts, headers }, handler);
  });
}
