// bin/why ASIN: what happened to one book, in words: its queue stage and attempts, the verdict
// and its reason, the tokens spent on it, how the value model ranks it, when each thing happened,
// and whether it is a saved deal. Read-only; safe while the daemon runs.
import { type Config, loadConfig } from '../config.js';
import { CostModel, dealOfferCount } from '../keepa/cost.js';
import { msToIso } from '../keepa/time.js';
import { parseDeal } from '../pipeline/dealRecord.js';
import { type CandidateValue, candidateTokens, candidateValue, dealValueInputs } from '../pipeline/value.js';
import { loadColumns } from '../state/columns.js';
import { openExistingDatabase } from '../state/db.js';
import { DealQuery, type DeskDeal } from '../state/dealQuery.js';
import { Queue, type QueueItem } from '../state/queue.js';
import { formatDuration } from '../status.js';
import { notVisibleReason } from '../web/dealsPage.js';
import { money } from '../web/deskLayout.js';
import { reasonInWords } from '../web/reasons.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf } from './args.js';
import { runCommand, UsageError } from './run.js';

export const WHY_COMMAND: CommandSpec = {
  name: 'bin/why',
  summary: 'What happened to one book: its queue stage and attempts, the verdict and its reason in words, the tokens spent on it, how the value model ranks it, when, and the saved deal. Read-only; exit 1 when the book was never met.',
  options: { config: CONFIG_OPTION },
  positional: { name: 'ASIN', help: 'the book (10 letters and digits)', count: 1 },
};

export interface BookFacts {
  asin: string;
  queue: QueueItem | null;
  deal: DeskDeal | null;
  /** The value model on the deal the item was queued with, now; null without one. */
  value: CandidateValue | null;
}

const when = (nowMs: number, atMs: number | null): string => (atMs === null ? 'never' : `${msToIso(atMs)} (${formatDuration(nowMs - atMs)} ago)`);

function verdict(q: QueueItem, nowMs: number): string {
  switch (q.stage) {
    case 'queued':
      return `waiting for its peek (stats only, 1 token)${q.nextTryAt > nowMs ? `; next try ${when(nowMs, q.nextTryAt)}` : ''}.`;
    case 'peeked':
      return `passed the peek, or its rules on the deal's own prices and counts; waiting for the full fetch (history and offers)${q.nextTryAt > nowMs ? `; next try ${when(nowMs, q.nextTryAt)}` : ''}.`;
    case 'done':
      return 'analysed and saved as a deal.';
    case 'rejected':
      return `rejected: ${reasonInWords(q.rejectReason ?? 'unknown')}`;
    case 'parked':
      return `parked after ${q.attempts} failed attempts: ${reasonInWords(q.parkedReason ?? 'error')}`;
    case 'expired':
      return reasonInWords('expired');
  }
}

/**
 * How the queue ranks the item: its stored key, and the value model's inputs and result on the
 * deal it was queued with (docs/tokens.md), so an operator can see why one book was worked before
 * another.
 */
function priorityLines(q: QueueItem, v: CandidateValue | null): string[] {
  const lines = [`Priority: ${q.priority.toFixed(2)} (the value model's key; higher is worked first; a peek, when one was needed, ranks it again with the product's own prices)`];
  if (v === null) return lines;
  const { buyCents, sellCents, salesPerYear, appearedAtMs, tokens } = v.inputs;
  const cents = (c: number | null): string => (c === null ? '-' : money(c / 100));
  lines.push(
    `Value from the deal: buy ${cents(buyCents)}, sell ${cents(sellCents)} (its 90-day used average), ${salesPerYear === null ? 'sales a year unknown (4 assumed)' : `${salesPerYear.toFixed(1)} sales a year`}, price there since ${msToIso(appearedAtMs)}, ${tokens} tokens still to pay.`,
    `  ${money(v.profitDollars)} profit x ${(v.sellChance * 100).toFixed(0)}% chance it sells in 3 months x ${(v.survival * 100).toFixed(0)}% chance the copy is still there / ${tokens} tokens = ${money(v.value)} a token now.`,
  );
  return lines;
}

/** The value model on the item's deal at Keepa's list prices (the daemon's learned corrections live in its memory). */
function valueNow(q: QueueItem | null, config: Config, nowMs: number): CandidateValue | null {
  const deal = parseDeal(q?.dealJson ?? null);
  if (q === null || deal === null) return null;
  const tokens = candidateTokens(new CostModel(), { offers: config.pipeline.offersPerProduct, expectedOffers: dealOfferCount(deal), peeked: q.stage !== 'queued', lookupSellers: config.pipeline.lookupSellers });
  return candidateValue(dealValueInputs(deal, tokens), config.business, nowMs);
}

export function explainBook(f: BookFacts, nowMs: number): string[] {
  const lines: string[] = [];
  const title = typeof f.deal?.row.Title === 'string' ? ` "${f.deal.row.Title}"` : '';
  lines.push(`${f.asin}${title}`);
  const q = f.queue;
  if (q === null) {
    lines.push('Queue: no record (never offered by the deal list, or from before the queue kept it).');
  } else {
    lines.push(`Queue: ${q.stage}, ${q.attempts} failed attempt${q.attempts === 1 ? '' : 's'} since it was last queued, ${q.tokensSpent.toFixed(1)} tokens spent on it.`);
    lines.push(`Verdict: ${verdict(q, nowMs)}`);
    if (q.lastError) lines.push(`Last error: ${q.lastError}`);
    lines.push(...priorityLines(q, f.value));
    lines.push(`When: queued ${when(nowMs, q.queuedAt)}; last changed ${when(nowMs, q.updatedAt)}; analysed with history ${when(nowMs, q.analyzedAt)}.`);
  }
  const d = f.deal;
  if (d === null) {
    lines.push('Deal: not saved.');
  } else {
    const shown = d.visible && d.rejectReason === null ? 'shown on the dashboard' : `not shown: ${notVisibleReason(d)}`;
    lines.push(`Deal: saved, ${shown}`);
    lines.push(`  Price now ${money(d.row.Price_Now)}, List at ${money(d.row.List_at)}, profit ${money(d.row.Profit)}, ROI ${d.roi === null ? '-' : `${d.roi.toFixed(1)}%`}, ${d.salesYear ?? '-'} sales in the last year.`);
    lines.push(`  Found ${when(nowMs, d.firstSeenAt)}; data fetched ${when(nowMs, d.verifiedAt)}; last seen in the deal list ${when(nowMs, d.lastSeenAt)}.`);
  }
  return lines;
}

export function why(args: CommandArgs, nowMs: number, out: (line: string) => void): number {
  const given = args.positionals[0];
  if (given === undefined) throw new UsageError('Give one ASIN.');
  const asin = given.trim().toUpperCase();
  if (!/^[A-Z0-9]{10}$/.test(asin)) throw new UsageError(`"${given}" is not an ASIN (10 letters and digits).`);
  const config = loadConfig({ configPath: configPathOf(args) });
  const db = openExistingDatabase(config.dealsDb, { readonly: true });
  try {
    const queue = new Queue(db).get(asin);
    const facts = { asin, queue, deal: new DealQuery(db, loadColumns(config.headersPath), config.peek.minSalesPerYear).one(asin), value: valueNow(queue, config, nowMs) };
    for (const line of explainBook(facts, nowMs)) out(line);
    return facts.queue === null && facts.deal === null ? 1 : 0;
  } finally {
    db.close();
  }
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(WHY_COMMAND, argv, (args) => why(args, Date.now(), (line) => process.stdout.write(`${line}\n`)));
}
