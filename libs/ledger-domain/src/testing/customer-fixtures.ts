import type { PointsAdjusted } from '../customer/adjust-points';
import type { CustomerEnrolled } from '../customer/enrol-customer';
import type { PaymentRecorded } from '../customer/record-payment';
import type { VisitCreated } from '../customer/record-visit';
import { DEFAULT_PROGRAM_SETTINGS, type ProgramSettings, type ProgramSnapshot } from '../program/program';

/**
 * Builders for customer events and program snapshots used by the unit specs. Every time is
 * fixed: the "server clock" of a spec is `NOW`, passed in commands, never the real clock.
 */

export const NOW = new Date('2026-03-10T12:00:00.000Z');
export const CUSTOMER_ID = 'cus-0001';

export const aProgram = (settings: Partial<ProgramSettings> = {}, version = 1): ProgramSnapshot => ({
  version,
  settings: { ...DEFAULT_PROGRAM_SETTINGS, ...settings },
});

export const customerEnrolled = (data: Partial<CustomerEnrolled['data']> = {}): CustomerEnrolled => ({
  type: 'CustomerEnrolled',
  data: { customerId: CUSTOMER_ID, enrolledAt: '2026-01-05T09:00:00.000Z', email: 'ada@example.com', ...data },
});

export const visitCreated = (visitId: string, data: Partial<VisitCreated['data']> = {}): VisitCreated => ({
  type: 'VisitCreated',
  data: {
    visitId,
    customerId: CUSTOMER_ID,
    locationId: 'loc-dublin',
    occurredAt: '2026-03-01T10:00:00.000Z',
    kind: 'browse',
    source: 'manual',
    ...data,
  },
});

export const paymentRecorded = (paymentId: string, points: number, data: Partial<PaymentRecorded['data']> = {}): PaymentRecorded => ({
  type: 'PaymentRecorded',
  data: {
    paymentId,
    customerId: CUSTOMER_ID,
    locationId: 'loc-dublin',
    amountMinor: points * 100,
    currency: 'USD',
    purchaseIdentifier: `R-${paymentId}`,
    occurredAt: '2026-03-01T10:05:00.000Z',
    source: 'online',
    points,
    pointsPerUnit: '1',
    programVersion: 1,
    ...data,
  },
});

export const manualAdjustment = (adjustmentId: string, points: number, reason = 'goodwill'): PointsAdjusted => ({
  type: 'PointsAdjusted',
  data: { adjustmentId, customerId: CUSTOMER_ID, kind: 'manual', points, reason, occurredAt: '2026-03-02T08:00:00.000Z' },
});

/** A redemption as it is stored: negative points, kind redemption. */
export const redemption = (adjustmentId: string, pointsSpent: number): PointsAdjusted => ({
  type: 'PointsAdjusted',
  data: { adjustmentId, customerId: CUSTOMER_ID, kind: 'redemption', points: -pointsSpent, occurredAt: '2026-03-03T08:00:00.000Z' },
});

/** A reward or cashback as the reaction runner stores it: positive points, the rule and version, the trigger as reference. */
export const ruleIssued = (kind: 'reward' | 'cashback', adjustmentId: string, points: number, data: Partial<PointsAdjusted['data']> = {}): PointsAdjusted => ({
  type: 'PointsAdjusted',
  data: {
    adjustmentId,
    customerId: CUSTOMER_ID,
    kind,
    points,
    reason: kind === 'reward' ? 'visit reward: 5th visit' : 'cashback: 5% of 49.99 USD',
    reference: kind === 'reward' ? 'vis-5' : 'pay-1',
    ruleId: kind === 'reward' ? 'visits-5' : 'cashback-5',
    programVersion: 1,
    occurredAt: '2026-03-04T09:00:00.000Z',
    ...data,
  },
});
