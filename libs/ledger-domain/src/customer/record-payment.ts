import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';
import { expiresAtFor, expiryOf, pendingDaysOf } from '../program/lifecycle-settings';
import type { ProgramSettings, ProgramSnapshot } from '../program/program';
import { addDays, dayIn, startOfLocalDay } from '../shared/calendar';
import type { LedgerError } from '../shared/errors';
import { minorUnits, parseAmount } from '../shared/money';
import { parseRatio, pointsEarned, times } from '../shared/points';
import { tierAt, type CustomerState } from './customer';
import { multiplierRatio, tiersOf } from '../program/tiers';
import { SourceC, type Source } from '../shared/source';
import { checkNotInFuture } from '../shared/time';
import type { VisitCreated } from './record-visit';

/**
 * A payment: money spent at a location, identified by the receipt or purchase identifier.
 * It earns floor(amount × pointsPerUnit) points at the program version current when recorded.
 *
 * A payment in store (source manual or scan) without a `visitId` is also a visit: a
 * `VisitCreated` of kind purchase is appended with it, atomically (same stream, same append).
 * Online payments are not visits. With `visitId`, the payment attaches to that existing visit.
 */
export interface RecordPayment {
  readonly type: 'RecordPayment';
  readonly customerId: string;
  readonly paymentId: string;
  /** Id for the visit this payment creates when it is an in-store payment without `visitId`. */
  readonly newVisitId: string;
  /** An existing visit of this customer that the payment belongs to. */
  readonly visitId?: string;
  readonly locationId: string;
  /** Decimal string in the currency's major unit, e.g. "49.99". */
  readonly amount: string;
  readonly currency: string;
  /** Receipt number or order id: with the location, unique across all customers. */
  readonly purchaseIdentifier: string;
  readonly occurredAt: string;
  readonly source: Source;
  readonly program: ProgramSnapshot | undefined;
  readonly now: Date;
}

export const PaymentRecordedDataC = t.intersection([
  t.type({
    paymentId: t.string,
    customerId: t.string,
    locationId: t.string,
    /** Integer minor units of `currency` (4999 = 49.99 USD). */
    amountMinor: SafeInteger,
    currency: t.string,
    purchaseIdentifier: t.string,
    occurredAt: t.string,
    source: SourceC,
    /** Points earned, computed once at recording and never recomputed. */
    points: SafeInteger,
    /** The ratio and program version that produced `points`: replay never reads today's settings. */
    pointsPerUnit: t.string,
    programVersion: SafeInteger,
  }),
  t.partial({
    visitId: t.string,
    /**
     * Present when the points are pending (the program's return window, `pendingDays`): the
     * first instant at which they become available, fixed when earned (a later program change
     * never moves it). Absent: available at once.
     */
    activatesAt: t.string,
    /** When the payment's lot expires (the program's expiry policy when it was earned); absent: never. */
    expiresAt: t.string,
    /** The tier held at the payment's business time, and the multiplier that scaled `points`; absent: none. */
    tierId: t.string,
    multiplier: t.string,
  }),
]);
export interface PaymentRecorded {
  readonly type: 'PaymentRecorded';
  readonly data: t.TypeOf<typeof PaymentRecordedDataC>;
}

export function recordPayment(command: RecordPayment, state: CustomerState): E.Either<LedgerError, readonly (VisitCreated | PaymentRecorded)[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  // Never a second credit for one payment id. Not a retry's answer either: the command runner
  // replays a repeated command before deciding, so reaching this is a defect the caller must see.
  if (state.payments.has(command.paymentId)) return E.left({ _tag: 'PaymentAlreadyRecorded', paymentId: command.paymentId });
  const program = command.program;
  if (program === undefined) return E.left({ _tag: 'ProgramNotConfigured' });
  if (command.currency !== program.settings.currency) {
    return E.left({ _tag: 'CurrencyMismatch', expected: program.settings.currency, actual: command.currency });
  }
  const amountMinor = parseAmount(command.amount, command.currency);
  if (E.isLeft(amountMinor)) return amountMinor;
  const notInFuture = checkNotInFuture(command.occurredAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  if (command.visitId !== undefined && !state.visits.has(command.visitId)) {
    return E.left({ _tag: 'VisitNotFound', visitId: command.visitId });
  }

  const ratio = parseRatio(program.settings.pointsPerUnit);
  // The program codec only admits parseable ratios; an unparseable one earns nothing rather than guessing.
  // The tier held at the payment's own business time scales what it earns (a backdated payment: the tier of then).
  const tierId = tierAt(state, command.occurredAt);
  const multiplier = tierId === undefined ? undefined : tiersOf(program.settings).find((tier) => tier.tierId === tierId)?.multiplier;
  const points = ratio === undefined ? 0 : pointsEarned(amountMinor.right, minorUnits(command.currency), times(ratio, multiplierRatio(multiplier)));
  const activatesAt = pendingUntil(program.settings, command.occurredAt, command.now);
  // Pending points expire by the same date, counted from the earning, not from activation.
  const expiresAt = expiresAtFor(expiryOf(program.settings), program.settings.timezone, command.occurredAt);
  const createsVisit = command.visitId === undefined && command.source !== 'online';
  const visitId = command.visitId ?? (createsVisit ? command.newVisitId : undefined);
  const { paymentId, customerId, locationId, currency, purchaseIdentifier, occurredAt, source } = command;

  const payment: PaymentRecorded = {
    type: 'PaymentRecorded',
    data: {
      paymentId,
      customerId,
      locationId,
      amountMinor: amountMinor.right,
      currency,
      purchaseIdentifier,
      occurredAt,
      source,
      points,
      pointsPerUnit: program.settings.pointsPerUnit,
      programVersion: program.version,
      ...(visitId !== undefined && { visitId }),
      ...(activatesAt !== undefined && { activatesAt }),
      ...(expiresAt !== undefined && { expiresAt }),
      ...(tierId !== undefined && { tierId }),
      ...(multiplier !== undefined && { multiplier }),
    },
  };
  if (!createsVisit) return E.right([payment]);
  const visit: VisitCreated = {
    type: 'VisitCreated',
    data: { visitId: command.newVisitId, customerId, locationId, occurredAt, kind: 'purchase', source, paymentId },
  };
  return E.right([visit, payment]);
}

/**
 * When a payment's points become available under the program's return window: the start of the
 * local day after the end of the window (`pendingDays` days after the payment's own day, in the
 * program timezone). Undefined when there is no window, or when a backdated payment's window has
 * already closed: those points are available at once.
 */
export function pendingUntil(settings: ProgramSettings, occurredAt: string, now: Date): string | undefined {
  const days = pendingDaysOf(settings);
  if (days === 0) return undefined;
  const activatesAt = startOfLocalDay(settings.timezone, addDays(dayIn(settings.timezone, occurredAt), days + 1));
  return Date.parse(activatesAt) > now.getTime() ? activatesAt : undefined;
}
