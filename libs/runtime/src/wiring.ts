import { join } from 'node:path';
import type { EventStore } from '#event-store/event-store.port';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { EsdbEventStore } from '#event-store/eventstoredb/esdb-event-store';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '#read-models/database';
import type { LedgerConfig } from './config';
import { ensureDataDir } from './data-dir';
import { OperatorError } from './operator-error';
import { STREAM_PREFIX } from './streams';

/**
 * The one place that turns configuration into connections, shared by the API, the projector
 * and the CLI, so all three always agree on where the data is.
 */
export function openEventStore(config: LedgerConfig, options: { readOnly?: boolean } = {}): EventStore & { readonly filename?: string } {
  if (config.store.kind === 'eventstoredb') return new EsdbEventStore({ connectionString: config.store.connectionString, streamPrefixes: [STREAM_PREFIX] });
  ensureDataDir(config.dataDir);
  const filename = join(config.dataDir, 'events.sqlite');
  return Object.assign(new SqliteEventStore({ filename, ...(options.readOnly === true && { readOnly: true }) }), { filename });
}

export class StoreUnreachableError extends OperatorError {}

/**
 * Opens the store and, for EventStoreDB, checks that the server answers. In production an
 * unreachable server stops the start-up with a message naming it; there is never a fall-back
 * to the embedded store, which would split the ledger in two. In development it is a warning:
 * the client reconnects by itself once the server is up.
 */
export async function connectEventStore(
  config: LedgerConfig,
  options: { readOnly?: boolean; warn?: (message: string) => void } = {},
): Promise<EventStore & { readonly filename?: string }> {
  const store = openEventStore(config, options);
  if (!(store instanceof EsdbEventStore) || config.store.kind !== 'eventstoredb') return store;
  try {
    await store.ping();
  } catch (error) {
    const message = `EventStoreDB at ${serverOf(config.store.connectionString)} is unreachable (${describeGrpcError(error)})`;
    if (config.environment !== 'production') {
      options.warn?.(`${message}; carrying on, the client reconnects when it is up`);
      return store;
    }
    await store.close().catch(() => undefined);
    throw new StoreUnreachableError(`${message}. LEDGER_STORE=eventstoredb never falls back to the embedded store.`);
  }
  return store;
}

/** host:port list of a connection string, without credentials or parameters. */
export function serverOf(connectionString: string): string {
  const rest = connectionString.replace(/^[a-z+]+:\/\//, '');
  const hosts = rest.slice(rest.lastIndexOf('@') + 1).split(/[/?]/)[0];
  return hosts === undefined || hosts === '' ? '(no host)' : hosts;
}

function describeGrpcError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 14) return 'gRPC UNAVAILABLE, code 14';
  if (code === 4) return 'gRPC DEADLINE_EXCEEDED, code 4';
  return error instanceof Error ? error.constructor.name : 'unknown error';
}

export function openReadModels(config: LedgerConfig): ReadModelDatabase {
  if (config.readDbUrl !== undefined) return openPostgresReadModels(config.readDbUrl);
  ensureDataDir(config.dataDir);
  return openSqliteReadModels(join(config.dataDir, 'read-models.sqlite'));
}
