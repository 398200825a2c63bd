-- Prometheus counters that must survive restarts and the pruning of old runs: deals saved, tokens
-- consumed, Keepa requests, runs by outcome, the run-duration histogram. `labels` is the JSON
-- object of the sample's labels, keys sorted.
CREATE TABLE metric_counters (
  name TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  value REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (name, labels)
);

-- Seeded from the run history so far, so that an upgrade does not restart them at zero.
INSERT INTO metric_counters (name, labels, value)
  SELECT 'deals_saved_total', '{}', COALESCE(SUM(json_extract(funnel, '$.saved')), 0) FROM runs;
INSERT INTO metric_counters (name, labels, value)
  SELECT 'keepa_tokens_consumed_total', json_object('job', job), SUM(tokens_spent) FROM runs GROUP BY job;
INSERT INTO metric_counters (name, labels, value)
  SELECT 'runs_total', json_object('job', job, 'outcome', outcome), COUNT(*) FROM runs WHERE outcome != 'running' GROUP BY job, outcome;

-- The janitor deletes finished queue items by stage and age (pipeline.historyDays).
CREATE INDEX queue_stage_updated ON queue (stage, updated_at);
