import { estimateTotalEvents } from '#event-store/log-progress';
import { sql } from 'kysely';
import type { EventStore } from '#event-store/event-store.port';
import type { ReadModelDatabase } from './database';
import { LEDGER_PROJECTION, Projector, readCheckpoint, writeCheckpoint } from './projector';
import { createProjectedTables, createSecondaryIndexes } from './live-tables';
import { PROJECTED_TABLES } from './tables';

/**
 * Rows a rebuild keeps in memory before writing them out. Measured on 1 M events: 400,000 rows
 * peaked at 873 MB RSS (about 2 KB of heap per cached row, garbage included), over the 512 MB
 * target; see docs/benchmarks.md for the figures at this default.
 */
export const DEFAULT_WRITE_BACK_ROWS = 100_000;

export interface RebuildProgress {
  /** Events read so far. */
  readonly events: number;
  /** Estimated events in the log, from the share of it read so far (positions are not counts). */
  readonly total: number;
  readonly eventsPerSecond: number;
  /** Seconds left at the current rate (undefined until there is a rate). */
  readonly etaSeconds: number | undefined;
}

export interface RebuildResult {
  readonly position: bigint;
  readonly events: number;
  readonly seconds: number;
}

/**
 * Rebuilds every read model from position 0 into fresh tables, then swaps them in, in one
 * transaction, with their checkpoint. Readers see the old tables until the swap and the new
 * ones after: never a half-built model. A projector running meanwhile keeps serving the old
 * tables and, after the swap, carries on from the rebuilt checkpoint.
 */
export async function rebuildReadModels(
  store: EventStore,
  database: ReadModelDatabase,
  options: {
    batchSize?: number;
    onProgress?: (progress: RebuildProgress) => void;
    clock?: () => number;
    /** Rows kept in memory and written once (default `DEFAULT_WRITE_BACK_ROWS`; 0: none, every batch reads and writes its rows). */
    writeBackRows?: number;
  } = {},
): Promise<RebuildResult> {
  const clock = options.clock ?? (() => performance.now());
  const generation = `r${Date.now().toString(36)}`;
  const suffix = `__${generation}`;
  const name = `${LEDGER_PROJECTION}${suffix}`;
  const db = database.db;
  const started = clock();
  await createProjectedTables(db, suffix, generation, { indexes: false });
  try {
    const head = await store.headPosition();
    // The rebuild's tables are read by nobody until the swap, so their rows can stay in memory
    // between batches and be written once (measured: docs/benchmarks.md, projection rebuild).
    const writeBackRows = options.writeBackRows ?? DEFAULT_WRITE_BACK_ROWS;
    const projector = new Projector(store, database, {
      name,
      suffix,
      batchSize: options.batchSize ?? 5000,
      writeBackRows: writeBackRows > 0 ? writeBackRows : undefined,
    });
    let events = 0;
    await projector.catchUp((progress) => {
      events += progress.events;
      const total = estimateTotalEvents(events, progress.position, head);
      const seconds = (clock() - started) / 1000;
      const rate = seconds > 0 ? events / seconds : 0;
      options.onProgress?.({ events, total, eventsPerSecond: rate, etaSeconds: rate > 0 ? Math.max(0, (total - events) / rate) : undefined });
    });
    await projector.flush();
    await createSecondaryIndexes(db, suffix, generation);
    // Events appended while the indexes were built.
    const position = await projector.catchUp();
    await projector.flush();
    await db.transaction().execute(async (trx) => {
      for (const table of PROJECTED_TABLES) {
        await trx.schema.dropTable(table).ifExists().execute();
        await trx.schema.alterTable(`${table}${suffix}`).renameTo(table).execute();
      }
      await writeCheckpoint(trx, LEDGER_PROJECTION, await readCheckpoint(trx, name));
      await trx.deleteFrom('projection_checkpoints').where('projection', '=', name).execute();
    });
    return { position, events, seconds: (clock() - started) / 1000 };
  } catch (error) {
    // Leave the live tables as they were; remove what the failed rebuild made.
    for (const table of PROJECTED_TABLES) await db.schema.dropTable(`${table}${suffix}`).ifExists().execute();
    await db.deleteFrom('projection_checkpoints').where('projection', '=', name).execute();
    throw error;
  }
}

/** Rebuild tables left behind by a rebuild that crashed before its swap. */
export async function dropAbandonedRebuilds(database: ReadModelDatabase): Promise<string[]> {
  const names =
    database.dialect === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_\\_r%' ESCAPE '\\'`.execute(database.db)).rows
      : (
          await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '%\\_\\_r%'`.execute(
            database.db,
          )
        ).rows;
  const abandoned = names.map((r) => r.name).filter((n) => PROJECTED_TABLES.some((t) => n.startsWith(`${t}__r`)));
  for (const table of abandoned) await database.db.schema.dropTable(table).ifExists().execute();
  return abandoned;
}
