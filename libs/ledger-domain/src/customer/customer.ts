import { AppendOnlySet } from './append-only-set';
import type { CustomerEnrolled } from './enrol-customer';
import { isEarnedKind, type PointsAdjusted } from './adjust-points';
import type { PaymentRecorded } from './record-payment';
import type { VisitCreated } from './record-visit';

/**
 * A customer's loyalty account: the fold of the events in its `loyaltyAccount-<customerId>` stream.
 *
 * Glossary
 * - available balance: points the customer can spend now.
 * - pending balance: points earned but not yet spendable (return window). Always 0 until pending
 *   points are built; kept in the state so the rules that read `available` need not change.
 * - lifetime earned / redeemed: totals that never go down (tiers read lifetime, not available).
 * - adjustment: a manual ± correction by back-office staff, always with a reason.
 * - redemption: points spent by the customer.
 * - reward / cashback: points a program rule issued for a visit threshold or a payment. Earned
 *   points like a payment's: they count in lifetime earned.
 */
export type CustomerEvent = CustomerEnrolled | VisitCreated | PaymentRecorded | PointsAdjusted;

export type CustomerState = NotEnrolled | Enrolled;

export interface NotEnrolled {
  readonly status: 'NotEnrolled';
}

export interface Enrolled {
  readonly status: 'Enrolled';
  readonly customerId: string;
  readonly email?: string;
  readonly phone?: string;
  readonly name?: string;
  readonly balance: { readonly available: number; readonly pending: number };
  readonly lifetime: {
    readonly earned: number;
    readonly redeemed: number;
    readonly adjustedIn: number;
    readonly adjustedOut: number;
  };
  /** Visit ids of this customer, so a payment can only attach to one of its own visits. */
  readonly visits: AppendOnlySet;
  /**
   * Payment ids recorded, so a refund can later find the payment whose points it reverses
   * (and earning lots, FIFO expiry, can be keyed by them).
   */
  readonly payments: AppendOnlySet;
  readonly visitCount: number;
  readonly paymentCount: number;
}

export const initialCustomerState = (): CustomerState => ({ status: 'NotEnrolled' });

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerEnrolled': {
      const { customerId, email, phone, name } = event.data;
      return {
        status: 'Enrolled',
        customerId,
        ...(email !== undefined && { email }),
        ...(phone !== undefined && { phone }),
        ...(name !== undefined && { name }),
        balance: { available: 0, pending: 0 },
        lifetime: { earned: 0, redeemed: 0, adjustedIn: 0, adjustedOut: 0 },
        visits: AppendOnlySet.empty(),
        payments: AppendOnlySet.empty(),
        visitCount: 0,
        paymentCount: 0,
      };
    }
    case 'VisitCreated':
      if (state.status !== 'Enrolled') return state;
      return { ...state, visits: state.visits.add(event.data.visitId), visitCount: state.visitCount + 1 };
    case 'PaymentRecorded':
      if (state.status !== 'Enrolled') return state;
      return {
        ...state,
        payments: state.payments.add(event.data.paymentId),
        paymentCount: state.paymentCount + 1,
        balance: { ...state.balance, available: state.balance.available + event.data.points },
        lifetime: { ...state.lifetime, earned: state.lifetime.earned + event.data.points },
      };
    case 'PointsAdjusted': {
      if (state.status !== 'Enrolled') return state;
      const { points, kind } = event.data;
      const lifetime =
        kind === 'redemption'
          ? { ...state.lifetime, redeemed: state.lifetime.redeemed - points }
          : isEarnedKind(kind)
            ? { ...state.lifetime, earned: state.lifetime.earned + points }
            : points >= 0
              ? { ...state.lifetime, adjustedIn: state.lifetime.adjustedIn + points }
              : { ...state.lifetime, adjustedOut: state.lifetime.adjustedOut - points };
      return { ...state, balance: { ...state.balance, available: state.balance.available + points }, lifetime };
    }
  }
}

/** Points this event moves on the available balance (signed). */
export function pointsDelta(event: CustomerEvent): number {
  switch (event.type) {
    case 'PaymentRecorded':
      return event.data.points;
    case 'PointsAdjusted':
      return event.data.points;
    case 'CustomerEnrolled':
    case 'VisitCreated':
      return 0;
  }
}

export const availableBalance = (state: CustomerState): number => (state.status === 'Enrolled' ? state.balance.available : 0);
