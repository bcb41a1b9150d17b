import type { AdjustPoints } from '../customer/adjust-points';
import type { EvaluateTier } from '../customer/evaluate-tier';
import type { ExpirePoints } from '../customer/expire-points';
import type { RecordPayment } from '../customer/record-payment';
import type { RedeemPoints } from '../customer/redeem-points';
import type { ProgramSnapshot } from '../program/program';
import type { Tier } from '../program/tiers';
import { aProgram, CUSTOMER_ID, NOW } from './customer-fixtures';

/**
 * Builders for the "Points lifecycle 2" specs (lots with expiry dates, tiers): commands with the
 * fixed spec clock, each overridable, so that a case states only what it is about.
 */

/** Three tiers, thresholds in qualifying points. */
export const SILVER: Tier = { tierId: 'silver', name: 'Silver', threshold: 500, multiplier: '1.25' };
export const GOLD: Tier = { tierId: 'gold', name: 'Gold', threshold: 1000, multiplier: '1.5' };
export const PLATINUM: Tier = { tierId: 'platinum', name: 'Platinum', threshold: 2000, multiplier: '2' };
export const LADDER: readonly Tier[] = [SILVER, GOLD, PLATINUM];

export const payment = (paymentId: string, amount: string, overrides: Partial<RecordPayment> = {}): RecordPayment => ({
  type: 'RecordPayment',
  customerId: CUSTOMER_ID,
  paymentId,
  newVisitId: `vis-${paymentId}`,
  locationId: 'loc-dublin',
  amount,
  currency: 'USD',
  purchaseIdentifier: `R-${paymentId}`,
  occurredAt: NOW.toISOString(),
  source: 'online',
  program: aProgram(),
  now: NOW,
  ...overrides,
});

/** A manual credit (positive) or debit (negative) by back-office staff. */
export const adjustment = (adjustmentId: string, points: number, overrides: Partial<AdjustPoints> = {}): AdjustPoints => ({
  type: 'AdjustPoints',
  customerId: CUSTOMER_ID,
  adjustmentId,
  points,
  reason: 'goodwill',
  program: aProgram(),
  now: NOW,
  ...overrides,
});

export const redeem = (redemptionId: string, points: number, overrides: Partial<RedeemPoints> = {}): RedeemPoints => ({
  type: 'RedeemPoints',
  customerId: CUSTOMER_ID,
  redemptionId,
  points,
  now: NOW,
  ...overrides,
});

export const expire = (lotIds: readonly string[], now: Date | string = NOW): ExpirePoints => ({
  type: 'ExpirePoints',
  customerId: CUSTOMER_ID,
  lotIds,
  now: typeof now === 'string' ? new Date(now) : now,
});

export const evaluateTier = (program: ProgramSnapshot | undefined, now: Date | string = NOW): EvaluateTier => ({
  type: 'EvaluateTier',
  customerId: CUSTOMER_ID,
  program,
  now: typeof now === 'string' ? new Date(now) : now,
});
