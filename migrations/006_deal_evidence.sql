-- What the deals desk shows beside a deal's columns, kept from the analysis that produced them:
-- the inferred sales, the used price and rank history, the live offers and the cost settings,
-- as one compact JSON per deal (see src/pipeline/evidence.ts). Written in the same chunk commit
-- as the deal row and deleted with it.
CREATE TABLE deal_evidence (
  asin TEXT PRIMARY KEY REFERENCES deals ("ASIN") ON DELETE CASCADE,
  analyzed_at INTEGER NOT NULL,
  -- Inferred sales in the 365 days before the analysis: the desk's "sales per year".
  sales_year INTEGER NOT NULL,
  evidence_json TEXT NOT NULL
);
-- Covers the desk's join for sales per year without reading the JSON's pages.
CREATE INDEX deal_evidence_sales_year ON deal_evidence (asin, sales_year);
-- Tokens spent fetching each item (its share of each chunk's cost), for `bin/why`.
ALTER TABLE queue ADD COLUMN tokens_spent REAL NOT NULL DEFAULT 0;
