-- Alerts. An episode is a stretch of time during which a deal matches a rule; a new episode
-- (a deal that starts matching, or matches again after it stopped) puts one message in the
-- outbox, in the same transaction as the deal row, so a crash can neither lose nor repeat it.

CREATE TABLE alert_episodes (
  rule TEXT NOT NULL,
  asin TEXT NOT NULL,
  -- Counts the rule's episodes for this ASIN; never reused, so (rule, asin, episode) is unique.
  episode INTEGER NOT NULL,
  matching INTEGER NOT NULL CHECK (matching IN (0, 1)),
  -- The deal row's first_seen_at when the episode started: a deal the janitor deleted and
  -- discovery found again is a new deal.
  deal_first_seen_at INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  PRIMARY KEY (rule, asin)
);

CREATE TABLE alert_outbox (
  -- The idempotency key: rule:ASIN:episode for deals, status:episode:verdict for status alerts.
  id TEXT NOT NULL,
  -- The rule whose destination receives the message (status alerts go to every rule's destination).
  destination TEXT NOT NULL,
  rule TEXT NOT NULL,
  asin TEXT,
  -- 'stale': the data is older than alerts.freshMinutes; waits for a refresh of the deal.
  -- 'dropped': the deal stopped matching before the message could be sent.
  state TEXT NOT NULL CHECK (state IN ('pending', 'stale', 'delivered', 'parked', 'dropped')),
  -- The generic webhook body (JSON); the destination's format is applied when it is sent.
  payload TEXT NOT NULL,
  -- When the deal's data was fetched from Keepa (epoch ms); null for status alerts.
  fetched_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try_at INTEGER NOT NULL,
  -- What the destination answered last ('204', 'NetworkError: ...'), without its URL.
  last_answer TEXT,
  delivered_at INTEGER,
  PRIMARY KEY (id, destination)
);
CREATE INDEX alert_outbox_due ON alert_outbox (state, next_try_at);
CREATE INDEX alert_outbox_created ON alert_outbox (created_at);
