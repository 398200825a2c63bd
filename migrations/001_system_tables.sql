-- System tables: the work queue, key/value state (watermark, bucket), leases, run history,
-- and the base of the deals table (its display columns are added from headers.json at start).
-- Times are epoch milliseconds (INTEGER); Keepa times are Keepa minutes and say so in the name.

CREATE TABLE queue (
  asin TEXT PRIMARY KEY,
  -- Keepa minutes of the deal that put the item here.
  deal_last_update_km INTEGER NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('queued', 'peeked', 'done', 'rejected', 'parked', 'expired')),
  priority REAL NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  parked_reason TEXT,
  reject_reason TEXT,
  -- The deal record from /deal, kept for the columns it feeds (Deal found, last price change).
  deal_json TEXT,
  queued_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- The newest deal lastUpdate already processed for this ASIN; older or equal deals are not new work.
  processed_last_update_km INTEGER
);
CREATE INDEX queue_claim ON queue (stage, next_try_at, priority DESC);

CREATE TABLE system_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'partial', 'skipped', 'failed', 'interrupted')),
  -- JSON object of funnel counters: scanned, queued, peeked, rejected_<reason>, enriched, saved...
  funnel TEXT NOT NULL DEFAULT '{}',
  tokens_spent REAL NOT NULL DEFAULT 0,
  chunks INTEGER NOT NULL DEFAULT 0,
  last_commit_at INTEGER,
  error TEXT
);
CREATE INDEX runs_job_started ON runs (job, started_at);

CREATE TABLE deals (
  "ASIN" TEXT NOT NULL PRIMARY KEY,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  analyzed_at INTEGER,
  refreshed_at INTEGER
);
CREATE INDEX deals_last_seen ON deals (last_seen_at);
