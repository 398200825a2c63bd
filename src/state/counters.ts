// Counters for /metrics kept in the database, so that they only ever grow: a restart, or the
// retention that deletes old runs, must not look like a reset to Prometheus' rate().
import type Database from 'better-sqlite3';

type Db = Database.Database;

export type Labels = Record<string, string>;

export interface CounterSample {
  name: string;
  labels: Labels;
  value: number;
}

/** Upper bounds of the run-duration histogram, in seconds (maxRunSeconds defaults to 240). */
export const RUN_DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 240, 600] as const;

const labelKey = (labels: Labels): string => JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));

export class Counters {
  private readonly addStmt: Database.Statement;
  private readonly allStmt: Database.Statement;

  constructor(db: Db) {
    this.addStmt = db.prepare('INSERT INTO metric_counters (name, labels, value) VALUES (?, ?, ?) ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value');
    this.allStmt = db.prepare('SELECT name, labels, value FROM metric_counters ORDER BY name, labels');
  }

  add(name: string, labels: Labels, delta: number): void {
    if (!Number.isFinite(delta)) return;
    this.addStmt.run(name, labelKey(labels), delta);
  }

  /** One observation of a Prometheus histogram: its cumulative buckets, sum and count. */
  observe(name: string, labels: Labels, value: number, buckets: readonly number[]): void {
    for (const le of buckets) this.add(`${name}_bucket`, { ...labels, le: String(le) }, value <= le ? 1 : 0);
    this.add(`${name}_bucket`, { ...labels, le: '+Inf' }, 1);
    this.add(`${name}_sum`, labels, value);
    this.add(`${name}_count`, labels, 1);
  }

  all(): CounterSample[] {
    return this.allStmt.all().map((r) => {
      const o = r as { name: string; labels: string; value: number };
      return { name: o.name, labels: JSON.parse(o.labels) as Labels, value: o.value };
    });
  }
}
