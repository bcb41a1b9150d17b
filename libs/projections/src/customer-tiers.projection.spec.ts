import type { TierChanged } from '#ledger-domain/customer/evaluate-tier';
import { directionOf, evolveCustomerTier, tierChangeRow, type CustomerTier } from './customer-tiers.projection';
import type { Projected } from './projected-event';

const changed = (position: number, from: string | null, to: string | null, reason: TierChanged['data']['reason'], occurredAt: string, qualifying = 300) =>
  ({
    event: { type: 'TierChanged', data: { customerId: 'cus-0001', from, to, qualifyingPoints: qualifying, reason, occurredAt, programVersion: 1 } },
    eventId: `evt-${position}`,
    streamName: 'loyaltyAccount-cus-0001',
    revision: BigInt(position - 1),
    position: BigInt(position),
    recordedAt: '2026-03-10T12:00:01.000Z',
    actor: 'system:lifecycle',
  }) satisfies Projected<TierChanged>;

describe('customer_tiers and tier_changes projection', () => {
  it('holds the tier of the latest change, from its business time, with the qualifying points it recorded', () => {
    const up = changed(3, null, 'silver', 'qualified', '2026-03-01T10:00:00.000Z', 520);
    const down = changed(9, 'silver', 'bronze', 'window', '2026-04-02T10:00:00.000Z', 180);
    const row = evolveCustomerTier(evolveCustomerTier(undefined, up), down);
    expect(row).toEqual<CustomerTier>({ customerId: 'cus-0001', tierId: 'bronze', qualifyingPoints: 180, since: '2026-04-02T10:00:00.000Z', position: 9n });
  });

  it('keeps the row for a change at or below its position: a repeated delivery changes nothing', () => {
    const row = evolveCustomerTier(undefined, changed(9, 'silver', 'bronze', 'window', '2026-04-02T10:00:00.000Z'));
    expect(evolveCustomerTier(row, changed(3, null, 'silver', 'qualified', '2026-03-01T10:00:00.000Z'))).toBe(row);
    expect(evolveCustomerTier(row, changed(9, 'silver', 'bronze', 'window', '2026-04-02T10:00:00.000Z'))).toBe(row);
  });

  it('records no tier after a step down below the lowest one', () => {
    expect(evolveCustomerTier(undefined, changed(4, 'bronze', null, 'reversal', '2026-03-01T10:00:00.000Z')).tierId).toBeNull();
  });

  it('writes one change row: up when the points qualified, down for the window or a reversal, on its local day', () => {
    // 23:30 in Sydney (UTC+11 in March) is 12:30Z the same UTC day; 13:30Z is already the next local day.
    const row = tierChangeRow(changed(5, 'bronze', 'silver', 'qualified', '2026-03-01T13:30:00.000Z', 260), 'Australia/Sydney');
    expect(row).toEqual({
      position: 5n,
      customerId: 'cus-0001',
      fromTierId: 'bronze',
      toTierId: 'silver',
      direction: 'up',
      reason: 'qualified',
      qualifyingPoints: 260,
      occurredAt: '2026-03-01T13:30:00.000Z',
      recordedAt: '2026-03-10T12:00:01.000Z',
      day: '2026-03-02',
    });
    expect(tierChangeRow(changed(5, 'bronze', 'silver', 'qualified', '2026-03-01T13:30:00.000Z'), 'UTC').day).toBe('2026-03-01');
    expect([directionOf('qualified'), directionOf('window'), directionOf('reversal')]).toEqual(['up', 'down', 'down']);
  });
});
