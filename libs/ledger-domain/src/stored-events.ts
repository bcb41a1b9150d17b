import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { PointsActivatedDataC } from './customer/activate-points';
import { PointsAdjustedDataC } from './customer/adjust-points';
import type { CustomerEvent } from './customer/customer';
import { CustomerEnrolledDataC } from './customer/enrol-customer';
import { PaymentRecordedDataC } from './customer/record-payment';
import { VisitCreatedDataC } from './customer/record-visit';
import { CashbackReversedDataC, PaymentRefundedDataC } from './customer/refund-payment';
import { PointsVoidedDataC } from './customer/void-points';
import { PointsExpiredDataC } from './customer/expire-points';
import { TierChangedDataC } from './customer/evaluate-tier';
import { ProgramConfiguredDataC, type ProgramEvent } from './program/program';
import { reportErrors } from './shared/codecs';

/**
 * Events read back from a store, decoded in one place: one codec per stream kind, and one
 * decoder that every reader uses (the command side's stream loading, the reactions, the
 * projections, the auditor's replay and reconciliation). A stored event that does not decode is
 * not input to refuse but a defect in the store (or a newer writer): it stops the reader loudly,
 * naming the stream, the revision and the field, never the value. Nothing reads a store's events
 * past this decoder, so no reader can silently skip or misread a point.
 */

/** Every event of a customer's `loyaltyAccount-<customerId>` stream. */
export const CustomerEventC: t.Type<CustomerEvent, unknown, unknown> = t.union([
  t.type({ type: t.literal('CustomerEnrolled'), data: CustomerEnrolledDataC }),
  t.type({ type: t.literal('VisitCreated'), data: VisitCreatedDataC }),
  t.type({ type: t.literal('PaymentRecorded'), data: PaymentRecordedDataC }),
  t.type({ type: t.literal('PointsAdjusted'), data: PointsAdjustedDataC }),
  t.type({ type: t.literal('PaymentRefunded'), data: PaymentRefundedDataC }),
  t.type({ type: t.literal('CashbackReversed'), data: CashbackReversedDataC }),
  t.type({ type: t.literal('PointsActivated'), data: PointsActivatedDataC }),
  t.type({ type: t.literal('PointsVoided'), data: PointsVoidedDataC }),
  t.type({ type: t.literal('PointsExpired'), data: PointsExpiredDataC }),
  t.type({ type: t.literal('TierChanged'), data: TierChangedDataC }),
]);

/** Every event of the program's `loyaltyProgram-<programId>` stream. */
export const ProgramEventC: t.Type<ProgramEvent, unknown, unknown> = t.type({ type: t.literal('ProgramConfigured'), data: ProgramConfiguredDataC });

/**
 * Every event of a reservation stream (`loyaltyReservation-<scope>_<hash>`): a unique value
 * (e-mail, phone, purchase at a location, Idempotency-Key) claimed by one owner, or given back.
 * `ownerStream` is the stream of the owner: the customer's account, or for an Idempotency-Key
 * the stream its request wrote to. Reservations written before it existed name the owner by
 * `customerId` instead (a customer id, or for an Idempotency-Key that stream name).
 */
export const ReservationEventC = t.union([
  t.type({
    type: t.literal('UniqueValueReserved'),
    data: t.intersection([
      t.type({ scope: t.string, commandId: t.string, reference: t.string, reservedAt: t.string }),
      t.union([t.type({ ownerStream: t.string }), t.type({ customerId: t.string })]),
    ]),
  }),
  t.type({ type: t.literal('UniqueValueReleased'), data: t.type({ scope: t.string, commandId: t.string, reason: t.string }) }),
]);
export type ReservationEvent = t.TypeOf<typeof ReservationEventC>;

/** What a decoder needs of a stored event; the event store's `RecordedEvent` has it. */
export interface StoredEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
}

/** A stored event that does not decode: the store holds something this code cannot explain. */
export class UndecodableEventError extends Error {
  constructor(
    readonly streamName: string,
    readonly revision: bigint,
    readonly detail: string,
  ) {
    super(`event ${streamName}@${revision} does not decode: ${detail}`);
    this.name = 'UndecodableEventError';
  }
}

/** The decoder of one stream kind: the event, or `UndecodableEventError` thrown. */
export type StoredEventDecoder<Ev> = (stored: StoredEvent) => Ev;

const decoderFor =
  <Ev>(codec: t.Type<Ev, unknown, unknown>): StoredEventDecoder<Ev> =>
  (stored) => {
    const decoded = codec.decode({ type: stored.type, data: stored.data });
    if (E.isRight(decoded)) return decoded.right;
    const detail = reportErrors(decoded.left)
      .map((e) => `${e.path}: ${e.message}`)
      .join('; ');
    throw new UndecodableEventError(stored.streamName, stored.revision, `${stored.type}: ${detail}`);
  };

export const decodeCustomerEvent: StoredEventDecoder<CustomerEvent> = decoderFor(CustomerEventC);
export const decodeProgramEvent: StoredEventDecoder<ProgramEvent> = decoderFor(ProgramEventC);
export const decodeReservationEvent: StoredEventDecoder<ReservationEvent> = decoderFor(ReservationEventC);
