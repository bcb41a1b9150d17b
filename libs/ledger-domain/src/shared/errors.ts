/**
 * Every way a command can be refused, as a value. The HTTP layer maps each tag once to an
 * RFC 7807 problem (see `apps/ledger-api/src/http/problem.ts`); nothing here throws.
 */
export type LedgerError =
  | InvalidInput
  | CustomerNotFound
  | CustomerAlreadyEnrolled
  | ContactTaken
  | DuplicatePurchase
  | PaymentAlreadyRecorded
  | VisitNotFound
  | InsufficientPoints
  | CurrencyMismatch
  | OccurredInFuture
  | ProgramNotConfigured
  | ProgramVersionMismatch
  | IdempotencyKeyReused
  | PaymentNotFound
  | DuplicateRefund
  | RefundExceedsPayment
  | PointsNotPending
  | PointsNotDue
  | PaymentVoided
  | NothingToExpire
  | NotDueYet
  | TierUnchanged
  | AmountOutOfRange;

/** One field that failed validation: where, and what was expected. Never the value itself. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface InvalidInput {
  readonly _tag: 'InvalidInput';
  readonly errors: readonly FieldError[];
}
export interface CustomerNotFound {
  readonly _tag: 'CustomerNotFound';
  readonly customerId: string;
}
export interface CustomerAlreadyEnrolled {
  readonly _tag: 'CustomerAlreadyEnrolled';
  readonly customerId: string;
}
/** E-mail and phone are each unique across customers. */
export interface ContactTaken {
  readonly _tag: 'ContactTaken';
  readonly field: 'email' | 'phone';
}
/** (location, purchase identifier) already credited: the double-credit guard. */
export interface DuplicatePurchase {
  readonly _tag: 'DuplicatePurchase';
  readonly locationId: string;
  readonly purchaseIdentifier: string;
}
/**
 * The payment id is in the customer's ledger already. The API never gets here (payment ids derive
 * from the command id, and the command runner answers a repeated command before deciding); the
 * decider refuses rather than credit the payment twice or answer with no payment at all.
 */
export interface PaymentAlreadyRecorded {
  readonly _tag: 'PaymentAlreadyRecorded';
  readonly paymentId: string;
}
export interface VisitNotFound {
  readonly _tag: 'VisitNotFound';
  readonly visitId: string;
}
export interface InsufficientPoints {
  readonly _tag: 'InsufficientPoints';
  readonly available: number;
  readonly requested: number;
}
export interface CurrencyMismatch {
  readonly _tag: 'CurrencyMismatch';
  readonly expected: string;
  readonly actual: string;
}
/** Business time more than the allowed skew ahead of the server clock. */
export interface OccurredInFuture {
  readonly _tag: 'OccurredInFuture';
  readonly occurredAt: string;
  readonly latestAllowed: string;
}
export interface ProgramNotConfigured {
  readonly _tag: 'ProgramNotConfigured';
}
/** `If-Match` named a program version that is no longer current. */
export interface ProgramVersionMismatch {
  readonly _tag: 'ProgramVersionMismatch';
  readonly expected: number;
  readonly actual: number;
}
/** The same Idempotency-Key was sent again with a different request. */
export interface IdempotencyKeyReused {
  readonly _tag: 'IdempotencyKeyReused';
}

/** No payment with this id in this customer's ledger (another customer's payment is not found either). */
export interface PaymentNotFound {
  readonly _tag: 'PaymentNotFound';
  readonly paymentId: string;
}
/** (payment, refund identifier) already recorded: the same credit note twice reverses nothing twice. */
export interface DuplicateRefund {
  readonly _tag: 'DuplicateRefund';
  readonly paymentId: string;
  readonly refundIdentifier: string;
}
/** The refunds of a payment would add up to more than was paid. Amounts in minor units. */
export interface RefundExceedsPayment {
  readonly _tag: 'RefundExceedsPayment';
  readonly paymentId: string;
  readonly paidMinor: number;
  readonly refundedMinor: number;
  readonly requestedMinor: number;
  readonly currency: string;
}
/** The payment has no pending points left to activate or void (activated, voided or reversed already). */
export interface PointsNotPending {
  readonly _tag: 'PointsNotPending';
  readonly paymentId: string;
}
/** The payment's points are pending until `activatesAt`; only an early activation may come before. */
export interface PointsNotDue {
  readonly _tag: 'PointsNotDue';
  readonly paymentId: string;
  readonly activatesAt: string;
}
/** The payment's pending points were voided: nothing more is earned on it. */
export interface PaymentVoided {
  readonly _tag: 'PaymentVoided';
  readonly paymentId: string;
}

/** The lot has nothing left to expire (spent, reversed, voided, expired already) or never expires. */
export interface NothingToExpire {
  readonly _tag: 'NothingToExpire';
  readonly lotId: string;
}
/** A time-driven fact asked for before its time (an expiry before the lot's `expiresAt`). */
export interface NotDueYet {
  readonly _tag: 'NotDueYet';
  readonly lotId: string;
  readonly dueAt: string;
}

/** The tier the customer holds is the one the rules give now (or the day's step down was taken). */
export interface TierUnchanged {
  readonly _tag: 'TierUnchanged';
  readonly customerId: string;
}

/** The command would take a balance or lifetime total past what the ledger keeps exact. */
export interface AmountOutOfRange {
  readonly _tag: 'AmountOutOfRange';
  readonly limit: number;
}

export const invalid = (path: string, message: string): InvalidInput => ({
  _tag: 'InvalidInput',
  errors: [{ path, message }],
});
