import type { Kysely } from 'kysely';
import type { AllSubscription, EventStore, RecordedEvent } from '#event-store/event-store.port';
import { CatchUpLoop, Pause } from './catch-up-loop';
import { projectBatch } from '#projections/project-batch';
import { toProjected, type LedgerEvent, type Projected } from '#projections/projected-event';
import type { ReadModelDatabase } from './database';
import { LedgerReadModelStore } from './ledger-read-model-store';
import { positionFromText, positionText, type ReadModelTables } from './tables';

/** The projection that maintains every projected table (`PROJECTED_TABLES` in `tables.ts`). */
export const LEDGER_PROJECTION = 'ledger-read-models';

export interface ProjectorOptions {
  /** Checkpoint name; a rebuild uses its own until it swaps in. */
  readonly name?: string;
  /** Table-name suffix (a rebuild's tables). */
  readonly suffix?: string;
  /** Events read and applied per transaction. */
  readonly batchSize?: number;
  /** Poll interval when nothing wakes the projector (appends by other processes). */
  readonly pollIntervalMs?: number;
  /** After being woken, wait this long for more appends before projecting (default 25 ms). */
  readonly gatherMs?: number;
  /**
   * Rebuilds only: keep up to this many rows in memory across batches and write them on
   * `flush()` (see `WriteBackCache` in `ledger-read-model-store.ts`). The tables lag the
   * checkpoint until then, so never for tables anyone reads.
   */
  readonly writeBackRows?: number;
}

export interface ProjectorProgress {
  readonly position: bigint;
  readonly events: number;
}

/**
 * The checkpoint moved under us (a rebuild swapped in, a second projector or reaction runner
 * ran): re-read it. Thrown inside the checkpoint's transaction to roll it back.
 */
export class CheckpointMoved extends Error {}

/**
 * Reads the event log after its checkpoint, in global order, and applies each batch to the
 * read models and the checkpoint in ONE transaction. The checkpoint is compared inside that
 * transaction before it is moved (compare-and-set), so a crash anywhere, a second projector or
 * a repeated delivery can never apply an event twice: exactly-once effect.
 */
export class Projector {
  readonly name: string;
  private readonly rows: LedgerReadModelStore;
  private readonly batchSize: number;
  private readonly gatherMs: number;
  /** Stores that do not push: poll `readAll`, woken early by local appends. */
  private readonly polling: CatchUpLoop;
  /** Stores that push: the subscription loop, while it runs. */
  private following: Promise<void> | undefined;
  private stopping = false;
  private readonly pause = new Pause();
  private readonly listeners = new Set<(progress: ProjectorProgress) => void>();
  private lastError: unknown;
  /** The open subscription (stores that push) and the position its next event follows. */
  private feed: { subscription: AllSubscription; cursor: bigint } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly database: ReadModelDatabase,
    options: ProjectorOptions = {},
  ) {
    this.name = options.name ?? LEDGER_PROJECTION;
    this.rows = new LedgerReadModelStore(options.suffix ?? '', database.maxParameters, database.bulk, options.writeBackRows);
    this.batchSize = options.batchSize ?? 1000;
    this.gatherMs = options.gatherMs ?? 25;
    // Gather what arrives for a moment before the next batch: under load, one transaction per
    // few milliseconds of appends instead of one per commit. Lag stays in milliseconds.
    this.polling = new CatchUpLoop(() => this.step(), { pollIntervalMs: options.pollIntervalMs ?? 500, gatherMs: this.gatherMs });
  }

  async checkpoint(): Promise<bigint> {
    return readCheckpoint(this.database.db, this.name);
  }

  /** Projects one batch. Returns how many events were read (0: caught up). */
  async step(): Promise<number> {
    for (;;) {
      const from = await this.checkpoint();
      const page = await this.store.readAll({ after: from, maxCount: this.batchSize });
      if (page.length === 0) return 0;
      if (await this.apply(from, page)) return page.length;
    }
  }

  /**
   * Applies a page of events that directly follows `from`, with the checkpoint, in one
   * transaction. False when the checkpoint was no longer at `from` (nothing applied).
   */
  private async apply(from: bigint, page: readonly RecordedEvent[]): Promise<boolean> {
    const projected = page.map(toProjected).filter((p): p is Projected<LedgerEvent> => p !== undefined);
    const to = page[page.length - 1]!.position;
    try {
      await this.database.db.transaction().execute(async (trx) => {
        // First statement of the transaction: it takes the checkpoint row's write lock, so two
        // projectors are serialised here and the loser sees the row moved (PostgreSQL re-checks
        // the WHERE on the committed row; SQLite takes its write lock before reading anything).
        if (!(await advanceCheckpoint(trx, this.name, from, to))) throw new CheckpointMoved();
        if (projected.length > 0) {
          const loaded = await this.rows.load(trx, projected);
          await this.rows.write(trx, projectBatch(loaded, projected));
        }
      });
    } catch (error) {
      // With a write-back cache the batch's rows are already in memory: it cannot simply be retried.
      if (error instanceof CheckpointMoved && !this.rows.writesBack) return false;
      if (error instanceof CheckpointMoved)
        throw new Error(`the checkpoint of ${this.name} moved under its write-back cache: another process wrote its tables`);
      throw error;
    }
    for (const listener of this.listeners) listener({ position: to, events: page.length });
    return true;
  }

  /** Writes what a write-back cache holds (see `writeBackRows`); a no-op without one. */
  async flush(): Promise<void> {
    if (!this.rows.writesBack) return;
    await this.database.db.transaction().execute((trx) => this.rows.flush(trx));
  }

  /** Projects until the log is exhausted. */
  async catchUp(onProgress?: (progress: ProjectorProgress) => void): Promise<bigint> {
    for (;;) {
      const read = await this.step();
      const position = await this.checkpoint();
      if (read === 0) return position;
      onProgress?.({ position, events: read });
    }
  }

  /** Runs in the background: catches up, then waits to be woken (or polls). */
  start(): void {
    if (this.store.subscribeToAll === undefined) return this.polling.start();
    if (this.following !== undefined) return;
    this.stopping = false;
    this.following = this.followSubscription();
  }

  /** Ask for a catch-up now (called after local appends; a subscription needs no asking). */
  notify(): void {
    this.polling.notify();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.wake();
    await this.feed?.subscription.close();
    await this.following;
    this.following = undefined;
    await this.polling.stop();
  }

  onProgress(listener: (progress: ProjectorProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last error the background loop met (it retries); undefined when healthy. */
  get health(): { ok: boolean; error?: string } {
    if (this.store.subscribeToAll === undefined) return this.polling.health;
    return this.lastError === undefined
      ? { ok: true }
      : { ok: false, error: this.lastError instanceof Error ? this.lastError.message : String(this.lastError) };
  }

  /**
   * For stores that push (EventStoreDB): a catch-up subscription from the checkpoint instead of
   * polling. Each batch is applied with a compare-and-set of the checkpoint as in `step`; when the
   * checkpoint moved under us (a rebuild swapped in, another projector ran) or the subscription
   * dropped, it resubscribes from the stored checkpoint, with backoff on errors.
   */
  private async followSubscription(): Promise<void> {
    const subscribe = this.store.subscribeToAll!.bind(this.store);
    let backoff = 100;
    while (!this.stopping) {
      try {
        const from = await this.checkpoint();
        if (this.feed === undefined || this.feed.cursor !== from) {
          await this.feed?.subscription.close();
          this.feed = { subscription: subscribe({ after: from }), cursor: from };
          if (this.stopping) break;
        }
        const page = await this.feed.subscription.next(this.batchSize, this.gatherMs);
        if (page.length === 0) continue;
        if (await this.apply(from, page)) this.feed.cursor = page[page.length - 1]!.position;
        else this.feed.cursor = -1n; // moved under us: resubscribe from the stored checkpoint
        this.lastError = undefined;
        backoff = 100;
      } catch (error) {
        this.lastError = error;
        await this.feed?.subscription.close().catch(() => undefined);
        this.feed = undefined;
        await this.pause.for(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    await this.feed?.subscription.close();
    this.feed = undefined;
  }
}

export async function readCheckpoint(db: Kysely<ReadModelTables>, name: string): Promise<bigint> {
  const row = await db.selectFrom('projection_checkpoints').select('position').where('projection', '=', name).executeTakeFirst();
  return row === undefined ? 0n : positionFromText(row.position);
}

/** Moves the checkpoint from `from` to `to` if, and only if, it is still at `from` (compare-and-set). */
export async function advanceCheckpoint(db: Kysely<ReadModelTables>, name: string, from: bigint, to: bigint): Promise<boolean> {
  const now = new Date().toISOString();
  if (from === 0n) {
    const inserted = await db
      .insertInto('projection_checkpoints')
      .values({ projection: name, position: positionText(to), updated_at: now })
      .onConflict((oc) => oc.column('projection').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
  }
  const updated = await db
    .updateTable('projection_checkpoints')
    .set({ position: positionText(to), updated_at: now })
    .where('projection', '=', name)
    .where('position', '=', positionText(from))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function writeCheckpoint(db: Kysely<ReadModelTables>, name: string, position: bigint): Promise<void> {
  await db
    .insertInto('projection_checkpoints')
    .values({ projection: name, position: positionText(position), updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('projection').doUpdateSet({ position: positionText(position), updated_at: new Date().toISOString() }))
    .execute();
}
