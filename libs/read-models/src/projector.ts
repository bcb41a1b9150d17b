import type { Kysely } from 'kysely';
import type { AllSubscription, EventStore, RecordedEvent } from '../../event-store/src/event-store.port';
import { projectBatch } from '../../projections/src/ledger-read-models';
import { toProjected, type LedgerEvent, type Projected } from '../../projections/src/projected-event';
import type { ReadModelDatabase } from './database';
import { LedgerReadModelStore } from './ledger-read-model-store';
import { positionFromText, positionText, type ReadModelTables } from './schema';

/** The projection that maintains every table in `schema.ts`. */
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
}

export interface ProjectorProgress {
  readonly position: bigint;
  readonly events: number;
}

/** The checkpoint moved under us (a rebuild swapped in, or a second projector ran): re-read it. */
class CheckpointMoved extends Error {}

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
  private readonly pollIntervalMs: number;
  private readonly gatherMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private woken = false;
  private timer: NodeJS.Timeout | undefined;
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
    this.rows = new LedgerReadModelStore(options.suffix ?? '', database.maxParameters, database.bulk);
    this.batchSize = options.batchSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.gatherMs = options.gatherMs ?? 25;
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
      if (error instanceof CheckpointMoved) return false;
      throw error;
    }
    for (const listener of this.listeners) listener({ position: to, events: page.length });
    return true;
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
    if (this.running !== undefined) return;
    this.stopping = false;
    this.running = this.store.subscribeToAll !== undefined ? this.followSubscription() : this.loop();
  }

  /** Ask for a catch-up now (called after local appends). */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.feed?.subscription.close();
    await this.running;
    this.running = undefined;
  }

  onProgress(listener: (progress: ProjectorProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last error the background loop met (it retries); undefined when healthy. */
  get health(): { ok: boolean; error?: string } {
    return this.lastError === undefined ? { ok: true } : { ok: false, error: this.lastError instanceof Error ? this.lastError.message : String(this.lastError) };
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    while (!this.stopping) {
      try {
        this.woken = false;
        while (!this.stopping && (await this.step()) > 0) {
          /* keep going until caught up */
        }
        this.lastError = undefined;
        backoff = 100;
        if (!this.woken) await this.sleep(this.pollIntervalMs);
        // Gather what arrives for a moment before the next batch: under load, one transaction
        // per few milliseconds of appends instead of one per commit. Lag stays in milliseconds.
        if (this.gatherMs > 0 && !this.stopping) await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
      } catch (error) {
        // Keep the service up and retry: the events are safe in the store and nothing half-applied.
        this.lastError = error;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
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
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    await this.feed?.subscription.close();
    this.feed = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.timer = setTimeout(() => this.wake?.(), ms);
    });
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
