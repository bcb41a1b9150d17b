import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';
import { expiresAtFor, expiryOf } from '../program/lifecycle-settings';
import type { ProgramSnapshot } from '../program/program';
import { invalid, type LedgerError } from '../shared/errors';
import { MAX_POINTS_PER_ENTRY } from '../shared/points';
import { checkNotInFuture } from '../shared/time';
import type { CustomerState } from './customer';
import { drawAvailable, LotDrawsC } from './lots';

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
  /** The caller's reference (a bulk adjustment's row: the campaign, the ticket). */
  readonly reference?: string;
  /** A credit expires under the program's policy unless this is false (e.g. a goodwill gesture kept for good). */
  readonly expires?: boolean;
  /** A migrated adjustment's business time (UTC instant, from the old system); default `now`. */
  readonly occurredAt?: string;
  /** A credit's expiry as the old system had it (UTC instant), in place of the program's policy. */
  readonly expiresAt?: string;
  readonly program: ProgramSnapshot | undefined;
  readonly now: Date;
}

/**
 * The kinds of points movement recorded as `PointsAdjusted`: a staff correction (manual), a
 * spend (redemption), the two a program rule issues (reward for a visit threshold, cashback
 * on a payment; see `issue-reward.ts`), and the two an import of another program's history
 * writes (see `import-points.ts`): an opening balance carried over (opening) and points the
 * customer earned there (earned).
 */
export const AdjustmentKindC = t.keyof({ manual: null, redemption: null, reward: null, cashback: null, opening: null, earned: null });
export type AdjustmentKind = t.TypeOf<typeof AdjustmentKindC>;

/**
 * Points a rule issued, and points earned in a migrated program, are earned points (lifetime
 * earned), not corrections (adjusted in/out). An opening balance is carried over, not earned
 * here: it counts as adjusted in.
 */
export const isEarnedKind = (kind: AdjustmentKind): boolean => kind === 'reward' || kind === 'cashback' || kind === 'earned';

export const PointsAdjustedDataC = t.intersection([
  t.type({
    adjustmentId: t.string,
    customerId: t.string,
    kind: AdjustmentKindC,
    /** Signed change of the available balance: a redemption of 30 points is recorded as -30. */
    points: SafeInteger,
    occurredAt: t.string,
  }),
  t.partial({
    reason: t.string,
    /** Redemption: the caller's reference. Reward: the visit id; cashback: the payment id that triggered it. */
    reference: t.string,
    /** Reward and cashback: the rule, and the program version it was read from. */
    ruleId: t.string,
    programVersion: SafeInteger,
    /**
     * A spend (redemption, negative adjustment): the lots it drew its points from, in order.
     * Whatever the draws do not cover was owed (a clawback under negativeBalance "allow").
     * Absent on spends recorded before lots existed: those drew in spending order.
     */
    lots: LotDrawsC,
    /** A cashback on a payment whose points are still pending: pending with it, until then. */
    activatesAt: t.string,
    /** A credit (reward, cashback, positive adjustment): when its lot expires; absent: never. */
    expiresAt: t.string,
  }),
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
  const occurredAt = command.occurredAt ?? command.now.toISOString();
  const notInFuture = checkNotInFuture(occurredAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  if (command.expiresAt !== undefined && (command.points < 0 || Date.parse(command.expiresAt) <= Date.parse(occurredAt))) {
    return E.left(invalid('expiresAt', 'expected an instant after occurredAt, on a credit only'));
  }
  const program = command.program;
  const expiresAt =
    command.points < 0 || command.expires === false
      ? undefined
      : (command.expiresAt ?? (program === undefined ? undefined : expiresAtFor(expiryOf(program.settings), program.settings.timezone, occurredAt)));
  const lots = command.points < 0 ? { lots: drawAvailable(state.lots, -command.points).draws } : {};
  return E.right([
    {
      type: 'PointsAdjusted',
      data: {
        adjustmentId: command.adjustmentId,
        customerId: command.customerId,
        kind: 'manual',
        points: command.points,
        reason: command.reason,
        occurredAt,
        ...(command.reference !== undefined && { reference: command.reference }),
        ...lots,
        ...(expiresAt !== undefined && { expiresAt }),
      },
    },
  ]);
}
