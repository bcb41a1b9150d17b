import { Logger } from '@nestjs/common';
import { StoreUnavailableError, type EventStore, type StoreFailureReason } from '#event-store/event-store.port';

/**
 * Whether the store takes writes now, as the last write said: failing from a write the store
 * refused as unavailable (full, locked, I/O, unreachable) until one succeeds (an append, or the
 * readiness probe's `probeWrite`). Readiness answers 503 while failing; `/metrics` counts each failure by reason.
 */
export class StoreWriteHealth {
  private readonly logger = new Logger('EventStore');
  private current: { readonly reason: StoreFailureReason; readonly since: Date } | undefined;
  private readonly listeners = new Set<(reason: StoreFailureReason) => void>();

  get failing(): { readonly reason: StoreFailureReason; readonly since: Date } | undefined {
    return this.current;
  }

  failed(error: StoreUnavailableError): void {
    for (const listener of this.listeners) listener(error.reason);
    if (this.current !== undefined) return;
    this.current = { reason: error.reason, since: new Date() };
    this.logger.error(`event store writes are failing (${error.reason}): ${error.message}`);
  }

  succeeded(): void {
    if (this.current === undefined) return;
    this.logger.log(`event store writes work again (they failed with ${this.current.reason} since ${this.current.since.toISOString()})`);
    this.current = undefined;
  }

  onFailure(listener: (reason: StoreFailureReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches a promise of a write: an answer (even a conflict) is a working store, an unavailable store's rejection a failure. */
  watch<T>(write: Promise<T>): Promise<T> {
    return write.then(
      (value) => {
        this.succeeded();
        return value;
      },
      (error: unknown) => {
        if (error instanceof StoreUnavailableError) this.failed(error);
        throw error;
      },
    );
  }
}

/** The store as the API uses it: every write (and write probe) reports to `health`; the rest is the store itself. */
export function monitoredStore(store: EventStore, health: StoreWriteHealth): EventStore {
  const appendToStreams = store.appendToStreams?.bind(store);
  const probeWrite = store.probeWrite?.bind(store);
  const onAppended = store.onAppended?.bind(store);
  const subscribeToAll = store.subscribeToAll?.bind(store);
  return {
    readStream: (streamName, options) => store.readStream(streamName, options),
    appendToStream: (streamName, expected, events) => health.watch(store.appendToStream(streamName, expected, events)),
    ...(appendToStreams && { appendToStreams: (appends) => health.watch(appendToStreams(appends)) }),
    ...(probeWrite && { probeWrite: () => health.watch(probeWrite()) }),
    readAll: (options) => store.readAll(options),
    ...(onAppended && { onAppended }),
    ...(subscribeToAll && { subscribeToAll }),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}
