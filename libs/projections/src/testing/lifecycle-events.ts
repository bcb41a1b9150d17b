import type { PointsActivated } from '#ledger-domain/customer/activate-points';
import type { LotDraw } from '#ledger-domain/customer/lots';
import type { CashbackReversed, PaymentRefunded } from '#ledger-domain/customer/refund-payment';
import type { PointsVoided } from '#ledger-domain/customer/void-points';
import type { PointsExpired } from '#ledger-domain/customer/expire-points';
import { CUSTOMER_ID } from '#ledger-domain/testing/customer-fixtures';

/**
 * Builders for the points-lifecycle events as the domain stores them, for the projections' unit
 * specs: every figure is given (what was reversed, from which lots, what was owed or written
 * off), so a spec states its expected rows by hand. Defaults: the customer and location of the
 * domain's fixtures, a 100.00 USD payment refunded in full.
 */

export interface ReversalFigures {
  readonly pointsReversed: number;
  readonly fromPending?: number;
  readonly lots?: readonly LotDraw[];
  readonly owed?: number;
  readonly writtenOff?: number;
}

const allocation = (f: ReversalFigures) => ({
  pointsReversed: f.pointsReversed,
  fromPending: f.fromPending ?? 0,
  lots: [...(f.lots ?? [])],
  owed: f.owed ?? 0,
  writtenOff: f.writtenOff ?? 0,
  shortfallPolicy: (f.writtenOff ?? 0) > 0 ? ('writeOff' as const) : ('debt' as const),
});

export const paymentRefunded = (
  refundId: string,
  paymentId: string,
  figures: ReversalFigures,
  data: Partial<Omit<PaymentRefunded['data'], keyof ReversalFigures>> = {},
): PaymentRefunded => ({
  type: 'PaymentRefunded',
  data: {
    refundId,
    paymentId,
    customerId: CUSTOMER_ID,
    refundIdentifier: `CN-${refundId}`,
    amountMinor: 10_000,
    currency: 'USD',
    locationId: 'loc-dublin',
    occurredAt: '2026-03-05T10:00:00.000Z',
    paymentAmountMinor: 10_000,
    paymentPoints: 100,
    refundedBeforeMinor: 0,
    reversedBefore: 0,
    ...allocation(figures),
    ...data,
  },
});

export const cashbackReversed = (
  refundId: string,
  cashbackId: string,
  paymentId: string,
  figures: ReversalFigures,
  data: Partial<Omit<CashbackReversed['data'], keyof ReversalFigures>> = {},
): CashbackReversed => ({
  type: 'CashbackReversed',
  data: {
    reversalId: `${refundId}:${cashbackId}`,
    cashbackId,
    paymentId,
    refundId,
    customerId: CUSTOMER_ID,
    occurredAt: '2026-03-05T10:00:00.000Z',
    cashbackPoints: 5,
    paymentAmountMinor: 10_000,
    refundedTotalMinor: 10_000,
    reversedBefore: 0,
    ...allocation(figures),
    ...data,
  },
});

export const pointsActivated = (paymentId: string, lots: readonly LotDraw[], data: Partial<PointsActivated['data']> = {}): PointsActivated => ({
  type: 'PointsActivated',
  data: {
    paymentId,
    customerId: CUSTOMER_ID,
    occurredAt: '2026-03-08T00:00:00.000Z',
    early: false,
    lots: [...lots],
    points: lots.reduce((n, l) => n + l.points, 0),
    ...data,
  },
});

export const pointsVoided = (paymentId: string, lots: readonly LotDraw[], data: Partial<PointsVoided['data']> = {}): PointsVoided => ({
  type: 'PointsVoided',
  data: {
    paymentId,
    customerId: CUSTOMER_ID,
    occurredAt: '2026-03-06T09:00:00.000Z',
    reason: 'suspected fraud',
    lots: [...lots],
    points: lots.reduce((n, l) => n + l.points, 0),
    ...data,
  },
});

export const pointsExpired = (lotId: string, points: number, data: Partial<PointsExpired['data']> = {}): PointsExpired => ({
  type: 'PointsExpired',
  data: { lotId, customerId: CUSTOMER_ID, occurredAt: '2026-04-01T00:00:00.000Z', points, pending: false, ...data },
});
