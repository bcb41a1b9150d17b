import { lotsMoved, type CustomerEvent } from '#ledger-domain/customer/customer';
import type { AdjustmentKind } from '#ledger-domain/customer/adjust-points';
import { drawAvailable, settleOwed, spendingOrder, type Lot, type LotDraw, type LotSource } from '#ledger-domain/customer/lots';
import type { Projected } from './projected-event';

/**
 * `points_lots`: one row per lot, i.e. per earning of points (a payment's points, a cashback, a
 * visit reward, a positive adjustment), with what is left of it. The rows follow the domain's lot
 * rules (customer.ts, lots.ts) from the events' recorded data:
 *
 * - an earning opens its lot: pending until `activatesAt` when the event says so, otherwise
 *   available at once, and then it first pays what the customer owes (`settleOwed`): `remaining`
 *   starts at the points left after that;
 * - spends, reversals (refunds, cashback reversals) and voids take the points they recorded
 *   from the lots they name; a spend recorded before lots existed names none and drew from the
 *   available lots in spending order (`drawAvailable`, as the domain's fold does);
 * - an activation makes the named pending lots available, in the recorded order, each paying
 *   what is still owed first.
 *
 * A row stays when its lot is used up (`remaining` 0): the table explains every point earned.
 */
export interface PointsLot {
  readonly customerId: string;
  /** The earning's id: the payment id, or the adjustment id of a cashback, reward or credit. */
  readonly lotId: string;
  readonly source: LotSource;
  /** The payment a payment or cashback lot belongs to. */
  readonly paymentId: string | null;
  /** Business time of the earning. */
  readonly earnedAt: string;
  /** While pending: when the points become available; null once available, or if never pending. */
  readonly activatesAt: string | null;
  /** Points the earning brought. */
  readonly points: number;
  /** Points not yet spent, reversed, voided or used to pay what was owed. */
  readonly remaining: number;
  /** Global position of the last event that changed the row. */
  readonly position: bigint;
}

export const lotKey = (customerId: string, lotId: string) => `${customerId}\u0000${lotId}`;

/** One customer's lots, as the projection reads them while applying an event. */
export interface CustomerLots {
  /** The open lot (points remaining) with this id, if there is one. */
  open(lotId: string): PointsLot | undefined;
  /** Every open lot of the customer: only asked for spends recorded without their draws. */
  allOpen(): readonly PointsLot[];
}

/**
 * The lot rows one customer event opens or changes, given the customer's lots and net available
 * balance before it. The caller applies each event once (it is guarded, with the customer's
 * balance row, by position).
 */
export function lotChanges(lots: CustomerLots, projected: Projected<CustomerEvent>, netBefore: number): PointsLot[] {
  const { event, position } = projected;
  const customerId = event.data.customerId;
  switch (event.type) {
    case 'PaymentRecorded': {
      const d = event.data;
      const lot = { customerId, lotId: d.paymentId, source: 'payment' as const, paymentId: d.paymentId, earnedAt: d.occurredAt };
      return earned(lot, d.points, d.activatesAt, netBefore, position);
    }
    case 'PointsAdjusted': {
      const d = event.data;
      if (d.points < 0) return drawn(lots, d.lots ?? drawnInSpendingOrder(lots, -d.points), position);
      const paymentId = d.kind === 'cashback' ? (d.reference ?? null) : null;
      return earned(
        { customerId, lotId: d.adjustmentId, source: sourceOf(d.kind), paymentId, earnedAt: d.occurredAt },
        d.points,
        d.activatesAt,
        netBefore,
        position,
      );
    }
    case 'PaymentRefunded':
    case 'CashbackReversed':
    case 'PointsVoided':
    case 'PointsExpired':
      return drawn(lots, lotsMoved(event), position);
    case 'PointsActivated': {
      const out: PointsLot[] = [];
      let net = netBefore;
      for (const { lotId, points } of event.data.lots) {
        const lot = lots.open(lotId);
        if (lot === undefined) continue;
        const repaid = settleOwed(net, points);
        net += points;
        out.push({ ...lot, activatesAt: null, remaining: Math.max(0, lot.remaining - repaid), position });
      }
      return out;
    }
    case 'CustomerEnrolled':
    case 'VisitCreated':
    case 'TierChanged':
      return [];
  }
}

const sourceOf = (kind: AdjustmentKind): LotSource => (kind === 'cashback' ? 'cashback' : kind === 'reward' ? 'reward' : 'adjustment');

/** A new earning's lot: pending until `activatesAt`, or available at once, paying what is owed first. */
function earned(
  lot: Pick<PointsLot, 'customerId' | 'lotId' | 'source' | 'paymentId' | 'earnedAt'>,
  points: number,
  activatesAt: string | undefined,
  netBefore: number,
  position: bigint,
): PointsLot[] {
  if (points <= 0) return [];
  if (activatesAt !== undefined) return [{ ...lot, activatesAt, points, remaining: points, position }];
  return [{ ...lot, activatesAt: null, points, remaining: points - settleOwed(netBefore, points), position }];
}

/** The lots after recorded draws: each named open lot loses its points (a lot never goes below 0). */
function drawn(lots: CustomerLots, draws: readonly LotDraw[], position: bigint): PointsLot[] {
  const perLot = new Map<string, number>();
  for (const d of draws) perLot.set(d.lotId, (perLot.get(d.lotId) ?? 0) + d.points);
  const out: PointsLot[] = [];
  for (const [lotId, points] of perLot) {
    const lot = lots.open(lotId);
    if (lot !== undefined) out.push({ ...lot, remaining: Math.max(0, lot.remaining - points), position });
  }
  return out;
}

/** A spend recorded before lots existed: it drew from the available lots in spending order. */
function drawnInSpendingOrder(lots: CustomerLots, points: number): readonly LotDraw[] {
  const open: Lot[] = lots
    .allOpen()
    .map((l) => ({
      lotId: l.lotId,
      source: l.source,
      earnedAt: l.earnedAt,
      remaining: l.remaining,
      ...(l.activatesAt !== null && { activatesAt: l.activatesAt }),
      ...(l.paymentId !== null && { paymentId: l.paymentId }),
    }))
    .sort(spendingOrder);
  return drawAvailable(open, points).draws;
}
