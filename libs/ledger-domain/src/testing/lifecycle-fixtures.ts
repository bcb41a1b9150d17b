import * as E from 'fp-ts/Either';
import type { ActivatePoints } from '../customer/activate-points';
import { evolveCustomer, initialCustomerState, type CustomerEvent, type CustomerState, type Enrolled } from '../customer/customer';
import { decideCustomer, type CustomerCommand } from '../customer/customer.decider';
import type { IssueReward } from '../customer/issue-reward';
import type { PaymentRecorded } from '../customer/record-payment';
import type { RefundPayment } from '../customer/refund-payment';
import type { VoidPoints } from '../customer/void-points';
import { aProgram, CUSTOMER_ID, NOW, paymentRecorded } from './customer-fixtures';

/**
 * Builders for the points-lifecycle specs (refunds, pending points, activation, void): commands
 * with the fixed spec clock, and histories built by deciding commands, so a `given` that needs an
 * earlier refund or activation holds exactly the events the deciders write.
 */

/** A payment whose points are pending until `activatesAt` (the program's return window). */
export const pendingPayment = (paymentId: string, points: number, activatesAt: string, data: Partial<PaymentRecorded['data']> = {}): PaymentRecorded =>
  paymentRecorded(paymentId, points, { activatesAt, ...data });

export const refund = (overrides: Partial<RefundPayment> = {}): RefundPayment => ({
  type: 'RefundPayment',
  customerId: CUSTOMER_ID,
  refundId: 'ref-0001',
  paymentId: 'pay-1',
  amount: '10.00',
  refundIdentifier: 'CN-0001',
  occurredAt: '2026-03-09T15:00:00.000Z',
  program: aProgram(),
  now: NOW,
  ...overrides,
});

export const activate = (overrides: Partial<ActivatePoints> = {}): ActivatePoints => ({
  type: 'ActivatePoints',
  customerId: CUSTOMER_ID,
  paymentId: 'pay-1',
  early: false,
  now: NOW,
  ...overrides,
});

export const voidPending = (overrides: Partial<VoidPoints> = {}): VoidPoints => ({
  type: 'VoidPoints',
  customerId: CUSTOMER_ID,
  paymentId: 'pay-1',
  reason: 'fraudulent purchase',
  now: NOW,
  ...overrides,
});

export const cashback = (overrides: Partial<IssueReward> = {}): IssueReward => ({
  type: 'IssueReward',
  customerId: CUSTOMER_ID,
  adjustmentId: 'cb-1',
  kind: 'cashback',
  points: 10,
  reason: 'cashback: 10% of 100.00 USD',
  ruleId: 'cashback-10',
  programVersion: 1,
  trigger: { paymentId: 'pay-1' },
  occurredAt: '2026-03-01T10:05:00.000Z',
  program: aProgram(),
  ...overrides,
});

export const fold = (events: readonly CustomerEvent[]): CustomerState => events.reduce(evolveCustomer, initialCustomerState());

export function enrolled(events: readonly CustomerEvent[]): Enrolled {
  const state = fold(events);
  if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
  return state;
}

/** The history `events` followed by what each command decides, in turn; a refusal fails the spec. */
export function history(events: readonly CustomerEvent[], ...commands: readonly CustomerCommand[]): CustomerEvent[] {
  const out = [...events];
  let state = fold(events);
  for (const command of commands) {
    const result = decideCustomer(command, state);
    if (E.isLeft(result)) throw new Error(`${command.type} refused while building a history: ${JSON.stringify(result.left)}`);
    out.push(...result.right);
    state = result.right.reduce(evolveCustomer, state);
  }
  return out;
}

/** What the events a command decides are, against a history; a refusal fails the spec. */
export function decided(events: readonly CustomerEvent[], command: CustomerCommand): readonly CustomerEvent[] {
  const result = decideCustomer(command, fold(events));
  if (E.isLeft(result)) throw new Error(`${command.type} refused: ${JSON.stringify(result.left)}`);
  return result.right;
}
