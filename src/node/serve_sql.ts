// SqlStore on Node's built-in node:sqlite (Node 22): the same tables a run Durable Object keeps, in one local file.
import type { DatabaseSync } from 'node:sqlite';
import type { SqlRow, SqlStore, SqlValue } from '../api/run/sql_store';

/**
 * node:sqlite is loaded on first use, not at import: the CLI imports this module for `serve`, and a static import
 * would print Node's "SQLite is an experimental feature" warning on every `train` and `sweep` too.
 */
function loadSqlite(): typeof import('node:sqlite') {
  return process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
}

export function openSqlFile(path: string): { sql: SqlStore; close: () => void } {
  const db = new (loadSqlite().DatabaseSync)(path);
  // WAL: readers (GET /v1/runs/:id) never wait for a chunk's commit.
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepare = (q: string) => {
    let s = statements.get(q);
    if (!s) {
      s = db.prepare(q);
      statements.set(q, s);
    }
    return s;
  };
  const sql: SqlStore = {
    exec(query: string, ...params: SqlValue[]): SqlRow[] {
      if (/^\s*(CREATE|PRAGMA)/i.test(query)) {
        db.exec(query);
        return [];
      }
      const statement = prepare(query);
      if (/^\s*SELECT/i.test(query)) return statement.all(...params) as SqlRow[];
      statement.run(...params);
      return [];
    },
    transaction<T>(fn: () => T): T {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = fn();
        db.exec('COMMIT');
        return result;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
  };
  return { sql, close: () => db.close() };
}
