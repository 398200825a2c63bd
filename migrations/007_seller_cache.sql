-- Seller records answered by Keepa's /seller, reused for pipeline.sellerCacheDays: a seller's name
-- and rating change slowly, and at 20 tokens/min half of the lookups asked again for a seller
-- already known (docs/tokens.md, "Seller lookups"). A row is overwritten by every new answer.
CREATE TABLE seller_cache (
  seller_id TEXT PRIMARY KEY,
  seller_json TEXT NOT NULL,
  fetched_at INTEGER NOT NULL
);
