// The synchronous SQL surface shared by a Durable Object's ctx.storage.sql and Node's node:sqlite.
export type SqlValue = string | number | null | Uint8Array;
export type SqlRow = Record<string, SqlValue>;

export interface SqlStore {
  /** Runs one statement; returns its rows (BLOBs as Uint8Array). */
  exec(query: string, ...params: SqlValue[]): SqlRow[];
  /** Runs fn atomically: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;
}

/** Durable Object SQLite rows are at most 2 MB: larger blobs are stored in parts of this size. */
export const BLOB_PART_BYTES = 1 << 20;

export const RUN_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS run (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL, error TEXT,
     total_steps INTEGER NOT NULL, progress TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS blob (run_id TEXT NOT NULL, name TEXT NOT NULL, part INTEGER NOT NULL, bytes BLOB NOT NULL,
     PRIMARY KEY (run_id, name, part))`,
];

export function ensureRunSchema(sql: SqlStore): void {
  for (const q of RUN_SCHEMA) sql.exec(q);
}

/** Replaces a named blob of a run (call inside a transaction to make it atomic with other writes). */
export function writeBlob(sql: SqlStore, runId: string, name: string, bytes: Uint8Array): void {
  sql.exec('DELETE FROM blob WHERE run_id = ? AND name = ?', runId, name);
  for (let part = 0, at = 0; at < bytes.length || part === 0; part++, at += BLOB_PART_BYTES) {
    sql.exec('INSERT INTO blob (run_id, name, part, bytes) VALUES (?, ?, ?, ?)', runId, name, part, bytes.subarray(at, at + BLOB_PART_BYTES));
  }
}

export function readBlob(sql: SqlStore, runId: string, name: string): Uint8Array | null {
  const rows = sql.exec('SELECT bytes FROM blob WHERE run_id = ? AND name = ? ORDER BY part', runId, name);
  if (rows.length === 0) return null;
  const parts = rows.map((r) => r.bytes as Uint8Array);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
