import type Database from 'better-sqlite3';

/**
 * Row-at-a-time reads and writes for SQLite with cached prepared statements, used by the
 * projector inside its Kysely transaction (same connection, so the same transaction).
 *
 * Why not Kysely here: a multi-row INSERT built by Kysely is compiled on every batch and
 * SQLite prepares a statement with tens of thousands of parameters each time; measured on a
 * 100k-event rebuild that was ~4 of 7.5 s. A cached statement per table runs each row in a
 * few microseconds. Kysely still owns the schema, migrations, transactions and every query
 * the API and reports run, and PostgreSQL writes (where round trips, not parsing, cost).
 */
export class SqliteBulk {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly database: Database.Database) {}

  /** Rows whose single-column key is in `keys`. */
  selectByKey(table: string, column: string, keys: readonly string[]): unknown[] {
    const statement = this.statement(`select:${table}:${column}`, () => `SELECT * FROM "${table}" WHERE "${column}" = ?`);
    const out: unknown[] = [];
    for (const key of keys) {
      const row = statement.get(key);
      if (row !== undefined) out.push(row);
    }
    return out;
  }

  /** Every row whose `column` is one of `keys` and which meets `condition` (literal SQL of this code's own, never input). */
  selectAllByKey(table: string, column: string, keys: readonly string[], condition: string): unknown[] {
    const statement = this.statement(`select-all:${table}:${column}:${condition}`, () => `SELECT * FROM "${table}" WHERE "${column}" = ? AND ${condition}`);
    const out: unknown[] = [];
    for (const key of keys) out.push(...statement.all(key));
    return out;
  }

  /** Rows whose composite key is one of `keys` (parts joined by NUL, in `columns` order). */
  selectByTuple(table: string, columns: readonly string[], keys: readonly string[]): unknown[] {
    const where = columns.map((c) => `"${c}" = ?`).join(' AND ');
    const statement = this.statement(`select:${table}:${columns.join(',')}`, () => `SELECT * FROM "${table}" WHERE ${where}`);
    const out: unknown[] = [];
    for (const key of keys) {
      const row = statement.get(...key.split('\u0000'));
      if (row !== undefined) out.push(row);
    }
    return out;
  }

  /** Inserts rows, or on a key conflict updates every other column (or, without `update`, keeps the row). */
  write(table: string, key: readonly string[], rows: readonly Record<string, unknown>[], update: boolean): void {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const statement = this.statement(`write:${table}:${update}:${columns.join(',')}`, () => {
      const names = columns.map((c) => `"${c}"`).join(', ');
      const values = columns.map(() => '?').join(', ');
      const others = columns.filter((c) => !key.includes(c));
      const conflict =
        update && others.length > 0
          ? `ON CONFLICT (${key.map((k) => `"${k}"`).join(', ')}) DO UPDATE SET ${others.map((c) => `"${c}" = excluded."${c}"`).join(', ')}`
          : 'ON CONFLICT DO NOTHING';
      return `INSERT INTO "${table}" (${names}) VALUES (${values}) ${conflict}`;
    });
    for (const row of rows) statement.run(...columns.map((c) => row[c]));
  }

  private statement(id: string, sql: () => string): Database.Statement {
    let statement = this.statements.get(id);
    if (statement === undefined) {
      statement = this.database.prepare(sql());
      this.statements.set(id, statement);
    }
    return statement;
  }
}
