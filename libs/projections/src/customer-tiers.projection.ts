import type { TierChanged } from '#ledger-domain/customer/evaluate-tier';
import { dayIn } from '#ledger-domain/shared/calendar';
import type { Projected } from './projected-event';

/**
 * `customer_tiers` and `tier_changes`: the tier each customer holds and every change of it, from
 * the `TierChanged` events the lifecycle runner appends (docs/read-models.md).
 *
 * - customer_tiers: one row per customer whose tier ever changed, with the tier held after the
 *   latest change (null: the customer stepped down below the lowest tier), when it was reached
 *   and the qualifying points the change recorded. Guarded by position like the other customer
 *   rows, so a repeated delivery never changes it twice.
 * - tier_changes: one row per `TierChanged` (insert-only, like the timeline), with its direction
 *   (`up` when the points reached a higher tier, `down` when the window or a reversal took the
 *   customer below the tier held) and its day in the program timezone in force at its position.
 *
 * Qualifying points move with the window between changes; the live figure is on
 * `GET /customers/{id}` (`tierStanding`), not here.
 */
export interface CustomerTier {
  readonly customerId: string;
  readonly tierId: string | null;
  /** As the latest change recorded them; null only on rows migration 6 filled from version-5 tables (which did not keep them). */
  readonly qualifyingPoints: number | null;
  /** Business time of the latest change: the tier is held from then. */
  readonly since: string;
  /** Global position of the latest change. */
  readonly position: bigint;
}

export type TierDirection = 'up' | 'down';

export interface TierChangeRow {
  readonly position: bigint;
  readonly customerId: string;
  readonly fromTierId: string | null;
  readonly toTierId: string | null;
  readonly direction: TierDirection;
  readonly reason: TierChanged['data']['reason'];
  readonly qualifyingPoints: number | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** The local day of `occurredAt` in the program timezone in force at the event's position. */
  readonly day: string;
}

/** Up when the points reached a higher tier; every other reason is a step down (evaluateTier). */
export const directionOf = (reason: TierChanged['data']['reason']): TierDirection => (reason === 'qualified' ? 'up' : 'down');

/** The row after a tier change; the same row for a change at or below its position (a repeated delivery). */
export function evolveCustomerTier(row: CustomerTier | undefined, projected: Projected<TierChanged>): CustomerTier {
  if (row !== undefined && projected.position <= row.position) return row;
  const d = projected.event.data;
  return { customerId: d.customerId, tierId: d.to, qualifyingPoints: d.qualifyingPoints, since: d.occurredAt, position: projected.position };
}

export function tierChangeRow(projected: Projected<TierChanged>, timezone: string): TierChangeRow {
  const d = projected.event.data;
  return {
    position: projected.position,
    customerId: d.customerId,
    fromTierId: d.from,
    toTierId: d.to,
    direction: directionOf(d.reason),
    reason: d.reason,
    qualifyingPoints: d.qualifyingPoints,
    occurredAt: d.occurredAt,
    recordedAt: projected.recordedAt,
    day: dayIn(timezone, d.occurredAt),
  };
}
