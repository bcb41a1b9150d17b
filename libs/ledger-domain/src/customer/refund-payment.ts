import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { reversalShortfallOf, ReversalShortfallC, type ReversalShortfall } from '../program/lifecycle-settings';
import type { ProgramSnapshot } from '../program/program';
import { SafeInteger } from '../shared/codecs';
import { invalid, type LedgerError } from '../shared/errors';
import { parseAmount } from '../shared/money';
import { checkNotInFuture } from '../shared/time';
import { evolveCustomer, type CashbackFacts, type CustomerState, type Enrolled, type PaymentFacts } from './customer';
import { drawAvailable, isPending, LotDrawsC, sumDraws, type LotDraw } from './lots';

/**
 * A return: money paid back on a payment (the goods came back), recorded against the payment.
 * Several partial refunds may follow one payment; their amounts add up to at most what was paid.
 *
 * The points reversed come from what the payment itself earned, never from today's rules:
 * cumulatively, reversedSoFar = floor(pointsEarned × refundedSoFar / amountPaid), and each refund
 * reverses reversedSoFar − reversedBefore, so partial refunds never drift and a full refund
 * reverses exactly what was earned. Each cashback the payment earned is reversed the same way, in
 * proportion, by its own `CashbackReversed`. Visits stay: the customer was there.
 *
 * The reversal takes the points from the payment's own lot first (pending or available, or, for
 * what the lot lost to expiry, nowhere: see `allocateReversal`), then from the other available
 * lots in spending order. A return happened in the real world, so a
 * reversal is never refused for lack of points: what is missing is owed (policy "debt") or
 * written off ("writeOff"), as the program says, and the event records which.
 */
export interface RefundPayment {
  readonly type: 'RefundPayment';
  readonly customerId: string;
  readonly refundId: string;
  readonly paymentId: string;
  /** Decimal string in the payment's currency, as for payments ("19.99"). */
  readonly amount: string;
  /** The credit note or return number: with the payment, unique. */
  readonly refundIdentifier: string;
  readonly occurredAt: string;
  readonly reason?: string;
  readonly program: ProgramSnapshot | undefined;
  readonly now: Date;
}

/**
 * Of the points reversed, those the reversed earning's own lot had lost to expiry: taken from the
 * customer once already, so not again (counted in `writtenOff`). Absent: none (and on every
 * reversal recorded before expiry existed).
 */
const REVERSAL_FROM_EXPIRED = { fromExpired: SafeInteger };

/** How a reversal's points were found: the lots drawn from, then what was owed or written off. */
const REVERSAL_ALLOCATION = {
  /** Points taken from the reversed earning's own lot while it was still pending. */
  fromPending: SafeInteger,
  /** Points taken from available lots, in order (the earning's own lot first). */
  lots: LotDrawsC,
  /** Points the lots could not cover, added to what the customer owes (policy "debt"). */
  owed: SafeInteger,
  /**
   * Points written off: what the lots could not cover under policy "writeOff", and, under either
   * policy, the reversed earning's points that had expired already (`fromExpired`).
   */
  writtenOff: SafeInteger,
  /** The program's policy for a shortfall when the reversal was decided. */
  shortfallPolicy: ReversalShortfallC,
};

export const PaymentRefundedDataC = t.intersection([
  t.type({
    refundId: t.string,
    paymentId: t.string,
    customerId: t.string,
    refundIdentifier: t.string,
    /** This refund, in minor units of the payment's currency. */
    amountMinor: SafeInteger,
    currency: t.string,
    /** The payment's location: reports count the refunded revenue there. */
    locationId: t.string,
    occurredAt: t.string,
    // The figures the reversal was computed from, so an auditor can redo the arithmetic.
    paymentAmountMinor: SafeInteger,
    paymentPoints: SafeInteger,
    refundedBeforeMinor: SafeInteger,
    reversedBefore: SafeInteger,
    /** floor(paymentPoints × (refundedBefore + amount) / paymentAmount) − reversedBefore. */
    pointsReversed: SafeInteger,
    ...REVERSAL_ALLOCATION,
  }),
  t.partial({ reason: t.string, ...REVERSAL_FROM_EXPIRED }),
]);
export interface PaymentRefunded {
  readonly type: 'PaymentRefunded';
  readonly data: t.TypeOf<typeof PaymentRefundedDataC>;
}

export const CashbackReversedDataC = t.intersection([
  t.type({
    /** `<refundId>:<cashbackId>`: one reversal per refund and cashback. */
    reversalId: t.string,
    /** The adjustment id of the cashback reversed. */
    cashbackId: t.string,
    paymentId: t.string,
    refundId: t.string,
    customerId: t.string,
    occurredAt: t.string,
    cashbackPoints: SafeInteger,
    paymentAmountMinor: SafeInteger,
    refundedTotalMinor: SafeInteger,
    reversedBefore: SafeInteger,
    /** floor(cashbackPoints × refundedTotal / paymentAmount) − reversedBefore. */
    pointsReversed: SafeInteger,
    ...REVERSAL_ALLOCATION,
  }),
  t.partial(REVERSAL_FROM_EXPIRED),
]);
export interface CashbackReversed {
  readonly type: 'CashbackReversed';
  readonly data: t.TypeOf<typeof CashbackReversedDataC>;
}

/** The cumulative reversal: what `refundedSoFar` of `paid` takes back of `earned`, rounded down. */
export const reversedFor = (earned: number, refundedSoFar: number, paid: number): number => Number((BigInt(earned) * BigInt(refundedSoFar)) / BigInt(paid));

export function refundPayment(command: RefundPayment, state: CustomerState): E.Either<LedgerError, readonly (PaymentRefunded | CashbackReversed)[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  const payment = state.payments.get(command.paymentId);
  if (payment === undefined) return E.left({ _tag: 'PaymentNotFound', paymentId: command.paymentId });
  const amount = parseAmount(command.amount, payment.currency);
  if (E.isLeft(amount)) return amount;
  const notInFuture = checkNotInFuture(command.occurredAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  if (Date.parse(command.occurredAt) < Date.parse(payment.occurredAt)) return E.left(invalid('occurredAt', 'expected a time at or after the payment'));
  if (payment.refundIdentifiers.includes(command.refundIdentifier)) {
    return E.left({ _tag: 'DuplicateRefund', paymentId: command.paymentId, refundIdentifier: command.refundIdentifier });
  }
  const refundedTotal = payment.refundedMinor + amount.right;
  if (refundedTotal > payment.amountMinor) {
    return E.left({
      _tag: 'RefundExceedsPayment',
      paymentId: command.paymentId,
      paidMinor: payment.amountMinor,
      refundedMinor: payment.refundedMinor,
      requestedMinor: amount.right,
      currency: payment.currency,
    });
  }
  const policy = reversalShortfallOf(command.program?.settings ?? {});
  // Voided points were cancelled already: the refund is recorded, nothing more is reversed.
  const pointsReversed = payment.status === 'voided' ? 0 : reversedFor(payment.points, refundedTotal, payment.amountMinor) - payment.reversedPoints;
  const refund: PaymentRefunded = {
    type: 'PaymentRefunded',
    data: {
      refundId: command.refundId,
      paymentId: command.paymentId,
      customerId: command.customerId,
      refundIdentifier: command.refundIdentifier,
      amountMinor: amount.right,
      currency: payment.currency,
      locationId: payment.locationId,
      occurredAt: command.occurredAt,
      paymentAmountMinor: payment.amountMinor,
      paymentPoints: payment.points,
      refundedBeforeMinor: payment.refundedMinor,
      reversedBefore: payment.reversedPoints,
      pointsReversed,
      ...allocateReversal(state, command.paymentId, pointsReversed, policy, payment.expiredNotReversed),
      ...(command.reason !== undefined && { reason: command.reason }),
    },
  };
  const events: (PaymentRefunded | CashbackReversed)[] = [refund];
  // Nor is the cashback's: a void cancels the payment's cashback with it (a cashback is only ever
  // issued pending with a pending payment, and none after the void), so reversing it again would
  // take its points twice, from the customer's other lots or as a debt.
  if (payment.status === 'voided') return E.right(events);
  let after = evolveCustomer(state, refund) as Enrolled;
  for (const cashback of payment.cashback) {
    const reversal = cashbackReversal(after, payment, cashback, { refundId: command.refundId, refundedTotal, occurredAt: command.occurredAt }, policy);
    if (reversal === undefined) continue;
    events.push(reversal);
    after = evolveCustomer(after, reversal) as Enrolled;
  }
  return E.right(events);
}

/**
 * The proportional reversal of one cashback of a refunded payment, or undefined when it takes
 * nothing back (nothing new rounds to a point). Also used when a cashback is issued after the
 * payment was refunded in part: the refunded share is reversed at once.
 */
export function cashbackReversal(
  state: Enrolled,
  payment: PaymentFacts,
  cashback: CashbackFacts,
  refund: { readonly refundId: string; readonly refundedTotal: number; readonly occurredAt: string },
  policy: ReversalShortfall,
): CashbackReversed | undefined {
  const pointsReversed = reversedFor(cashback.points, refund.refundedTotal, payment.amountMinor) - cashback.reversedPoints;
  if (pointsReversed <= 0) return undefined;
  return {
    type: 'CashbackReversed',
    data: {
      reversalId: `${refund.refundId}:${cashback.adjustmentId}`,
      cashbackId: cashback.adjustmentId,
      paymentId: payment.paymentId,
      refundId: refund.refundId,
      customerId: state.customerId,
      occurredAt: refund.occurredAt,
      cashbackPoints: cashback.points,
      paymentAmountMinor: payment.amountMinor,
      refundedTotalMinor: refund.refundedTotal,
      reversedBefore: cashback.reversedPoints,
      pointsReversed,
      ...allocateReversal(state, cashback.adjustmentId, pointsReversed, policy, cashback.expiredNotReversed),
    },
  };
}

/**
 * Where a reversal's points come from: the reversed earning's own lot first (its pending points,
 * its available ones, or what it lost to expiry), then the other available lots in spending
 * order, then the shortfall policy. Never refused.
 *
 * Points the earning's own lot lost to expiry (`expiredNotReversed`; an expired lot is closed, so
 * it has no points left besides) left the customer's balance once already, as breakage: taking
 * them again from the customer's other lots, or as a debt, would take the same points twice and
 * leave them worse off than had they never bought (points they spent, by contrast, bought
 * something, and are taken back). So they are written off, whatever the shortfall policy, and
 * the event says how many (`fromExpired`). This also keeps the return window's promise: a refund
 * of points still pending, or expired while pending, can never be owed.
 */
function allocateReversal(
  state: Enrolled,
  lotId: string,
  points: number,
  policy: ReversalShortfall,
  expiredNotReversed: number,
): { fromPending: number; lots: LotDraw[]; owed: number; writtenOff: number; shortfallPolicy: ReversalShortfall; fromExpired?: number } {
  const own = state.lots.find((lot) => lot.lotId === lotId);
  const fromPending = own !== undefined && isPending(own) ? Math.min(points, own.remaining) : 0;
  const fromExpired = Math.min(points - fromPending, expiredNotReversed);
  const { draws, shortfall } = drawAvailable(state.lots, points - fromPending - fromExpired, lotId);
  const covered = fromPending + fromExpired + sumDraws(draws);
  return {
    fromPending,
    lots: draws,
    owed: policy === 'debt' ? points - covered : 0,
    writtenOff: (policy === 'writeOff' ? shortfall : 0) + fromExpired,
    shortfallPolicy: policy,
    ...(fromExpired > 0 && { fromExpired }),
  };
}
