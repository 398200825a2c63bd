-- When an item's product was last fetched with history and analysed. A deal that reappears in
-- Keepa's list soon after is not analysed again: its history has not changed (no repeats).
ALTER TABLE queue ADD COLUMN analyzed_at INTEGER;
