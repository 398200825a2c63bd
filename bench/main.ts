// `npm run bench`: the daemon and the baseline, each for 7 simulated days at 5 and 20 tokens/min
// against the simulator with a fixed seed; prints the tables and writes the JSON. 60/min is not
// run: the stream binds from 20/min on (README), so its figures repeated 20/min's for a third of
// the time the whole benchmark may take.
// `npm run bench -- --days 2 --catalog 8000 --deals-per-hour 40` changes the run (see below).
//
// Every run is a process of its own (`--run`), with its simulator in another (`--sim`), so runs
// go side by side on the cores there are and each run's RSS and CPU time are its policy's alone.
//
// The stream is the simulator's default (3,000 books, 6.25 new deals an hour: ~100 listings a
// day), and with it the daemon is stream-bound at every rate: the limit of a rate is the smaller
// of what its tokens and what the stream allow. Tokens would bind at 5/min only from ~1,000 new
// deals a day (a deal costs the daemon a 1-token peek, and half of them ~10 tokens of enrich),
// at 20/min from ~4,000. The simulator pays ~15 ms of CPU for each book whose product is fetched
// (its three-year history; the deal list itself is cheap: docs/simulator.md) and keeps 800
// histories in memory.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PIPELINE } from '../src/settings.js';
import { benchAnalytics } from './analytics.js';
import { drive } from './driver.js';
import { baselineLevel, daemonLevel, limitFrom, type RunFigures, runFigures } from './metrics.js';
import { checkTargets, type Report, renderReport, writeJson, writeReport } from './report.js';
import { cpuMs, hostSimulator } from './simHost.js';
import { checkTokenBound, renderTokenBound, type TokenBoundFigures, tokenBoundFigures } from './tokenBound.js';
import type { DriveOptions, PolicyName, StreamSettings } from './types.js';

const RATES = [5, 20];
const REFRESH_GAP_MS = DEFAULT_PIPELINE.refreshAfterHours * 3_600_000;

/** `--days N`, `--catalog N`, `--deals-per-hour N`; the defaults are the benchmark's. */
function settings(args: readonly string[]): { days: number; stream: StreamSettings } {
  const value = (flag: string, fallback: number): number => {
    const at = args.indexOf(flag);
    if (at < 0) return fallback;
    const n = Number(args[at + 1]);
    if (!(n > 0)) throw new Error(`${flag} needs a positive number, as in ${flag} 2`);
    return n;
  };
  return { days: value('--days', 7), stream: { seed: 7, catalogSize: value('--catalog', 3_000), dealsPerHour: value('--deals-per-hour', 6.25) } };
}

async function runOne(options: DriveOptions, regime: 'stream' | 'tokens'): Promise<void> {
  process.on('disconnect', () => process.exit(1));
  const result = await drive(options);
  const levelOf = options.policy === 'baseline' ? baselineLevel : daemonLevel;
  const figures = regime === 'tokens' ? tokenBoundFigures(result, levelOf, REFRESH_GAP_MS) : runFigures(result, levelOf, REFRESH_GAP_MS);
  process.send?.(figures, () => process.exit(0));
}

function spawnRun<T = RunFigures>(options: DriveOptions, regime: 'stream' | 'tokens' = 'stream'): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [regime === 'tokens' ? '--run-tokens' : '--run', JSON.stringify(options)], { stdio: 'inherit' });
    let figures: T | null = null;
    child.on('message', (msg: T) => {
      figures = msg;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (figures !== null) resolve(figures);
      else reject(new Error(`the ${options.policy} run at ${options.refillRate}/min exited with code ${code} without figures`));
    });
  });
}

async function benchmark(args: readonly string[]): Promise<void> {
  const started = performance.now();
  const { days, stream } = settings(args);
  // Dearest first (the simulator builds a product for every ASIN fetched), so the cores finish together.
  const jobs: DriveOptions[] = [...RATES].reverse().flatMap((refillRate) => (['baseline', 'daemon'] as PolicyName[]).map((policy) => ({ policy, refillRate, days, stream })));
  const results = new Map<DriveOptions, RunFigures>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      const figures = await spawnRun(job);
      results.set(job, figures);
      console.error(`${job.policy} at ${job.refillRate}/min: ${(figures.wallMs / 1000).toFixed(1)} s`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs.length, availableParallelism()) }, worker));
  const of = (policy: PolicyName): RunFigures[] =>
    RATES.map((rate) => {
      const job = jobs.find((j) => j.policy === policy && j.refillRate === rate);
      const figures = job === undefined ? undefined : results.get(job);
      if (figures === undefined) throw new Error(`no figures for the ${policy} at ${rate}/min`);
      return figures;
    });
  const daemon = of('daemon');
  // Measured alone, once the runs are over, so that no run competes for the core.
  const analytics = benchAnalytics();
  const baseline = of('baseline');
  const benchCpuMs = cpuMs() + [...daemon, ...baseline].reduce((sum, f) => sum + f.cpuMs + f.simCpuMs, 0);
  const body = { days, stream, rates: RATES, daemon, baseline, limits: daemon.map(limitFrom), analytics, benchWallMs: performance.now() - started, benchCpuMs };
  const report: Report = { generatedAt: new Date().toISOString(), ...body, targets: checkTargets(body) };
  console.log(renderReport(report));
  console.log(`\nJSON: ${writeReport(report)}`);
}

const TOKEN_BOUND_RATES = [5, 20];

/** `--tb-catalog N`, `--tb-deals-per-hour N`, `--tb-hours N`: the token-bound regime's stream; the by default. */
function tokenBoundSettings(args: readonly string[]): { hours: number; stream: StreamSettings } {
  const value = (flag: string, fallback: number): number => {
    const at = args.indexOf(flag);
    if (at < 0) return fallback;
    const n = Number(args[at + 1]);
    if (!(n > 0)) throw new Error(`${flag} needs a positive number, as in ${flag} 2`);
    return n;
  };
  return { hours: value('--tb-hours', 8), stream: { seed: 7, catalogSize: value('--tb-catalog', 30_000), dealsPerHour: value('--tb-deals-per-hour', 400) } };
}

/** The token-bound regime: the daemon, the old policy and the oracle on one stream, at 5 and 20 tokens/min. */
async function tokenBound(args: readonly string[]): Promise<void> {
  const started = performance.now();
  const { hours, stream } = tokenBoundSettings(args);
  const jobs: DriveOptions[] = TOKEN_BOUND_RATES.flatMap((refillRate) => (['daemon', 'oracle', 'baseline'] as PolicyName[]).map((policy) => ({ policy, refillRate, days: hours / 24, stream })));
  const figures: TokenBoundFigures[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      const f = await spawnRun<TokenBoundFigures>(job, 'tokens');
      figures.push(f);
      console.error(`token-bound ${job.policy} at ${job.refillRate}/min: ${(f.wallMs / 1000).toFixed(1)} s`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs.length, availableParallelism()) }, worker));
  const order = (f: TokenBoundFigures): number => TOKEN_BOUND_RATES.indexOf(f.refillRate) * 3 + ['daemon', 'oracle', 'baseline'].indexOf(f.policy);
  figures.sort((a, b) => order(a) - order(b));
  const checks = checkTokenBound(figures);
  const setting = `${stream.catalogSize.toLocaleString('en-US')} books, ${stream.dealsPerHour} deals an hour, ${hours} h, seed ${stream.seed}`;
  console.log(`\n${renderTokenBound(figures, checks, setting)}`);
  console.log(`token-bound regime: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const path = writeJson('token-bound', { generatedAt: new Date().toISOString(), hours, stream, figures, checks });
  console.log(`JSON: ${path}`);
}

const args = process.argv.slice(2);
const [mode, arg] = args;
if (mode === '--sim') hostSimulator();
else if (mode === '--run' && arg !== undefined) await runOne(JSON.parse(arg) as DriveOptions, 'stream');
else if (mode === '--run-tokens' && arg !== undefined) await runOne(JSON.parse(arg) as DriveOptions, 'tokens');
else if (mode === '--token-bound') await tokenBound(args);
else {
  await benchmark(args);
  await tokenBound(args);
}
