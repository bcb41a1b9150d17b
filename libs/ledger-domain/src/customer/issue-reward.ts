import * as E from 'fp-ts/Either';
import { invalid, type LedgerError } from '../shared/errors';
import type { PointsAdjusted } from './adjust-points';
import { reversalShortfallOf } from '../program/lifecycle-settings';
import type { ProgramSnapshot } from '../program/program';
import { evolveCustomer, type CustomerState, type Enrolled } from './customer';
import { cashbackReversal, type CashbackReversed } from './refund-payment';

/**
 * Points a program rule issues in reaction to a recorded event: a visit reward (kind reward,
 * triggered by a visit) or cashback (kind cashback, triggered by a payment). Never sent by a
 * client: the reaction runner decides it (see `reactions/react.ts`) and names the rule, the
 * program version it read the rule from, and the triggering visit or payment.
 *
 * The command id is derived from the triggering event and the rule, so a replayed, retried or
 * re-run reaction is recognised as the same command and never credits twice.
 */
export interface IssueReward {
  readonly type: 'IssueReward';
  readonly customerId: string;
  readonly adjustmentId: string;
  readonly kind: 'reward' | 'cashback';
  /** > 0. */
  readonly points: number;
  readonly reason: string;
  readonly ruleId: string;
  readonly programVersion: number;
  /** The visit (reward) or payment (cashback) of this customer that triggered it. */
  readonly trigger: { readonly visitId: string } | { readonly paymentId: string };
  /** Business time of the triggering visit or payment: the reward belongs to it, however late it is issued. */
  readonly occurredAt: string;
  /** The program as it is now: its shortfall policy applies to a reversal issued with the cashback. */
  readonly program?: ProgramSnapshot;
  /** When the reward's lot expires, under the policy in force at the trigger (see `react`); absent: never. */
  readonly expiresAt?: string;
}

export function issueReward(command: IssueReward, state: CustomerState): E.Either<LedgerError, readonly (PointsAdjusted | CashbackReversed)[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  if (!Number.isSafeInteger(command.points) || command.points <= 0) return E.left(invalid('points', 'expected a positive integer'));
  const { trigger } = command;
  if ('visitId' in trigger && !state.visits.has(trigger.visitId)) return E.left({ _tag: 'VisitNotFound', visitId: trigger.visitId });
  const payment = 'paymentId' in trigger ? state.payments.get(trigger.paymentId) : undefined;
  if ('paymentId' in trigger && payment === undefined) return E.left(invalid('trigger.paymentId', 'expected a payment of this customer'));
  if (payment?.status === 'voided') return E.left({ _tag: 'PaymentVoided', paymentId: payment.paymentId });
  const { adjustmentId, customerId, kind, points, reason, ruleId, programVersion, occurredAt } = command;
  const reference = 'visitId' in trigger ? trigger.visitId : trigger.paymentId;
  // Cashback on a payment still in its return window is pending with it.
  const activatesAt = payment?.status === 'pending' ? payment.activatesAt : undefined;
  const issued: PointsAdjusted = {
    type: 'PointsAdjusted',
    data: {
      adjustmentId,
      customerId,
      kind,
      points,
      reason,
      reference,
      ruleId,
      programVersion,
      occurredAt,
      ...(activatesAt !== undefined && { activatesAt }),
      ...(command.expiresAt !== undefined && { expiresAt: command.expiresAt }),
    },
  };
  if (payment === undefined || payment.refundedMinor === 0) return E.right([issued]);
  // Issued after the payment was refunded in part: the refunded share is reversed at once, as a
  // refund recorded after the cashback would have done.
  const after = evolveCustomer(state, issued) as Enrolled;
  const reversal = cashbackReversal(
    after,
    after.payments.get(payment.paymentId)!,
    { adjustmentId, points, reversedPoints: 0, expiredNotReversed: 0 },
    { refundId: payment.lastRefundId ?? '', refundedTotal: payment.refundedMinor, occurredAt: payment.lastRefundAt ?? occurredAt },
    reversalShortfallOf(command.program?.settings ?? {}),
  );
  return E.right(reversal === undefined ? [issued] : [issued, reversal]);
}
