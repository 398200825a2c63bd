// The shapes the benchmark's modules share: the options of a run, what a policy offers the driver,
// and what a run records. Kept apart so that no module of bench/ imports another in a circle.

import type { LedgerEntry } from '../src/simulator/index.js';
import type { Funnel } from '../src/state/runs.js';
import type { Accuracy } from './accuracy.js';

export type PolicyName = 'daemon' | 'baseline' | 'oracle';

export interface StreamSettings {
  seed: number;
  catalogSize: number;
  dealsPerHour: number;
}

export interface DriveOptions {
  policy: PolicyName;
  refillRate: number;
  days: number;
  stream: StreamSettings;
}

/** What the driver needs from a policy. */
export interface Policy {
  /** One scheduled tick: an ingest run, or a baseline run. */
  tick(): Promise<void>;
  janitor(): Promise<void>;
  /**
   * Tokens the next step would need at `atMs`: if a run started then (`inRun` false), or when the
   * run sleeping then woke (`inRun` true); null when there is nothing to do.
   */
  nextStepTokens(atMs: number, inRun: boolean): number | null;
  /** lastUpdate (epoch ms) of the deal that the row of `asin` is analysed from. */
  dealLastUpdateMs(asin: string): number;
}

/** A deal row written by a full analysis. */
export interface SaveEvent {
  asin: string;
  savedAtMs: number;
  dealLastUpdateMs: number;
  profit: number | null;
  /** Whether the row passed the visible rule when it was saved. */
  visible: boolean;
}

/** A deal page showed `asin` at a used price other than the one it showed before. */
export interface PriceMove {
  asin: string;
  atMs: number;
}

/** A deal as a deal page showed it; (asin, creationMs) names a listing. */
export interface SeenDeal {
  asin: string;
  creationMs: number;
  atMs: number;
}

/** The simulator's balance at a whole minute, while no call was made. */
export interface MinuteSample {
  atMs: number;
  inRun: boolean;
  balance: number;
  maxTokens: number;
  nextStepTokens: number | null;
}

/** A deal the dashboard shows at the end of a run. */
export interface VisibleDeal {
  asin: string;
  sellerNamed: boolean;
}

export interface DriveResult {
  options: DriveOptions;
  startMs: number;
  endMs: number;
  ledger: readonly LedgerEntry[];
  saves: SaveEvent[];
  seen: SeenDeal[];
  /** Times of chunks that committed progress. */
  commits: number[];
  samples: MinuteSample[];
  funnel: Funnel;
  /** Real opportunities whose deal was live at some moment of the run (ground truth). */
  opportunities: string[];
  /** Ground truth for every ASIN saved: a real opportunity or not. */
  isOpportunity: Record<string, boolean>;
  /** When each saved ASIN's listings (`asin@creationMs`) first showed in the deal list (ground truth). */
  listedAt: Record<string, number>;
  /** Used-price changes the deal pages showed. */
  priceMoves: PriceMove[];
  /** Listings (`asin@creationMs`) rejected on their deal object alone, no token spent, and when. */
  judgedFree: { listing: string; atMs: number }[];
  /** The saved analytics against the ground truth. */
  accuracy: Accuracy;
  /** The deals a dashboard shows at the end of the run: each with whether its seller is named. */
  visible: VisibleDeal[];
  /** Peak RSS and CPU time of the policy's process (the simulator runs elsewhere). */
  rssMb: number;
  cpuMs: number;
  /** CPU time of the simulator's process. */
  simCpuMs: number;
  wallMs: number;
}
