import type { UntypedDb } from '../tables';

/**
 * One released migration. Untyped: it runs against the schema as it was when released, which
 * `ReadModelTables` (today's) does not describe.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: UntypedDb) => Promise<void>;
}
