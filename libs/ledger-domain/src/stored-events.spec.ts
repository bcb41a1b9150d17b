import { customerEnrolled, manualAdjustment, paymentRecorded, ruleIssued, visitCreated } from './testing/customer-fixtures';
import { activate, history, pendingPayment, refund, voidPending } from './testing/lifecycle-fixtures';
import { decodeCustomerEvent, decodeProgramEvent, decodeReservationEvent, UndecodableEventError, type StoredEvent } from './stored-events';

const stored = (type: string, data: unknown, streamName = 'loyaltyAccount-cus-0001', revision = 7n): StoredEvent => ({ streamName, revision, type, data });
/** As a store hands it back: JSON text parsed again, so nothing but plain JSON values survive. */
const roundTrip = <A>(value: A): A => JSON.parse(JSON.stringify(value)) as A;

describe('stored events: one decoder per stream kind', () => {
  it('decodes every customer event as written', () => {
    for (const event of [customerEnrolled(), visitCreated('vis-1'), paymentRecorded('pay-1', 49), manualAdjustment('adj-1', -5)]) {
      expect(decodeCustomerEvent(stored(event.type, roundTrip(event.data)))).toEqual(event);
    }
  });

  it('decodes every points-lifecycle event as written: pending payment and cashback, refund, cashback reversal, activation, void', () => {
    const activatesAt = '2026-03-24T00:00:00.000Z';
    const base = [
      customerEnrolled(),
      pendingPayment('pay-1', 100, activatesAt, { occurredAt: '2026-03-09T10:00:00.000Z' }),
      ruleIssued('cashback', 'cb-1', 10, { reference: 'pay-1', occurredAt: '2026-03-09T10:00:00.000Z', activatesAt }),
      pendingPayment('pay-2', 50, activatesAt, { occurredAt: '2026-03-09T10:00:00.000Z' }),
    ];
    const events = history(
      base,
      refund({ amount: '40.00', reason: 'returned' }),
      activate({ early: true, reason: 'VIP' }),
      voidPending({ paymentId: 'pay-2' }),
    );
    expect(events.map((e) => e.type)).toEqual([
      'CustomerEnrolled',
      'PaymentRecorded',
      'PointsAdjusted',
      'PaymentRecorded',
      'PaymentRefunded',
      'CashbackReversed',
      'PointsActivated',
      'PointsVoided',
    ]);
    for (const event of events) expect(decodeCustomerEvent(stored(event.type, roundTrip(event.data)))).toEqual(event);
  });

  it('refuses a refund whose figures are not whole, or whose shortfall policy is unknown', () => {
    const [, , refunded] = history([customerEnrolled(), paymentRecorded('pay-1', 100)], refund());
    expect(() => decodeCustomerEvent(stored('PaymentRefunded', { ...refunded!.data, pointsReversed: 10.5 }))).toThrow(
      /data\.pointsReversed: expected safe integer/,
    );
    expect(() => decodeCustomerEvent(stored('PaymentRefunded', { ...refunded!.data, shortfallPolicy: 'forgive' }))).toThrow(/data\.shortfallPolicy/);
  });

  it('refuses a fraction or an imprecise integer where the ledger keeps integers, naming the field and not the value', () => {
    const fraction = () => decodeCustomerEvent(stored('PaymentRecorded', { ...paymentRecorded('pay-1', 49).data, points: 49.5 }));
    expect(fraction).toThrow(UndecodableEventError);
    expect(fraction).toThrow(/loyaltyAccount-cus-0001@7 does not decode: PaymentRecorded: .*data\.points: expected safe integer/);
    expect(fraction).not.toThrow(/49\.5/);
    const huge = () => decodeCustomerEvent(stored('PointsAdjusted', { ...manualAdjustment('adj-1', 1).data, points: 2 ** 53 }));
    expect(huge).toThrow(/data\.points: expected safe integer/);
    const amount = () => decodeCustomerEvent(stored('PaymentRecorded', { ...paymentRecorded('pay-1', 49).data, amountMinor: 4999.01 }));
    expect(amount).toThrow(/data\.amountMinor: expected safe integer/);
  });

  it('refuses an event type the stream kind does not have', () => {
    expect(() => decodeCustomerEvent(stored('ProgramConfigured', {}))).toThrow(/does not decode/);
    expect(() => decodeProgramEvent(stored('PaymentRecorded', paymentRecorded('pay-1', 1).data, 'loyaltyProgram-default'))).toThrow(
      /loyaltyProgram-default@7 does not decode/,
    );
  });

  it('decodes a program version, and refuses a fractional version', () => {
    const data = {
      programId: 'default',
      version: 2,
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      currency: 'USD',
      pointsPerUnit: '1',
      timezone: 'UTC',
      negativeBalance: 'deny',
    };
    expect(decodeProgramEvent(stored('ProgramConfigured', data, 'loyaltyProgram-default'))).toEqual({ type: 'ProgramConfigured', data });
    expect(() => decodeProgramEvent(stored('ProgramConfigured', { ...data, version: 2.5 }, 'loyaltyProgram-default'))).toThrow(
      /data\.version: expected safe integer/,
    );
  });

  it('decodes reservations naming their owner stream, and those written before, naming a customer', () => {
    const base = { scope: 'email', commandId: 'c-1', reference: 'cus-1', reservedAt: '2026-01-01T00:00:00.000Z' };
    const current = decodeReservationEvent(stored('UniqueValueReserved', { ...base, ownerStream: 'loyaltyAccount-cus-1' }, 'loyaltyReservation-email_ab'));
    expect(current).toEqual({ type: 'UniqueValueReserved', data: { ...base, ownerStream: 'loyaltyAccount-cus-1' } });
    const earlier = decodeReservationEvent(stored('UniqueValueReserved', { ...base, customerId: 'cus-1' }, 'loyaltyReservation-email_ab'));
    expect(earlier.data).toEqual(expect.objectContaining({ customerId: 'cus-1' }));
    expect(() => decodeReservationEvent(stored('UniqueValueReserved', base, 'loyaltyReservation-email_ab'))).toThrow(/does not decode/);
    expect(
      decodeReservationEvent(stored('UniqueValueReleased', { scope: 'email', commandId: 'c-1', reason: 'refused' }, 'loyaltyReservation-email_ab')).type,
    ).toBe('UniqueValueReleased');
  });
});
