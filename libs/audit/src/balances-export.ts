import type { Kysely } from 'kysely';
import type { EventStore } from '#event-store/event-store.port';
import { balanceView, evolveCustomer, initialCustomerState, type CustomerState } from '#ledger-domain/customer/customer';
import { decodeCustomerEvent } from '#ledger-domain/stored-events';
import { LEDGER_PROJECTION, readCheckpoint } from '#read-models/projector';
import type { ReadModelTables } from '#read-models/tables';
import { accountStream } from '#runtime/streams';
import { recordedAtOf } from './as-of';
import { csvLine } from './export';

/** One row per customer: the balances, lifetime totals, tier and next expiry, as of one position. */
export const BALANCE_EXPORT_COLUMNS = [
  'customer_id',
  'available',
  'pending',
  'owed',
  'lifetime_earned',
  'lifetime_redeemed',
  'adjusted_in',
  'adjusted_out',
  'lifetime_reversed',
  'lifetime_written_off',
  'lifetime_expired',
  'tier',
  'next_expiry_at',
  'next_expiry_points',
  'position',
] as const;
export type BalanceExportRow = Record<(typeof BALANCE_EXPORT_COLUMNS)[number], string | number | null>;

export interface BalanceExport {
  /** The log position every row is as of: the read models' checkpoint when the export began. */
  readonly position: bigint;
  readonly rows: AsyncGenerator<BalanceExportRow>;
}

/**
 * The balances of every customer, consistent as of one log position: the read models'
 * checkpoint when the export begins (so every customer with an event up to it is listed in
 * customer_balances, which gives the customers in order). Each customer's figures are the
 * domain's own fold of its stream up to that position, and with `asOf` only of the events
 * recorded by then: what the ledger said at that instant, whatever was written since.
 */
export async function balanceExport(
  store: EventStore,
  db: Kysely<ReadModelTables>,
  options: { asOf?: string; pageSize?: number } = {},
): Promise<BalanceExport> {
  const position = await readCheckpoint(db, LEDGER_PROJECTION);
  const asOf = options.asOf === undefined ? undefined : Date.parse(options.asOf);
  const pageSize = options.pageSize ?? 500;
  async function* rows(): AsyncGenerator<BalanceExportRow> {
    for (let after = ''; ;) {
      const page = await db
        .selectFrom('customer_balances')
        .select('customer_id')
        .where('customer_id', '>', after)
        .orderBy('customer_id')
        .limit(pageSize)
        .execute();
      if (page.length === 0) return;
      for (const { customer_id: customerId } of page) {
        let state: CustomerState = initialCustomerState();
        for (const stored of (await store.readStream(accountStream(customerId))).events) {
          if (stored.position > position) break;
          if (asOf !== undefined && Date.parse(recordedAtOf(stored)) > asOf) continue;
          state = evolveCustomer(state, decodeCustomerEvent(stored));
        }
        if (state.status === 'Enrolled') yield rowOf(state, position);
      }
      after = page[page.length - 1]!.customer_id;
    }
  }
  return { position, rows: rows() };
}

function rowOf(state: Extract<CustomerState, { status: 'Enrolled' }>, position: bigint): BalanceExportRow {
  const { available, pending, owed } = balanceView(state.balance);
  const expiring = state.lots.filter((lot) => lot.remaining > 0 && lot.expiresAt !== undefined);
  const next = expiring.reduce<string | undefined>(
    (soonest, lot) => (soonest === undefined || Date.parse(lot.expiresAt!) < Date.parse(soonest) ? lot.expiresAt : soonest),
    undefined,
  );
  const l = state.lifetime;
  return {
    customer_id: state.customerId,
    available,
    pending,
    owed,
    lifetime_earned: l.earned,
    lifetime_redeemed: l.redeemed,
    adjusted_in: l.adjustedIn,
    adjusted_out: l.adjustedOut,
    lifetime_reversed: l.reversed,
    lifetime_written_off: l.writtenOff,
    lifetime_expired: l.expired,
    tier: state.tier?.tierId ?? null,
    next_expiry_at: next ?? null,
    next_expiry_points: next === undefined ? null : expiring.filter((lot) => lot.expiresAt === next).reduce((sum, lot) => sum + lot.remaining, 0),
    position: position.toString(),
  };
}

/** CSV (with a header line) or NDJSON. */
export async function* serialiseBalances(rows: AsyncIterable<BalanceExportRow>, format: 'csv' | 'ndjson'): AsyncGenerator<string> {
  if (format === 'csv') yield csvLine([...BALANCE_EXPORT_COLUMNS], BALANCE_EXPORT_COLUMNS);
  for await (const r of rows)
    yield format === 'csv'
      ? csvLine(
          BALANCE_EXPORT_COLUMNS.map((c) => r[c]),
          BALANCE_EXPORT_COLUMNS,
        )
      : `${JSON.stringify(r)}\n`;
}
