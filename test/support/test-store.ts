import { join } from 'node:path';
import type { EventStore } from '#event-store/event-store.port';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { EsdbEventStore } from '#event-store/eventstoredb/esdb-event-store';
import type { LedgerConfig } from '#runtime/config';
import { startEsdbTestServer, type EsdbTestServer } from './esdb-test-server';
import { STREAM_PREFIX } from '#runtime/streams';

/**
 * Which store of record the integration suites run on. `npm test` runs them on the embedded
 * store, and again on EventStoreDB through the real client over real gRPC: against the
 * in-repo test server (a fresh one per ledger, so suites that count rows stay independent),
 * or, with EVENTSTORE_CONNECTION_STRING set (`npm run test:eventstoredb`), against that server.
 */
export type TestStoreKind = 'embedded' | 'eventstoredb';

export const testStoreKind = (): TestStoreKind => (process.env['LEDGER_TEST_STORE'] === 'eventstoredb' ? 'eventstoredb' : 'embedded');

/** A real EventStoreDB given from outside (`npm run test:eventstoredb`), else undefined. */
export const realEventStoreDb = (): string | undefined => process.env['EVENTSTORE_CONNECTION_STRING'] || undefined;

/** Test servers by data directory, so a ledger restarted on the same directory finds its events. */
const servers = new Map<string, EsdbTestServer>();

// A test file that kept a ledger's data for a restart leaves its server running: stop them all
// when the file is done (Jest loads this module once per test file), so Jest exits cleanly.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    for (const server of servers.values()) await server.stop();
    servers.clear();
  });
}

export interface TestStore {
  readonly config: LedgerConfig['store'];
  /** A new handle on the same store. */
  open(): EventStore;
  /** Ends the store's life with its data directory (stops a test server); no-op when kept, or not the owner's. */
  release(options: { keepData: boolean }): Promise<void>;
}

/**
 * The store of a data directory. `owner`: whoever made the directory; only the owner's release
 * ends the store (a second ledger started on the same directory shares it, as with the file).
 */
export async function testStore(kind: TestStoreKind, dataDir: string, options: { owner: boolean } = { owner: true }): Promise<TestStore> {
  if (kind === 'embedded') {
    return { config: { kind: 'embedded' }, open: () => new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') }), release: async () => undefined };
  }
  const real = realEventStoreDb();
  let server = servers.get(dataDir);
  if (real === undefined && server === undefined) {
    server = await startEsdbTestServer();
    servers.set(dataDir, server);
  }
  const connectionString = real ?? server!.connectionString;
  return {
    config: { kind: 'eventstoredb', connectionString },
    open: () => new EsdbEventStore({ connectionString, streamPrefixes: [STREAM_PREFIX] }),
    async release({ keepData }) {
      if (keepData || server === undefined || !options.owner) return;
      servers.delete(dataDir);
      await server.stop();
    },
  };
}
