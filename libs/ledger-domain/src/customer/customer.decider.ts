import type * as E from 'fp-ts/Either';
import type { LedgerError } from '../shared/errors';
import { adjustPoints, type AdjustPoints } from './adjust-points';
import { evolveCustomer, initialCustomerState, type CustomerEvent, type CustomerState } from './customer';
import { enrolCustomer, type EnrolCustomer } from './enrol-customer';
import { recordPayment, type RecordPayment } from './record-payment';
import { recordVisit, type RecordVisit } from './record-visit';
import { redeemPoints, type RedeemPoints } from './redeem-points';
import { issueReward, type IssueReward } from './issue-reward';
import { activatePoints, type ActivatePoints } from './activate-points';
import { refundPayment, type RefundPayment } from './refund-payment';
import { voidPoints, type VoidPoints } from './void-points';
import { expirePoints, type ExpirePoints } from './expire-points';
import { evaluateTier, type EvaluateTier } from './evaluate-tier';

export type CustomerCommand =
  | EnrolCustomer
  | RecordVisit
  | RecordPayment
  | AdjustPoints
  | RedeemPoints
  | IssueReward
  | RefundPayment
  | ActivatePoints
  | VoidPoints
  | ExpirePoints
  | EvaluateTier;

/** decide(command, state) → Either<LedgerError, events>: one small function per command. */
export function decideCustomer(command: CustomerCommand, state: CustomerState): E.Either<LedgerError, readonly CustomerEvent[]> {
  switch (command.type) {
    case 'EnrolCustomer':
      return enrolCustomer(command, state);
    case 'RecordVisit':
      return recordVisit(command, state);
    case 'RecordPayment':
      return recordPayment(command, state);
    case 'AdjustPoints':
      return adjustPoints(command, state);
    case 'RedeemPoints':
      return redeemPoints(command, state);
    case 'IssueReward':
      return issueReward(command, state);
    case 'RefundPayment':
      return refundPayment(command, state);
    case 'ActivatePoints':
      return activatePoints(command, state);
    case 'VoidPoints':
      return voidPoints(command, state);
    case 'ExpirePoints':
      return expirePoints(command, state);
    case 'EvaluateTier':
      return evaluateTier(command, state);
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

export const customerDecider = { decide: decideCustomer, evolve: evolveCustomer, initialState: initialCustomerState };
