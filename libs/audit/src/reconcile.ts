import type { EventStore } from '#event-store/event-store.port';
import { balanceEffect, balanceView, evolveCustomer, initialCustomerState, type CustomerState } from '#ledger-domain/customer/customer';
import { decodeCustomerEvent } from '#ledger-domain/stored-events';
import type { ReadModelDatabase } from '#read-models/database';
import { LEDGER_PROJECTION, readCheckpoint } from '#read-models/projector';
import { positionFromText } from '#read-models/tables';
import { customerIdOf } from '#runtime/streams';

/**
 * Reconciliation: replays every customer's ledger from the event store and compares balances
 * (available, pending and owed as every view shows them), lifetime totals (expired included), the tier held and visit counts with
 * the projections reporting jobs read. Only what the projection claims to reflect is compared:
 * events up to its checkpoint, rows not moved on while the check ran.
 */
export interface ReconcileMismatch {
  readonly customerId: string;
  /** Read-model column, or `row` when the whole row is missing or has no ledger behind it. */
  readonly field: string;
  readonly ledger: number | string | null;
  readonly projection: number | string | null;
}

export interface ReconcileReport {
  readonly checkpoint: string;
  readonly customers: number;
  readonly events: number;
  /** Rows the projector moved past the checkpoint during the check: not compared. */
  readonly skipped: number;
  readonly mismatches: readonly ReconcileMismatch[];
}

export async function reconcile(
  store: EventStore,
  database: ReadModelDatabase,
  options: { pageSize?: number; onProgress?: (events: number, position: bigint) => void } = {},
): Promise<ReconcileReport> {
  const checkpoint = await readCheckpoint(database.db, LEDGER_PROJECTION);

  // 1. Replay the ledger up to the checkpoint, with the domain's own fold.
  const customers = new Map<string, CustomerState>();
  // Its own sums, in BigInt: an independent check that does not share the fold's number arithmetic,
  // so a balance that left the safe-integer range cannot agree with itself unnoticed.
  const sums = new Map<string, { net: bigint; pending: bigint }>();
  let events = 0;
  let after = 0n;
  while (after < checkpoint) {
    const page = await store.readAll({ after, maxCount: options.pageSize ?? 5000 });
    if (page.length === 0) break;
    for (const stored of page) {
      after = stored.position;
      if (stored.position > checkpoint) break;
      const id = customerIdOf(stored.streamName);
      if (id === undefined) continue;
      const event = decodeCustomerEvent(stored);
      customers.set(id, evolveCustomer(customers.get(id) ?? initialCustomerState(), event));
      const effect = balanceEffect(event);
      const sum = sums.get(id) ?? { net: 0n, pending: 0n };
      sums.set(id, { net: sum.net + BigInt(effect.available), pending: sum.pending + BigInt(effect.pending) });
      events += 1;
    }
    options.onProgress?.(events, after);
  }

  // 2. Compare with the projections.
  const mismatches: ReconcileMismatch[] = [];
  let skipped = 0;
  const seen = new Set<string>();
  const rows = await database.db.selectFrom('customer_balances').selectAll().execute();
  const visitStats = new Map((await database.db.selectFrom('customer_visit_stats').selectAll().execute()).map((r) => [r.customer_id, r]));
  const tiers = new Map((await database.db.selectFrom('customer_tiers').selectAll().execute()).map((r) => [r.customer_id, r]));
  for (const row of rows) {
    seen.add(row.customer_id);
    if (positionFromText(row.position) > checkpoint) {
      skipped += 1;
      continue;
    }
    const state = customers.get(row.customer_id);
    if (state === undefined || state.status !== 'Enrolled') {
      mismatches.push({ customerId: row.customer_id, field: 'row', ledger: null, projection: 'customer_balances row' });
      continue;
    }
    const view = balanceView(state.balance);
    const expected: Record<string, number> = {
      available: view.available,
      pending: view.pending,
      owed: view.owed,
      lifetime_earned: state.lifetime.earned,
      lifetime_redeemed: state.lifetime.redeemed,
      adjusted_in: state.lifetime.adjustedIn,
      adjusted_out: state.lifetime.adjustedOut,
      lifetime_reversed: state.lifetime.reversed,
      lifetime_written_off: state.lifetime.writtenOff,
      lifetime_expired: state.lifetime.expired,
      visit_count: state.visitCount,
      purchase_count: state.paymentCount,
    };
    for (const [field, value] of Object.entries(expected)) {
      const actual = Number(row[field as keyof typeof row]);
      if (actual !== value) mismatches.push({ customerId: row.customer_id, field, ledger: value, projection: actual });
    }
    const sum = sums.get(row.customer_id) ?? { net: 0n, pending: 0n };
    const projectedNet = BigInt(String(row.available)) - BigInt(String(row.owed));
    if (projectedNet !== sum.net)
      mismatches.push({ customerId: row.customer_id, field: 'available − owed (exact)', ledger: sum.net.toString(), projection: projectedNet.toString() });
    if (BigInt(String(row.pending)) !== sum.pending) {
      mismatches.push({ customerId: row.customer_id, field: 'pending (exact)', ledger: sum.pending.toString(), projection: String(row.pending) });
    }
    const stats = visitStats.get(row.customer_id);
    const projectedVisits = stats === undefined ? 0 : Number(stats.visits);
    if (projectedVisits !== state.visitCount) {
      mismatches.push({ customerId: row.customer_id, field: 'customer_visit_stats.visits', ledger: state.visitCount, projection: projectedVisits });
    }
    // The tier after the latest change (none ever: no row), and since when.
    const latest = state.tierHistory.at(-1);
    const tier = tiers.get(row.customer_id);
    if (tier !== undefined && positionFromText(tier.position) > checkpoint) continue;
    if (latest === undefined) {
      if (tier !== undefined) mismatches.push({ customerId: row.customer_id, field: 'customer_tiers row', ledger: null, projection: tier.tier_id });
    } else if (tier === undefined) {
      mismatches.push({ customerId: row.customer_id, field: 'customer_tiers row', ledger: latest.tierId, projection: null });
    } else {
      if (tier.tier_id !== latest.tierId)
        mismatches.push({ customerId: row.customer_id, field: 'customer_tiers.tier_id', ledger: latest.tierId, projection: tier.tier_id });
      if (tier.since !== latest.from)
        mismatches.push({ customerId: row.customer_id, field: 'customer_tiers.since', ledger: latest.from, projection: tier.since });
    }
  }
  for (const [customerId, state] of customers) {
    if (state.status === 'Enrolled' && !seen.has(customerId)) mismatches.push({ customerId, field: 'row', ledger: 'enrolled customer', projection: null });
  }
  return { checkpoint: checkpoint.toString(), customers: customers.size, events, skipped, mismatches };
}
