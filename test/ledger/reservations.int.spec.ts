import { envelope } from '../../apps/ledger-api/src/ledger/command-runner';
import { commandIdFor } from '../../apps/ledger-api/src/ledger/ids';
import { purchaseKey, reservationStream } from '#runtime/streams';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { withoutMultiStreamAppends } from '../support/without-multi-stream-appends';

/**
 * Uniqueness on a store without multi-stream appends (the EventStoreDB case): the reservation
 * is appended before the ledger events, so a crash can leave one behind. These tests plant
 * such leftovers directly in the store and check that they neither block the customer nor
 * let a duplicate through.
 */
describe('reservations appended ahead of the ledger (no multi-stream appends)', () => {
  let ledger: RunningLedger;
  let now = new Date('2026-11-23T12:00:00Z');

  beforeAll(async () => {
    ledger = await startLedger({ wrapStore: withoutMultiStreamAppends, clock: () => now });
  });
  afterAll(async () => {
    await ledger.close();
  });

  const payment = (purchaseIdentifier: string) => ({
    locationId: 'store-7',
    amount: '10.00',
    purchaseIdentifier,
    occurredAt: '2026-11-23T11:00:00Z',
  });

  /** Writes the reservation a crashed command would have left: claimed, but no payment followed. */
  async function plantOrphan(purchaseIdentifier: string, customerId: string, commandId: string, reservedAt: Date): Promise<void> {
    const streamName = reservationStream('purchase', purchaseKey('store-7', purchaseIdentifier));
    const context = { commandId, correlationId: commandId, actor: 'test', now: reservedAt };
    const reserved = {
      type: 'UniqueValueReserved',
      data: { scope: 'purchase', customerId, commandId, reference: `payment-of-${commandId}`, reservedAt: reservedAt.toISOString() },
    };
    await ledger.store.appendToStream(streamName, 'no_stream', [envelope(reserved, streamName, 0, context)]);
  }

  it('still refuses a purchase identifier credited to another customer, writing nothing', async () => {
    const first = await enrolCustomer(ledger);
    const second = await enrolCustomer(ledger);
    expect((await ledger.request('POST', `/customers/${first}/payments`, payment('R-dup'))).status).toBe(201);
    const head = await ledger.store.headPosition();
    const again = await ledger.request('POST', `/customers/${second}/payments`, payment('R-dup'));
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/duplicate-purchase$/);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('lets the same command finish when its retry finds the reservation it left before crashing', async () => {
    const customerId = await enrolCustomer(ledger);
    await plantOrphan('R-retry', customerId, commandIdFor('till-7-receipt-R-retry'), now);
    const retried = await ledger.request('POST', `/customers/${customerId}/payments`, payment('R-retry'), { 'Idempotency-Key': 'till-7-receipt-R-retry' });
    expect(retried.status).toBe(201);
    expect(retried.body.pointsEarned).toBe(10);
  });

  it('treats a recent reservation without its payment as in flight: another command gets 409', async () => {
    const customerId = await enrolCustomer(ledger);
    await plantOrphan('R-inflight', customerId, 'a-command-still-running', new Date(now.getTime() - 5_000));
    const rival = await ledger.request('POST', `/customers/${customerId}/payments`, payment('R-inflight'));
    expect(rival.status).toBe(409);
  });

  it('takes over a reservation whose owner never completed once its lease has run out', async () => {
    const customerId = await enrolCustomer(ledger);
    await plantOrphan('R-orphan', customerId, 'a-command-that-crashed', new Date(now.getTime() - 61_000));
    const takeover = await ledger.request('POST', `/customers/${customerId}/payments`, payment('R-orphan'));
    expect(takeover.status).toBe(201);

    const { events } = await ledger.store.readStream(reservationStream('purchase', purchaseKey('store-7', 'R-orphan')));
    expect(events.map((e) => e.type)).toEqual(['UniqueValueReserved', 'UniqueValueReleased', 'UniqueValueReserved']);
    const history = await ledger.request('GET', `/customers/${customerId}/history`);
    expect(history.body.entries.filter((e: { type: string }) => e.type === 'PaymentRecorded')).toHaveLength(1);
  });

  it('never takes over a reservation whose payment exists, however old', async () => {
    const customerId = await enrolCustomer(ledger);
    expect((await ledger.request('POST', `/customers/${customerId}/payments`, payment('R-old'))).status).toBe(201);
    now = new Date(now.getTime() + 10 * 60_000);
    const later = await ledger.request('POST', `/customers/${customerId}/payments`, payment('R-old'));
    expect(later.status).toBe(409);
  });

  it('gives the e-mail back when an enrolment is refused for its phone', async () => {
    const phone = '+15550109999';
    await ledger.request('POST', '/customers', { email: 'phone-owner@example.com', phone });
    const refused = await ledger.request('POST', '/customers', { email: 'newcomer@example.com', phone });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/phone-taken$/);
    const retried = await ledger.request('POST', '/customers', { email: 'newcomer@example.com', phone: '+15550108888' });
    expect(retried.status).toBe(201);
  });
});
