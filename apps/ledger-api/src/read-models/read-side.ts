import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '#event-store/event-store.port';
import type { ReadModelDatabase } from '#read-models/database';
import { LEDGER_PROJECTION, Projector, readCheckpoint } from '#read-models/projector';
import { migrate } from '#read-models/migrator';
import type { LedgerConfig } from '#runtime/config';
import { httpProblem, positionBeyondHeadProblem, ProblemException } from '../http/problem';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/ledger.module';

export const READ_MODELS = Symbol('READ_MODELS');

/** How long a query with `minPosition` waits for the projection before answering 503. */
export const READ_YOUR_WRITES_WAIT_MS = 5_000;

/**
 * The read side: the read-model database (SQLite file by default, PostgreSQL when
 * LEDGER_READ_DB_URL is set), migrated at start-up, and, unless LEDGER_PROJECTOR=off, the
 * projector running inside the API, woken by every local append.
 */
@Injectable()
export class ReadSide implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReadSide');
  readonly projector: Projector;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(READ_MODELS) readonly database: ReadModelDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.projector = new Projector(store, database);
  }

  async onApplicationBootstrap(): Promise<void> {
    await migrate(this.database.db);
    if (this.config.projector === 'off') return;
    this.unsubscribe = this.store.onAppended?.(() => this.projector.notify());
    this.projector.start();
    this.logger.log(`projector running inline (${this.database.dialect})`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.projector.stop();
    await this.database.close();
  }

  checkpoint(): Promise<bigint> {
    return readCheckpoint(this.database.db, LEDGER_PROJECTION);
  }

  /**
   * Read-your-writes: resolves once the projection has reached `position`, or ends the request
   * with 503 and Retry-After after a bounded wait. A position beyond the store's head names a
   * write that has not happened (a client's mistake, not a lagging projection): 400 at once.
   */
  async reach(position: bigint | undefined): Promise<void> {
    if (position === undefined) return;
    if ((await this.checkpoint()) >= position) return;
    // Every acknowledged append is at or below the store's head, whichever replica wrote it.
    const head = await this.store.headPosition();
    if (position > head) throw new ProblemException(positionBeyondHeadProblem(head));
    const deadline = Date.now() + READ_YOUR_WRITES_WAIT_MS;
    while ((await this.checkpoint()) < position) {
      if (Date.now() >= deadline) {
        throw new ProblemException({
          ...httpProblem(503, 'Projection behind', `The read models have not reached position ${position} yet; retry shortly.`),
          retryAfterSeconds: 1,
        });
      }
      await this.progressOrTimeout(Math.min(50, Math.max(1, deadline - Date.now())));
    }
  }

  private progressOrTimeout(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const off = this.projector.onProgress(done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}
