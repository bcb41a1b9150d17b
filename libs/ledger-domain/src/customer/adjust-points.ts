import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { ProgramSnapshot } from '../program/program';
import { invalid, type LedgerError } from '../shared/errors';
import { MAX_POINTS_PER_ENTRY } from '../shared/points';
import type { CustomerState } from './customer';

/**
 * A manual points adjustment by back-office staff: a signed correction with a mandatory
 * reason (O2VEND's "adjust points"). Under the program's "deny" policy it may not take the
 * available balance below zero; under "allow" it may (a clawback after points were spent).
 */
export interface AdjustPoints {
  readonly type: 'AdjustPoints';
  readonly customerId: string;
  readonly adjustmentId: string;
  /** Non-zero; positive credits, negative debits. */
  readonly points: number;
  readonly reason: string;
  readonly program: ProgramSnapshot | undefined;
  readonly now: Date;
}

/** The kinds of points movement recorded as `PointsAdjusted`. More follow (reward, cashback, expiry). */
export const AdjustmentKindC = t.keyof({ manual: null, redemption: null });

export const PointsAdjustedDataC = t.intersection([
  t.type({
    adjustmentId: t.string,
    customerId: t.string,
    kind: AdjustmentKindC,
    /** Signed change of the available balance: a redemption of 30 points is recorded as -30. */
    points: t.number,
    occurredAt: t.string,
  }),
  t.partial({ reason: t.string, reference: t.string }),
]);
export interface PointsAdjusted {
  readonly type: 'PointsAdjusted';
  readonly data: t.TypeOf<typeof PointsAdjustedDataC>;
}

export function adjustPoints(command: AdjustPoints, state: CustomerState): E.Either<LedgerError, readonly PointsAdjusted[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  if (!Number.isSafeInteger(command.points) || command.points === 0 || Math.abs(command.points) > MAX_POINTS_PER_ENTRY) {
    return E.left(invalid('points', `expected a non-zero integer from -${MAX_POINTS_PER_ENTRY} to ${MAX_POINTS_PER_ENTRY}`));
  }
  const policy = command.program?.settings.negativeBalance ?? 'deny';
  const after = state.balance.available + command.points;
  if (command.points < 0 && after < 0 && policy === 'deny') {
    return E.left({ _tag: 'InsufficientPoints', available: state.balance.available, requested: -command.points });
  }
  return E.right([
    {
      type: 'PointsAdjusted',
      data: {
        adjustmentId: command.adjustmentId,
        customerId: command.customerId,
        kind: 'manual',
        points: command.points,
        reason: command.reason,
        occurredAt: command.now.toISOString(),
      },
    },
  ]);
}
