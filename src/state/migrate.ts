// Numbered SQL migrations from migrations/, applied in order. Each one records itself first,
// inside its own transaction, so two starts can never apply it twice.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_NAME = /^(\d+)_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const m = FILE_NAME.exec(file);
      if (!m?.[1] || !m[2]) throw new ConfigError(`Migration file ${join(dir, file)} must be named NNN_name.sql.`);
      return { version: Number(m[1]), name: m[2], sql: readFileSync(join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new ConfigError(`Migrations in ${dir} must be numbered 1, 2, 3... without gaps; found ${m.version} at position ${i + 1}.`);
  });
  return migrations;
}

/** Applies what is missing; returns the versions applied now. */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[], nowMs: number): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const current = Number(db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get());
  const latest = migrations.length;
  if (current > latest) {
    throw new ConfigError(`The database is at schema version ${current} but this keepa-deals knows only up to ${latest}; it was written by a newer release. Upgrade keepa-deals or restore a backup made by this release.`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      record.run(m.version, m.name, nowMs);
      db.exec(m.sql);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
