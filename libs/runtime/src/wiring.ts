import { join } from 'node:path';
import type { EventStore } from '../../event-store/src/event-store.port';
import { SqliteEventStore } from '../../event-store/src/embedded/sqlite-event-store';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '../../read-models/src/database';
import type { LedgerConfig } from './config';

/**
 * The one place that turns configuration into connections, shared by the API, the projector
 * and the CLI, so all three always agree on where the data is.
 */
export function openEventStore(config: LedgerConfig, options: { readOnly?: boolean } = {}): EventStore & { readonly filename?: string } {
  const filename = join(config.dataDir, 'events.sqlite');
  return Object.assign(new SqliteEventStore({ filename, ...(options.readOnly === true && { readOnly: true }) }), { filename });
}

export function openReadModels(config: LedgerConfig): ReadModelDatabase {
  return config.readDbUrl !== undefined ? openPostgresReadModels(config.readDbUrl) : openSqliteReadModels(join(config.dataDir, 'read-models.sqlite'));
}
