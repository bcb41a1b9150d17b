import type { ReadModelDatabase } from '#read-models/database';
import type { UntypedDb } from '#read-models/tables';
import type { DueActivation } from './lifecycle-runner';

/**
 * Payments with pending points due by `asOf`, oldest first, after a keyset cursor: from the
 * `points_lots` projection (what may be due; the customer's stream decides whether it is).
 * Until that projection exists, an empty answer.
 */
export async function dueActivations(
  database: ReadModelDatabase,
  asOf: string,
  limit: number,
  after?: { readonly activatesAt: string; readonly paymentId: string },
): Promise<DueActivation[]> {
  void (database.db as unknown as UntypedDb);
  void asOf;
  void limit;
  void after;
  return [];
}
