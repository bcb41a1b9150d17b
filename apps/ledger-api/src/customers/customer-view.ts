import { balanceView, type CustomerState, type Enrolled } from '#ledger-domain/customer/customer';

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
  /** Global position of the customer's latest event (decimal string). */
  readonly position: string;
}

export function customerView(state: Enrolled, position: bigint): CustomerView {
  return {
    customerId: state.customerId,
    email: state.email ?? null,
    phone: state.phone ?? null,
    name: state.name ?? null,
    balance: balanceView(state.balance),
    lifetime: state.lifetime,
    visitCount: state.visitCount,
    paymentCount: state.paymentCount,
    position: position.toString(),
  };
}

export const isEnrolled = (state: CustomerState): state is Enrolled => state.status === 'Enrolled';
