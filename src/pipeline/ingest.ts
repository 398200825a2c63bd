// The ingest job: expire stale candidates, then, until the run's time is up, look at the deal list
// whenever the discovery plan says a look is due, and between looks drain the queue (enrich what
// passed the peek first, since its peek is paid for; then peek, both most valuable first), giving
// refresh its share. Each step commits on its own. When the tokens for the next step are more
// than a short wait away, the run ends and the next tick picks up (docs/design.md rule 3).
import type { Job, JobContext, JobResult } from '../job.js';
import { type Funnel, isSpentTokenKey } from '../state/runs.js';
import { type ChunkOutcome, commitChunk } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { currentScan, discoverPage, nextLookAt } from './discover.js';
import { enrichChunk } from './enrich.js';
import { peekChunk, peekFirst } from './peek.js';
import { refreshAllowed, refreshChunk, refreshDue } from './refresh.js';
import { sellerChunk, sellersDue } from './sellers.js';

export type Step = 'sellers' | 'enrich' | 'peek' | 'refresh';

export function ingestJob(deps: PipelineDeps): Job {
  return { name: 'ingest', run: (ctx) => runIngest(deps, ctx) };
}

export async function runIngest(deps: PipelineDeps, ctx: JobContext): Promise<JobResult> {
  const { store, clock, config, keepa } = deps;
  const log = deps.log.child({ component: 'ingest' });
  const deadline = clock.now() + config.pipeline.maxRunSeconds * 1000;
  const more = (): boolean => !ctx.signal.aborted && clock.now() < deadline;
  const warnings: string[] = [];

  await keepa.prime({ job: 'token', signal: ctx.signal });
  expireStale(deps, ctx);

  let stoppedFor: ChunkOutcome | null = null;
  let pages = 0;
  const tried = new Set<Step>();
  while (stoppedFor === null && more()) {
    // A due look at the deal list comes first, between any two chunks: new deals are worth most
    // in their first minutes, and the plan paces looks by tokens, not by the schedule.
    const scan = pages < config.pipeline.maxPagesPerRun ? currentScan(deps, clock.now()) : null;
    if (scan !== null) {
      const page = await discoverPage(deps, ctx, scan);
      pages += 1;
      if (page.warning) warnings.push(page.warning);
      if (page.outcome !== 'done') stoppedFor = page.outcome;
      tried.clear();
      continue;
    }
    const step = nextStep(deps, tried);
    if (step === null) {
      // Nothing to do now: wait for the next look when it is a short wait away (the patience the
      // run has for tokens) and comes before the run must end; otherwise the next tick looks.
      const lookAt = pages < config.pipeline.maxPagesPerRun ? nextLookAt(deps, clock.now()) : Infinity;
      if (lookAt >= deadline || lookAt - clock.now() > config.pipeline.maxTokenWaitSeconds * 1000) break;
      try {
        await clock.sleep(Math.max(1, lookAt - clock.now()), ctx.signal);
      } catch (e: unknown) {
        if (!ctx.signal.aborted) throw e;
      }
      continue;
    }
    const outcome = await runStep(deps, ctx, step);
    // A failing seller lookup must not hold up the queue: its sellers stay deferred.
    if (outcome === 'empty' || (outcome === 'failed' && step === 'sellers')) tried.add(step);
    else if (outcome !== 'done') stoppedFor = outcome;
    else tried.clear();
  }

  const funnel = store.runs.get(ctx.runId)?.funnel ?? {};
  log.info(`ingest run: ${describeFunnel(funnel)}`, { funnel, stoppedFor: stoppedFor ?? (more() ? 'no work' : 'time limit') });
  const warning = warnings.length > 0 ? warnings.join('; ') : undefined;
  if (stoppedFor === 'failed') return { outcome: 'partial', warning: warning ?? 'a chunk failed; its items will be tried again' };
  return { outcome: stoppedFor === 'out_of_tokens' ? 'partial' : 'ok', funnel: stoppedFor === 'out_of_tokens' ? { out_of_tokens: 1 } : {}, ...(warning ? { warning } : {}) };
}

function runStep(deps: PipelineDeps, run: JobContext, step: Step): Promise<ChunkOutcome> {
  switch (step) {
    case 'sellers':
      return sellerChunk(deps, run);
    case 'enrich':
      return enrichChunk(deps, run);
    case 'peek':
      return peekChunk(deps, run);
    case 'refresh':
      return refreshChunk(deps, run);
  }
}

/** What a run starting at `nowMs` would do first: a due look at the deal list, else its first step. */
export function firstStep(deps: PipelineDeps, nowMs: number): 'discover' | Step | null {
  return currentScan(deps, nowMs) !== null ? 'discover' : nextStep(deps, new Set(), nowMs);
}

/**
 * Deferred seller lookups first (a token each completes a saved deal), refresh on its share, then
 * enrich or peek, whichever stage's best candidate is worth more (docs/tokens.md); null when
 * nothing is due.
 */
function nextStep(deps: PipelineDeps, tried: ReadonlySet<Step>, now = deps.clock.now()): Step | null {
  const { queue } = deps.store;
  if (!tried.has('sellers') && Object.keys(sellersDue(deps.store)).length > 0) return 'sellers';
  const enrichDue = !tried.has('enrich') && (queue.nextDueAt('peeked') ?? Infinity) <= now;
  const peekDue = !tried.has('peek') && (queue.nextDueAt('queued') ?? Infinity) <= now;
  if (!tried.has('refresh') && refreshDue(deps, now) && refreshAllowed(deps, now, enrichDue || peekDue)) return 'refresh';
  if (enrichDue && peekDue) return peekFirst(deps, now) ? 'peek' : 'enrich';
  if (enrichDue) return 'enrich';
  if (peekDue) return 'peek';
  return null;
}

/** Expiry is bookkeeping, not progress: it must not make a stuck pipeline look alive. */
function expireStale(deps: PipelineDeps, run: JobContext): void {
  const cutoff = deps.clock.now() - deps.config.pipeline.candidateMaxAgeHours * 3_600_000;
  const oldest = deps.store.queue.oldestWaitingSince();
  if (oldest === null || oldest >= cutoff) return;
  const funnel: Funnel = {};
  commitChunk(
    deps,
    run,
    funnel,
    0,
    (nowMs) => {
      funnel.expired = deps.store.queue.expireQueuedBefore(cutoff, nowMs).length;
    },
    false,
  );
  deps.log.warn(`dropped ${funnel.expired ?? 0} candidates that waited longer than ${deps.config.pipeline.candidateMaxAgeHours} h`, { component: 'ingest', expired: funnel.expired });
}

export function describeFunnel(f: Funnel): string {
  const order = ['scanned', 'queued', 'peeked', 'enriched', 'saved', 'refreshed', 'expired', 'failed'];
  const rejected = Object.entries(f)
    .filter(([k]) => k.startsWith('rejected_'))
    .map(([k, v]) => `${k.slice('rejected_'.length)} ${v}`);
  const tokens = Object.entries(f)
    .filter(([k]) => isSpentTokenKey(k))
    .reduce((a, [, v]) => a + v, 0);
  const parts = order.filter((k) => f[k] !== undefined).map((k) => `${k} ${f[k]}`);
  if (rejected.length > 0) parts.push(`rejected (${rejected.join(', ')})`);
  parts.push(`tokens ${Math.round(tokens * 10) / 10}`);
  if (f.prefiltered !== undefined || f.passed_free !== undefined) {
    parts.push(`${f.prefiltered ?? 0} rejected and ${f.passed_free ?? 0} passed free from the deal objects, ${Math.round((f.tokens_saved ?? 0) * 10) / 10} peek tokens saved`);
  }
  return parts.join(', ');
}
