import { balanceView, type CustomerState, type Enrolled } from '#ledger-domain/customer/customer';
import { tierStanding, type TierStanding } from '#ledger-domain/customer/evaluate-tier';
import type { ProgramSnapshot } from '#ledger-domain/program/program';

/** A customer as the back-office sees it, straight from the customer's ledger stream. */
export interface CustomerView {
  readonly customerId: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly name: string | null;
  /** available (never below zero), pending (earned, not yet spendable) and owed (0 unless in debt). */
  readonly balance: { readonly available: number; readonly pending: number; readonly owed: number };
  readonly lifetime: Enrolled['lifetime'];
  readonly visitCount: number;
  readonly paymentCount: number;
  /** The tier held, the qualifying points now, and the points the next tier needs. */
  readonly tier: TierStanding;
  /** The soonest expiry of points the customer still has (null: nothing expires). */
  readonly nextExpiry: { readonly expiresAt: string; readonly points: number } | null;
  /** Global position of the customer's latest event (decimal string). */
  readonly position: string;
}

export function customerView(state: Enrolled, position: bigint, program: ProgramSnapshot | undefined, now: Date): CustomerView {
  return {
    customerId: state.customerId,
    email: state.email ?? null,
    phone: state.phone ?? null,
    name: state.name ?? null,
    balance: balanceView(state.balance),
    lifetime: state.lifetime,
    visitCount: state.visitCount,
    paymentCount: state.paymentCount,
    tier: tierStanding(state, program, now),
    nextExpiry: nextExpiryOf(state),
    position: position.toString(),
  };
}

export const isEnrolled = (state: CustomerState): state is Enrolled => state.status === 'Enrolled';

/** The lots are in spending order, earliest expiry first: the first that expires is the next, with every lot of that instant. */
function nextExpiryOf(state: Enrolled): CustomerView['nextExpiry'] {
  const first = state.lots.find((lot) => lot.expiresAt !== undefined);
  if (first?.expiresAt === undefined) return null;
  const points = state.lots.filter((lot) => lot.expiresAt === first.expiresAt).reduce((sum, lot) => sum + lot.remaining, 0);
  return { expiresAt: first.expiresAt, points };
}
