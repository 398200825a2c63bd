// deal_evidence: one JSON per saved deal with what its page needs to explain the columns (see
// src/pipeline/evidence.ts), and its sales in the last year, which the desk filters and sorts on.
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface StoredEvidence {
  analyzedAt: number;
  salesYear: number;
  json: string;
}

export class EvidenceStore {
  private readonly saveStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly offersStmt: Database.Statement;

  constructor(db: Db) {
    this.saveStmt = db.prepare(`INSERT INTO deal_evidence (asin, analyzed_at, sales_year, evidence_json) VALUES (?, ?, ?, ?)
      ON CONFLICT(asin) DO UPDATE SET analyzed_at = excluded.analyzed_at, sales_year = excluded.sales_year, evidence_json = excluded.evidence_json`);
    this.offersStmt = db.prepare("UPDATE deal_evidence SET evidence_json = json_set(evidence_json, '$.offers', json(?), '$.offersAt', ?) WHERE asin = ?");
    this.getStmt = db.prepare('SELECT analyzed_at, sales_year, evidence_json FROM deal_evidence WHERE asin = ?');
  }

  /** The deal row must be saved first (the evidence belongs to it and goes when it goes). */
  save(asin: string, salesYear: number, json: string, nowMs: number): void {
    this.saveStmt.run(asin, nowMs, salesYear, json);
  }

  /** A light refresh saw new live offers; the rest of the evidence stays from the analysis. */
  updateOffers(asin: string, offersJson: string, nowMs: number): void {
    this.offersStmt.run(offersJson, nowMs, asin);
  }

  find(asin: string): StoredEvidence | null {
    const r = this.getStmt.get(asin) as Record<string, unknown> | undefined;
    if (r === undefined) return null;
    return { analyzedAt: Number(r.analyzed_at), salesYear: Number(r.sales_year), json: String(r.evidence_json) };
  }
}
