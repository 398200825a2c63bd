-- A deal that reappears in Keepa's deal list while its full analysis is recent is refreshed
-- (live offers, 6 tokens) instead of analysed again with history: this flag puts it first in line.
ALTER TABLE deals ADD COLUMN refresh_due INTEGER NOT NULL DEFAULT 0;
