import * as E from 'fp-ts/Either';
import { invalid, type LedgerError } from '../shared/errors';
import type { PointsAdjusted } from './adjust-points';
import type { CustomerState } from './customer';

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
}

export function issueReward(command: IssueReward, state: CustomerState): E.Either<LedgerError, readonly PointsAdjusted[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  if (!Number.isSafeInteger(command.points) || command.points <= 0) return E.left(invalid('points', 'expected a positive integer'));
  const { trigger } = command;
  if ('visitId' in trigger && !state.visits.has(trigger.visitId)) return E.left({ _tag: 'VisitNotFound', visitId: trigger.visitId });
  if ('paymentId' in trigger && !state.payments.has(trigger.paymentId)) return E.left(invalid('trigger.paymentId', 'expected a payment of this customer'));
  const { adjustmentId, customerId, kind, points, reason, ruleId, programVersion, occurredAt } = command;
  const reference = 'visitId' in trigger ? trigger.visitId : trigger.paymentId;
  return E.right([{ type: 'PointsAdjusted', data: { adjustmentId, customerId, kind, points, reason, reference, ruleId, programVersion, occurredAt } }]);
}
