// SqlStore on a Durable Object's SQLite storage (ctx.storage.sql); transactions via transactionSync.
import type { SqlRow, SqlStore, SqlValue } from '../api/run/sql_store';

export function durableObjectSql(storage: DurableObjectStorage): SqlStore {
  return {
    exec(query: string, ...params: SqlValue[]): SqlRow[] {
      const rows = storage.sql.exec(query, ...params).toArray() as Record<string, SqlStorageValue>[];
      // BLOBs come back as ArrayBuffer; the shared code reads Uint8Array.
      return rows.map((r) => {
        const out: SqlRow = {};
        for (const [k, v] of Object.entries(r)) out[k] = v instanceof ArrayBuffer ? new Uint8Array(v) : (v as SqlValue);
        return out;
      });
    },
    transaction<T>(fn: () => T): T {
      return storage.transactionSync(fn);
    },
  };
}
