import { createHash } from 'node:crypto';

/**
 * Stream names. The text before the first `-` is the category (EventStoreDB's `$ce-` convention),
 * so projections and subscriptions can filter by it: `loyaltyAccount`, `loyaltyProgram`,
 * `loyaltyReservation`.
 */
export const accountStream = (customerId: string): string => `loyaltyAccount-${customerId}`;
export const programStream = (programId: string): string => `loyaltyProgram-${programId}`;

/**
 * What a reservation makes unique across all customers: contact details, a purchase at a
 * location, and Idempotency-Keys (a key names one request to one stream, for good).
 */
export type ReservationScope = 'email' | 'phone' | 'purchase' | 'idempotency-key';

/**
 * One stream per unique value. The value is hashed: stream names end up in logs, URLs and
 * category listings, and an e-mail address must not.
 */
export const reservationStream = (scope: ReservationScope, value: string): string =>
  `loyaltyReservation-${scope}_${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;

/** (location, purchase identifier) as one reservation value; NUL cannot occur in either part. */
export const purchaseKey = (locationId: string, purchaseIdentifier: string): string => `${locationId}\u0000${purchaseIdentifier}`;
