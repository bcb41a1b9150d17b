import { digestHex } from '#event-store/hash-chain';

/**
 * Stream names. The text before the first `-` is the category (EventStoreDB's `$ce-` convention),
 * so projections and subscriptions can filter by it: `loyaltyAccount`, `loyaltyProgram`,
 * `loyaltyReservation`.
 */
export const STREAM_PREFIX = 'loyalty';
export const ACCOUNT_CATEGORY = `${STREAM_PREFIX}Account`;
export const PROGRAM_CATEGORY = `${STREAM_PREFIX}Program`;
export const RESERVATION_CATEGORY = `${STREAM_PREFIX}Reservation`;

export const accountStream = (customerId: string): string => `${ACCOUNT_CATEGORY}-${customerId}`;
export const programStream = (programId: string): string => `${PROGRAM_CATEGORY}-${programId}`;

/** The category of a stream name: the text before its first `-` (empty when there is none). */
export const categoryOf = (streamName: string): string => streamName.slice(0, Math.max(0, streamName.indexOf('-')));

/** The customer id of a customer's account stream, or undefined for any other stream. */
export const customerIdOf = (streamName: string): string | undefined =>
  streamName.startsWith(`${ACCOUNT_CATEGORY}-`) ? streamName.slice(ACCOUNT_CATEGORY.length + 1) : undefined;

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
  `${RESERVATION_CATEGORY}-${scope}_${digestHex('sha256', value).slice(0, 40)}`;

/** (location, purchase identifier) as one reservation value; NUL cannot occur in either part. */
export const purchaseKey = (locationId: string, purchaseIdentifier: string): string => `${locationId}\u0000${purchaseIdentifier}`;
