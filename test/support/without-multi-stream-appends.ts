import type { EventStore } from '#event-store/event-store.port';

/**
 * The same store without `appendToStreams`, as EventStoreDB (no multi-stream transactions)
 * presents itself: reservations are then appended before the ledger events, not with them.
 */
export function withoutMultiStreamAppends(store: EventStore): EventStore {
  return {
    readStream: (name, options) => store.readStream(name, options),
    appendToStream: (name, expected, events) => store.appendToStream(name, expected, events),
    readAll: (options) => store.readAll(options),
    headPosition: () => store.headPosition(),
    ...(store.onAppended && { onAppended: (listener: (appends: number) => void) => store.onAppended!(listener) }),
    close: () => store.close(),
  };
}
