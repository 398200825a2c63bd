// The Keepa simulator's public API: start one with createSimulator, read its ground truth,
// ledger and token state, and inject faults.

export type { Archetype, Catalog, GroundTruth } from './catalog.js';
export { DEMO_WORLD } from './demo.js';
export type { ActiveFault, FaultKind, FaultPath, FaultScope, FaultSpec, Faults } from './faults.js';
export type { Ledger, LedgerEntry, LedgerSummary, PathSummary } from './ledger.js';
export type { TrueSale, Withdrawal } from './market.js';
export { createSimulator, type MarketTruth, type Simulator, type SimulatorOptions } from './server.js';
export type { TokenAccount, TokenState } from './tokens.js';
