import type { PointsActivated } from './activate-points';
import { isEarnedKind, type PointsAdjusted } from './adjust-points';
import { AppendOnlyMap } from './append-only-map';
import { AppendOnlySet } from './append-only-set';
import type { CustomerEnrolled } from './enrol-customer';
import { applyDraws, drawAvailable, openLot, settleOwed, type Lot, type LotDraw, type LotSource } from './lots';
import type { PaymentRecorded } from './record-payment';
import type { VisitCreated } from './record-visit';
import type { CashbackReversed, PaymentRefunded } from './refund-payment';
import type { TierChanged } from './evaluate-tier';
import type { PointsExpired } from './expire-points';
import type { PointsVoided } from './void-points';

/**
 * A customer's loyalty account: the fold of the events in its `loyaltyAccount-<customerId>` stream.
 *
 * Glossary (docs/lifecycle.md has the rules with worked examples)
 * - available balance: points the customer can spend now. Kept net: below zero while the
 *   customer owes points (a reversal or clawback after they were spent); views show
 *   `available` = max(0, net) and `owed` = max(0, −net).
 * - pending balance: points earned but not yet spendable (the return window).
 * - lot: one earning's points, pending or available, drawn from by spends (see lots.ts).
 * - lifetime earned / redeemed / reversed / written off, adjusted in / out: totals that never go
 *   down. earned − redeemed + adjustedIn − adjustedOut − reversed + writtenOff − expired = net + pending.
 * - adjustment: a manual ± correction by back-office staff, always with a reason.
 * - redemption: points spent by the customer.
 * - reward / cashback: points a program rule issued for a visit threshold or a payment. Earned
 *   points like a payment's: they count in lifetime earned.
 * - refund: money paid back on a payment; it reverses the payment's points (and its cashback's)
 *   in proportion. void: an admin cancels a payment's pending points without a refund.
 */
export type CustomerEvent =
  | CustomerEnrolled
  | VisitCreated
  | PaymentRecorded
  | PointsAdjusted
  | PaymentRefunded
  | CashbackReversed
  | PointsActivated
  | PointsVoided
  | PointsExpired
  | TierChanged;

export type CustomerState = NotEnrolled | Enrolled;

export interface NotEnrolled {
  readonly status: 'NotEnrolled';
}

/** What the ledger keeps of a payment, for its refunds, its activation and its cashback. */
export interface PaymentFacts {
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly locationId: string;
  readonly occurredAt: string;
  /** Points the payment earned (what reversals are computed from). */
  readonly points: number;
  readonly refundedMinor: number;
  readonly reversedPoints: number;
  readonly refundIdentifiers: readonly string[];
  /** The latest refund, which a cashback issued after it reverses its refunded share for. */
  readonly lastRefundId?: string;
  readonly lastRefundAt?: string;
  /** pending: inside the return window; available: activated (or never pending); voided: cancelled. */
  readonly status: 'pending' | 'available' | 'voided';
  /** When the points became (or become) available, if they were ever pending. */
  readonly activatesAt?: string;
  readonly cashback: readonly CashbackFacts[];
  /** Points the payment's own lot lost to expiry that no reversal has accounted for yet (see refund-payment.ts). */
  readonly expiredNotReversed: number;
}

export interface CashbackFacts {
  readonly adjustmentId: string;
  readonly points: number;
  readonly reversedPoints: number;
  /** Points the cashback's lot lost to expiry that no reversal has accounted for yet. */
  readonly expiredNotReversed: number;
}

export interface Enrolled {
  readonly status: 'Enrolled';
  readonly customerId: string;
  readonly email?: string;
  readonly phone?: string;
  readonly name?: string;
  /** `available` is net: negative while points are owed. */
  readonly balance: { readonly available: number; readonly pending: number };
  readonly lifetime: {
    readonly earned: number;
    readonly redeemed: number;
    readonly adjustedIn: number;
    readonly adjustedOut: number;
    /** Points taken back by refunds (the payments' and their cashback's) and voids. */
    readonly reversed: number;
    /** Of those, points the customer no longer had and the program wrote off (policy "writeOff"). */
    readonly writtenOff: number;
    /** Points lost because their lot expired before they were spent (breakage). */
    readonly expired: number;
  };
  /** Open lots (points remaining), pending and available, in spending order. */
  readonly lots: readonly Lot[];
  /** Visit ids of this customer, so a payment can only attach to one of its own visits. */
  readonly visits: AppendOnlySet;
  /** The customer's payments by id: refunds, activations and cashback find them here. */
  readonly payments: AppendOnlyMap<PaymentFacts>;
  /** The tier held now (see program/tiers.ts), and since when (business time). */
  readonly tier?: { readonly tierId: string; readonly since: string };
  /** Every tier change, oldest first: a payment earns at the multiplier of the tier held at its own business time. */
  readonly tierHistory: readonly { readonly tierId: string | null; readonly from: string }[];
  readonly visitCount: number;
  readonly paymentCount: number;
}

export const initialCustomerState = (): CustomerState => ({ status: 'NotEnrolled' });

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  if (event.type === 'CustomerEnrolled') {
    const { customerId, email, phone, name } = event.data;
    return {
      status: 'Enrolled',
      customerId,
      ...(email !== undefined && { email }),
      ...(phone !== undefined && { phone }),
      ...(name !== undefined && { name }),
      balance: { available: 0, pending: 0 },
      lifetime: { earned: 0, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 0, writtenOff: 0, expired: 0 },
      lots: [],
      visits: AppendOnlySet.empty(),
      payments: AppendOnlyMap.empty(),
      tierHistory: [],
      visitCount: 0,
      paymentCount: 0,
    };
  }
  if (state.status !== 'Enrolled') return state; // events before enrolment cannot exist; nothing to attach them to
  const effect = balanceEffect(event);
  const balance = { available: state.balance.available + effect.available, pending: state.balance.pending + effect.pending };
  const lifetime = state.lifetime;
  switch (event.type) {
    case 'VisitCreated':
      return { ...state, visits: state.visits.add(event.data.visitId), visitCount: state.visitCount + 1 };
    case 'PaymentRecorded': {
      const d = event.data;
      const facts: PaymentFacts = {
        paymentId: d.paymentId,
        amountMinor: d.amountMinor,
        currency: d.currency,
        locationId: d.locationId,
        occurredAt: d.occurredAt,
        points: d.points,
        refundedMinor: 0,
        reversedPoints: 0,
        refundIdentifiers: [],
        status: d.activatesAt === undefined ? 'available' : 'pending',
        ...(d.activatesAt !== undefined && { activatesAt: d.activatesAt }),
        cashback: [],
        expiredNotReversed: 0,
      };
      return {
        ...state,
        balance,
        lifetime: { ...lifetime, earned: lifetime.earned + d.points },
        lots: earn(
          state,
          {
            lotId: d.paymentId,
            source: 'payment',
            earnedAt: d.occurredAt,
            paymentId: d.paymentId,
            ...(d.expiresAt !== undefined && { expiresAt: d.expiresAt }),
          },
          d.points,
          d.activatesAt,
        ),
        payments: state.payments.set(d.paymentId, facts),
        paymentCount: state.paymentCount + 1,
      };
    }
    case 'PointsAdjusted': {
      const { points, kind, adjustmentId, occurredAt } = event.data;
      if (points < 0) {
        // A spend: the lots it drew from as recorded (spends from before lots existed: in spending order).
        const draws = event.data.lots ?? drawAvailable(state.lots, -points).draws;
        return {
          ...state,
          balance,
          lifetime:
            kind === 'redemption'
              ? { ...lifetime, redeemed: lifetime.redeemed - points }
              : isEarnedKind(kind)
                ? lifetime
                : { ...lifetime, adjustedOut: lifetime.adjustedOut - points },
          lots: applyDraws(state.lots, draws),
        };
      }
      const paymentId = kind === 'cashback' ? event.data.reference : undefined;
      return {
        ...state,
        balance,
        lifetime: isEarnedKind(kind) ? { ...lifetime, earned: lifetime.earned + points } : { ...lifetime, adjustedIn: lifetime.adjustedIn + points },
        lots: earn(
          state,
          {
            lotId: adjustmentId,
            source: lotSourceOf(kind),
            earnedAt: occurredAt,
            ...(paymentId !== undefined && { paymentId }),
            ...(event.data.expiresAt !== undefined && { expiresAt: event.data.expiresAt }),
          },
          points,
          event.data.activatesAt,
        ),
        payments:
          paymentId === undefined
            ? state.payments
            : withPayment(state.payments, paymentId, (payment) => ({
                ...payment,
                cashback: [...payment.cashback, { adjustmentId, points, reversedPoints: 0, expiredNotReversed: 0 }],
              })),
      };
    }
    case 'PaymentRefunded': {
      const d = event.data;
      return reversal(state, balance, event, (payment) => ({
        ...payment,
        refundedMinor: payment.refundedMinor + d.amountMinor,
        reversedPoints: payment.reversedPoints + d.pointsReversed,
        expiredNotReversed: payment.expiredNotReversed - (d.fromExpired ?? 0),
        refundIdentifiers: [...payment.refundIdentifiers, d.refundIdentifier],
        lastRefundId: d.refundId,
        lastRefundAt: d.occurredAt,
      }));
    }
    case 'CashbackReversed': {
      const d = event.data;
      return reversal(state, balance, event, (payment) => ({
        ...payment,
        cashback: payment.cashback.map((c) =>
          c.adjustmentId === d.cashbackId
            ? { ...c, reversedPoints: c.reversedPoints + d.pointsReversed, expiredNotReversed: c.expiredNotReversed - (d.fromExpired ?? 0) }
            : c,
        ),
      }));
    }
    case 'PointsActivated':
      return {
        ...state,
        balance,
        lots: activate(state.lots, event.data.lots, state.balance.available),
        payments: withPayment(state.payments, event.data.paymentId, (payment) => ({ ...payment, status: 'available' })),
      };
    case 'PointsExpired':
      return {
        ...state,
        balance,
        lifetime: { ...lifetime, expired: lifetime.expired + event.data.points },
        lots: applyDraws(state.lots, lotsMoved(event)),
        payments: withExpired(state, event.data.lotId, event.data.points),
      };
    case 'TierChanged': {
      const { to, occurredAt } = event.data;
      const { tier: _held, ...rest } = state;
      return {
        ...rest,
        ...(to !== null && { tier: { tierId: to, since: occurredAt } }),
        tierHistory: [...state.tierHistory, { tierId: to, from: occurredAt }],
      };
    }
    case 'PointsVoided': {
      const d = event.data;
      return {
        ...state,
        balance,
        lifetime: { ...lifetime, reversed: lifetime.reversed + d.points },
        lots: applyDraws(state.lots, d.lots),
        payments: withPayment(state.payments, d.paymentId, (payment) => ({ ...payment, status: 'voided' })),
      };
    }
  }
}

/**
 * What a refund and a cashback reversal both do: the points reversed (and, of those, written off)
 * count in lifetime, and the lots they drew from lose them; `change` is what each records on the
 * payment (its refund, or its cashback's reversal).
 */
function reversal(
  state: Enrolled,
  balance: Enrolled['balance'],
  event: PaymentRefunded | CashbackReversed,
  change: (payment: PaymentFacts) => PaymentFacts,
): Enrolled {
  const { pointsReversed, writtenOff, paymentId } = event.data;
  const lifetime = state.lifetime;
  return {
    ...state,
    balance,
    lifetime: { ...lifetime, reversed: lifetime.reversed + pointsReversed, writtenOff: lifetime.writtenOff + writtenOff },
    lots: applyDraws(state.lots, lotsMoved(event)),
    payments: withPayment(state.payments, paymentId, change),
  };
}

/** The payments with one payment's facts changed; as they were for a payment the stream does not hold. */
function withPayment(payments: AppendOnlyMap<PaymentFacts>, paymentId: string, change: (payment: PaymentFacts) => PaymentFacts): AppendOnlyMap<PaymentFacts> {
  const payment = payments.get(paymentId);
  return payment === undefined ? payments : payments.set(paymentId, change(payment));
}

/**
 * The payments after a payment's or a cashback's lot expired: the points it lost are remembered,
 * so that a later refund does not take them from the customer a second time (refund-payment.ts).
 */
function withExpired(state: Enrolled, lotId: string, points: number): AppendOnlyMap<PaymentFacts> {
  const own = state.payments.get(lotId);
  if (own !== undefined) return state.payments.set(lotId, { ...own, expiredNotReversed: own.expiredNotReversed + points });
  const paymentId = state.lots.find((lot) => lot.lotId === lotId)?.paymentId;
  if (paymentId === undefined) return state.payments;
  return withPayment(state.payments, paymentId, (payment) => ({
    ...payment,
    cashback: payment.cashback.map((c) => (c.adjustmentId === lotId ? { ...c, expiredNotReversed: c.expiredNotReversed + points } : c)),
  }));
}

const lotSourceOf = (kind: PointsAdjusted['data']['kind']): LotSource => (kind === 'cashback' ? 'cashback' : kind === 'reward' ? 'reward' : 'adjustment');

/** A new earning's lot: pending until `activatesAt`, or available at once, paying what is owed first. */
function earn(state: Enrolled, lot: Omit<Lot, 'remaining' | 'activatesAt'>, points: number, activatesAt: string | undefined): readonly Lot[] {
  if (activatesAt !== undefined) return openLot(state.lots, { ...lot, remaining: points, activatesAt });
  return openLot(state.lots, { ...lot, remaining: points - settleOwed(state.balance.available, points) });
}

/** Pending lots made available, in the recorded order, each paying what is still owed first. */
function activate(lots: readonly Lot[], activated: readonly LotDraw[], netBefore: number): readonly Lot[] {
  let net = netBefore;
  let out = lots;
  for (const { lotId, points } of activated) {
    const lot = out.find((l) => l.lotId === lotId);
    if (lot === undefined) continue;
    const repaid = settleOwed(net, points);
    net += points;
    const { activatesAt: _activatesAt, ...available } = lot;
    out = openLot(
      out.filter((l) => l !== lot),
      { ...available, remaining: lot.remaining - repaid },
    );
  }
  return out;
}

/**
 * The lots an event draws from (spends, reversals: their pending points from the reversed
 * earning's own lot first), activates or voids, with their points. An earning opens its own lot
 * (its id is the earning's) and draws from none. Spends recorded before lots existed: none listed.
 */
export function lotsMoved(event: CustomerEvent): readonly LotDraw[] {
  switch (event.type) {
    case 'PointsAdjusted':
      return event.data.lots ?? [];
    case 'PaymentRefunded':
      return withPending(event.data.lots, event.data.paymentId, event.data.fromPending);
    case 'CashbackReversed':
      return withPending(event.data.lots, event.data.cashbackId, event.data.fromPending);
    case 'PointsActivated':
    case 'PointsVoided':
      return event.data.lots;
    case 'PointsExpired':
      return [{ lotId: event.data.lotId, points: event.data.points }];
    default:
      return [];
  }
}

/** A reversal's draws, with its pending points taken from the reversed earning's own lot. */
const withPending = (draws: readonly LotDraw[], lotId: string, fromPending: number): readonly LotDraw[] =>
  fromPending > 0 ? [{ lotId, points: fromPending }, ...draws] : draws;

/**
 * What an event does to the balances, from its own data alone: the net available balance and the
 * pending balance. The history and the export sum these for running balances on either time
 * basis; `evolve` applies them too, so the two can never disagree.
 */
export function balanceEffect(event: CustomerEvent): { readonly available: number; readonly pending: number } {
  switch (event.type) {
    case 'CustomerEnrolled':
    case 'VisitCreated':
      return NO_EFFECT;
    case 'PaymentRecorded':
      return event.data.activatesAt === undefined ? { available: event.data.points, pending: 0 } : { available: 0, pending: event.data.points };
    case 'PointsAdjusted':
      return event.data.points > 0 && event.data.activatesAt !== undefined
        ? { available: 0, pending: event.data.points }
        : { available: event.data.points, pending: 0 };
    case 'PaymentRefunded':
    case 'CashbackReversed':
      // Written-off points were never taken: only the drawn and the owed ones leave the balance.
      return { available: -(sumOf(event.data.lots) + event.data.owed), pending: -event.data.fromPending };
    case 'PointsActivated':
      return { available: event.data.points, pending: -event.data.points };
    case 'PointsVoided':
      return { available: 0, pending: -event.data.points };
    case 'PointsExpired':
      return event.data.pending ? { available: 0, pending: -event.data.points } : { available: -event.data.points, pending: 0 };
    case 'TierChanged':
      return NO_EFFECT;
  }
}

const NO_EFFECT = { available: 0, pending: 0 } as const;
const sumOf = (draws: readonly LotDraw[]): number => draws.reduce((sum, d) => sum + d.points, 0);

/** Points this event moves on the (net) available balance, signed. */
export const pointsDelta = (event: CustomerEvent): number => balanceEffect(event).available;

/** Points this event moves on the pending balance, signed. */
export const pendingDelta = (event: CustomerEvent): number => balanceEffect(event).pending;

/** The balances as every view shows them: never a negative available, the debt as owed. */
export function balanceView(balance: Enrolled['balance']): { readonly available: number; readonly pending: number; readonly owed: number } {
  return { available: Math.max(0, balance.available), pending: balance.pending, owed: Math.max(0, -balance.available) };
}

export const availableBalance = (state: CustomerState): number => (state.status === 'Enrolled' ? state.balance.available : 0);

/** The id of what an entry is about: the customer, visit, payment, adjustment, refund or reversal. */
export function subjectIdOf(event: CustomerEvent): string {
  switch (event.type) {
    case 'CustomerEnrolled':
      return event.data.customerId;
    case 'VisitCreated':
      return event.data.visitId;
    case 'PaymentRecorded':
    case 'PointsActivated':
    case 'PointsVoided':
      return event.data.paymentId;
    case 'PointsAdjusted':
      return event.data.adjustmentId;
    case 'PaymentRefunded':
      return event.data.refundId;
    case 'CashbackReversed':
      return event.data.reversalId;
    case 'PointsExpired':
      return event.data.lotId;
    case 'TierChanged':
      return event.data.customerId;
  }
}

/** The tier held at a business time (a backdated payment earns at the tier of its own time), or undefined. */
export function tierAt(state: Enrolled, at: string): string | undefined {
  let held: string | null = null;
  for (const change of state.tierHistory) {
    if (Date.parse(change.from) > Date.parse(at)) break;
    held = change.tierId;
  }
  return held ?? undefined;
}
