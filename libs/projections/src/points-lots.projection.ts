import { lotsMoved, type CustomerEvent } from '#ledger-domain/customer/customer';
import type { AdjustmentKind } from '#ledger-domain/customer/adjust-points';
import { drawAvailable, settleOwed, spendingOrder, type Lot, type LotDraw, type LotSource } from '#ledger-domain/customer/lots';
import { dayAt, dayIn } from '#ledger-domain/shared/calendar';
import type { Projected } from './projected-event';

/**
 * `points_lots`: one row per lot, i.e. per earning of points (a payment's points, a cashback, a
 * visit reward, a positive adjustment), with what is left of it. The rows follow the domain's lot
 * rules (customer.ts, lots.ts) from the events' recorded data:
 *
 * - an earning opens its lot: pending until `activatesAt` when the event says so, otherwise
 *   available at once, and then it first pays what the customer owes (`settleOwed`): `remaining`
 *   starts at the points left after that; it expires at the `expiresAt` the event recorded;
 * - spends, reversals (refunds, cashback reversals), voids and expiries take the points they
 *   recorded from the lots they name; a spend recorded before lots existed names none and drew
 *   from the available lots in the domain's spending order (`spendingOrder`, `drawAvailable`:
 *   the earliest expiry first, never-expiring lots last, then the earliest earned);
 * - an activation makes the named pending lots available, in the recorded order, each paying
 *   what is still owed first.
 *
 * A row stays when its lot is used up (`remaining` 0): the table explains every point earned.
 * Every change of a lot's `remaining` is also a row of `points_movements` (`LotMovement`).
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
  /** Points not yet spent, reversed, voided, expired or used to pay what was owed. */
  readonly remaining: number;
  /** Global position of the last event that changed the row. */
  readonly position: bigint;
  /** The first instant at which what remains is expired (fixed when earned); null: never expires. */
  readonly expiresAt: string | null;
  /** The last local day the points are valid: the day of `expiresAt` − 1 ms in the program timezone in force at the earning; null: never expires. */
  readonly lastValidDay: string | null;
  /** Points lost when the lot expired (`PointsExpired`); 0 otherwise. */
  readonly expired: number;
}

/**
 * What a movement did to its lot (`points_movements.kind`). Into the lot: `earned` (a payment, a
 * cashback, a reward), `credited` (a positive manual adjustment). Out of it: `repaid` (paid what
 * the customer owed, when the points became available), `spent` (a redemption), `debited` (a
 * negative manual adjustment), `reversed` (a refund or cashback reversal), `voided`, `expired`.
 * `activated` moves the points from the pending part to the available part (two rows).
 */
export type MovementKind = 'earned' | 'credited' | 'repaid' | 'spent' | 'debited' | 'reversed' | 'voided' | 'expired' | 'activated';

/** `points_movements`: one row per change of one part (pending or available) of one lot by one event. */
export interface LotMovement {
  /** Global position of the event. */
  readonly position: bigint;
  /** The movement's place among the event's movements, from 0. */
  readonly seq: number;
  readonly customerId: string;
  readonly lotId: string;
  readonly source: LotSource;
  readonly kind: MovementKind;
  /** The part of the lot moved: its pending points (true) or its available points. */
  readonly pending: boolean;
  /** Signed change of the lot's `remaining` in that part: positive into the lot, negative out of it. */
  readonly points: number;
  /** Business time of the event. */
  readonly occurredAt: string;
  /** When the ledger recorded the event. */
  readonly recordedAt: string;
  /** Calendar day of `occurredAt` in the program timezone in force at the event's position. */
  readonly day: string;
  /** The lot's `expires_at` and `last_valid_day` (fixed when it was earned). */
  readonly expiresAt: string | null;
  readonly lastValidDay: string | null;
}

export const lotKey = (customerId: string, lotId: string) => `${customerId}\u0000${lotId}`;

/** One customer's lots, as the projection reads them while applying an event. */
export interface CustomerLots {
  /** The open lot (points remaining) with this id, if there is one. */
  open(lotId: string): PointsLot | undefined;
  /** Every open lot of the customer: only asked for spends recorded without their draws. */
  allOpen(): readonly PointsLot[];
}

export interface LotChanges {
  readonly lots: readonly PointsLot[];
  readonly movements: readonly LotMovement[];
}

/**
 * The lot rows one customer event opens or changes, and the movements that changed them, given
 * the customer's lots and net available balance before it, and the program timezone in force at
 * the event (for the movements' `day` and a new lot's `last_valid_day`). The caller applies each
 * event once (it is guarded, with the customer's balance row, by position).
 */
export function lotChanges(lots: CustomerLots, projected: Projected<CustomerEvent>, netBefore: number, timezone: string): LotChanges {
  const { event } = projected;
  const customerId = event.data.customerId;
  const out = new Changes(projected, timezone);
  switch (event.type) {
    case 'PaymentRecorded': {
      const d = event.data;
      const lot = { customerId, lotId: d.paymentId, source: 'payment' as const, paymentId: d.paymentId, earnedAt: d.occurredAt };
      out.earned(lot, 'earned', d.points, d.activatesAt, d.expiresAt, netBefore);
      break;
    }
    case 'PointsAdjusted': {
      const d = event.data;
      if (d.points < 0) {
        out.drawn(lots, d.lots ?? drawnInSpendingOrder(lots, -d.points), d.kind === 'redemption' ? 'spent' : 'debited');
        break;
      }
      const paymentId = d.kind === 'cashback' ? (d.reference ?? null) : null;
      const source = sourceOf(d.kind);
      out.earned(
        { customerId, lotId: d.adjustmentId, source, paymentId, earnedAt: d.occurredAt },
        source === 'adjustment' ? 'credited' : 'earned',
        d.points,
        d.activatesAt,
        d.expiresAt,
        netBefore,
      );
      break;
    }
    case 'PaymentRefunded':
    case 'CashbackReversed':
      out.drawn(lots, lotsMoved(event), 'reversed');
      break;
    case 'PointsVoided':
      out.drawn(lots, lotsMoved(event), 'voided');
      break;
    case 'PointsExpired':
      out.drawn(lots, lotsMoved(event), 'expired');
      break;
    case 'PointsActivated': {
      let net = netBefore;
      for (const { lotId, points } of event.data.lots) {
        const lot = lots.open(lotId);
        if (lot === undefined) continue;
        const repaid = settleOwed(net, points);
        net += points;
        const after = { ...lot, activatesAt: null, remaining: Math.max(0, lot.remaining - repaid), position: projected.position };
        out.moved(lot, 'activated', true, -lot.remaining);
        out.moved(lot, 'activated', false, lot.remaining);
        out.moved(lot, 'repaid', false, after.remaining - lot.remaining);
        out.lot(after);
      }
      break;
    }
    case 'CustomerEnrolled':
    case 'VisitCreated':
    case 'TierChanged':
      break;
  }
  return out.result();
}

const sourceOf = (kind: AdjustmentKind): LotSource => (kind === 'cashback' ? 'cashback' : kind === 'reward' ? 'reward' : 'adjustment');

/** The lots and movements of one event, as they are worked out. */
class Changes {
  private readonly lots: PointsLot[] = [];
  private readonly movements: LotMovement[] = [];
  private day: string | undefined;

  constructor(
    private readonly projected: Projected<CustomerEvent>,
    private readonly timezone: string,
  ) {}

  lot(lot: PointsLot): void {
    this.lots.push(lot);
  }

  /** A movement of `points` (signed) in one part of the lot; none for 0. */
  moved(lot: PointsLot, kind: MovementKind, pending: boolean, points: number): void {
    if (points === 0) return;
    const { position, recordedAt, event } = this.projected;
    // Every event that moves points has a business time (an enrolment moves none).
    const occurredAt = event.type === 'CustomerEnrolled' ? event.data.enrolledAt : event.data.occurredAt;
    this.day ??= dayIn(this.timezone, occurredAt);
    this.movements.push({
      position,
      seq: this.movements.length,
      customerId: lot.customerId,
      lotId: lot.lotId,
      source: lot.source,
      kind,
      pending,
      points,
      occurredAt,
      recordedAt,
      day: this.day,
      expiresAt: lot.expiresAt,
      lastValidDay: lot.lastValidDay,
    });
  }

  /** A new earning's lot: pending until `activatesAt`, or available at once, paying what is owed first. */
  earned(
    base: Pick<PointsLot, 'customerId' | 'lotId' | 'source' | 'paymentId' | 'earnedAt'>,
    kind: 'earned' | 'credited',
    points: number,
    activatesAt: string | undefined,
    expiresAt: string | undefined,
    netBefore: number,
  ): void {
    if (points <= 0) return;
    const expiry = {
      expiresAt: expiresAt ?? null,
      lastValidDay: expiresAt === undefined ? null : dayAt(this.timezone, Date.parse(expiresAt) - 1),
      expired: 0,
    };
    const position = this.projected.position;
    const pending = activatesAt !== undefined;
    const repaid = pending ? 0 : settleOwed(netBefore, points);
    const lot: PointsLot = { ...base, activatesAt: activatesAt ?? null, points, remaining: points - repaid, position, ...expiry };
    this.moved(lot, kind, pending, points);
    this.moved(lot, 'repaid', false, -repaid);
    this.lot(lot);
  }

  /** The lots after recorded draws: each named open lot loses its points (a lot never goes below 0). */
  drawn(lots: CustomerLots, draws: readonly LotDraw[], kind: MovementKind): void {
    const perLot = new Map<string, number>();
    for (const d of draws) perLot.set(d.lotId, (perLot.get(d.lotId) ?? 0) + d.points);
    for (const [lotId, points] of perLot) {
      const lot = lots.open(lotId);
      if (lot === undefined) continue;
      const taken = Math.min(lot.remaining, Math.max(0, points));
      this.moved(lot, kind, lot.activatesAt !== null, -taken);
      this.lot({
        ...lot,
        remaining: lot.remaining - taken,
        position: this.projected.position,
        ...(kind === 'expired' && { expired: lot.expired + taken }),
      });
    }
  }

  result(): LotChanges {
    return { lots: this.lots, movements: this.movements };
  }
}

/** A spend recorded before lots existed: it drew from the available lots in the domain's spending order. */
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
      ...(l.expiresAt !== null && { expiresAt: l.expiresAt }),
    }))
    .sort(spendingOrder);
  return drawAvailable(open, points).draws;
}
