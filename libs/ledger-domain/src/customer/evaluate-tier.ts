import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { ProgramSnapshot } from '../program/program';
import { insideWindow, rankOf, tierFor, tiersOf, tierWindowOf, type Tier, type TierWindow } from '../program/tiers';
import { dayIn, startOfLocalDay } from '../shared/calendar';
import { SafeInteger } from '../shared/codecs';
import type { LedgerError } from '../shared/errors';
import type { CustomerState, Enrolled } from './customer';

/**
 * The lifecycle runner evaluates a customer's tier against the program's thresholds:
 * - up, as soon as the qualifying points reach a higher tier (to the highest one they reach);
 * - down when the window (or a reversal) takes them below the tier held: one tier per evaluation,
 *   never below what the window still supports, and at most once per local day, so that a
 *   customer whose window emptied steps down day by day rather than falling all at once. The day
 *   is the local calendar day of the runner's clock, and any change counts: a step down waits for
 *   the next local day after the last change, up or down (so no tier flaps up and down in a day).
 */
export interface EvaluateTier {
  readonly type: 'EvaluateTier';
  readonly customerId: string;
  readonly program: ProgramSnapshot | undefined;
  readonly now: Date;
}

export const TierChangeReasonC = t.keyof({ qualified: null, window: null, reversal: null });

export const TierChangedDataC = t.type({
  customerId: t.string,
  /** The tier held before (null: none). */
  from: t.union([t.string, t.null]),
  /** The tier held from now on (null: none). */
  to: t.union([t.string, t.null]),
  qualifyingPoints: SafeInteger,
  /** qualified: the points reached a higher tier; window: the window dropped them below; reversal: refunds did. */
  reason: TierChangeReasonC,
  /** Business time of the evaluation: the tier is held from then. */
  occurredAt: t.string,
  programVersion: SafeInteger,
});
export interface TierChanged {
  readonly type: 'TierChanged';
  readonly data: t.TypeOf<typeof TierChangedDataC>;
}

/** Qualifying points as of `now`: payments' points less their reversals, inside the window, once available (not pending, not voided). */
export const qualifyingPoints = (state: Enrolled, window: TierWindow, timezone: string, now: Date): number => windowPoints(state, window, timezone, now, true);

/** The points of the available payments inside the window, after their reversals or before them. */
function windowPoints(state: Enrolled, window: TierWindow, timezone: string, now: Date, afterReversals: boolean): number {
  let total = 0;
  for (const payment of state.payments.values()) {
    if (payment.status !== 'available') continue;
    if (!insideWindow(window, timezone, payment.occurredAt, now)) continue;
    total += payment.points - (afterReversals ? payment.reversedPoints : 0);
  }
  return total;
}

export function evaluateTier(command: EvaluateTier, state: CustomerState): E.Either<LedgerError, readonly TierChanged[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  const program = command.program;
  const tiers = program === undefined ? [] : tiersOf(program.settings);
  if (program === undefined || tiers.length === 0) return E.left({ _tag: 'TierUnchanged', customerId: command.customerId });
  const window = tierWindowOf(program.settings);
  const qualifying = qualifyingPoints(state, window, program.settings.timezone, command.now);
  const held = rankOf(tiers, state.tier?.tierId);
  const supported = rankOf(tiers, tierFor(tiers, qualifying)?.tierId);
  let to: Tier | undefined;
  let reason: 'qualified' | 'window' | 'reversal';
  if (supported > held) {
    to = tiers[supported];
    reason = 'qualified';
  } else if (supported < held) {
    // A step down at most once per local day, and only one tier.
    const today = startOfLocalDay(program.settings.timezone, dayIn(program.settings.timezone, command.now.toISOString()));
    if (state.tier !== undefined && Date.parse(state.tier.since) >= Date.parse(today)) return E.left({ _tag: 'TierUnchanged', customerId: command.customerId });
    to = held - 1 >= 0 ? tiers[Math.max(supported, held - 1)] : undefined;
    // Refunds did it when the window's payments, before their reversals, would still reach the
    // tier held; otherwise the window did (payments left it). Not "lifetime → reversal, else
    // window": that labelled a refund under a rolling window "window", and an auditor reads the
    // reason as the cause.
    const gross = rankOf(tiers, tierFor(tiers, windowPoints(state, window, program.settings.timezone, command.now, false))?.tierId);
    reason = gross >= held ? 'reversal' : 'window';
  } else {
    return E.left({ _tag: 'TierUnchanged', customerId: command.customerId });
  }
  return E.right([
    {
      type: 'TierChanged',
      data: {
        customerId: command.customerId,
        from: state.tier?.tierId ?? null,
        to: to?.tierId ?? null,
        qualifyingPoints: qualifying,
        reason,
        occurredAt: command.now.toISOString(),
        programVersion: program.version,
      },
    },
  ]);
}

/** A customer's tier as the back office sees it: held, qualifying points now, and what the next tier needs. */
export interface TierStanding {
  readonly tierId: string | null;
  readonly name: string | null;
  readonly since: string | null;
  readonly multiplier: string | null;
  readonly qualifyingPoints: number;
  readonly next: { readonly tierId: string; readonly name: string; readonly threshold: number; readonly pointsNeeded: number } | null;
}

export function tierStanding(state: Enrolled, program: ProgramSnapshot | undefined, now: Date): TierStanding {
  const tiers = program === undefined ? [] : tiersOf(program.settings);
  const qualifying = program === undefined ? 0 : qualifyingPoints(state, tierWindowOf(program.settings), program.settings.timezone, now);
  const held = tiers.find((tier) => tier.tierId === state.tier?.tierId);
  const next = tiers[rankOf(tiers, state.tier?.tierId) + 1];
  return {
    tierId: state.tier?.tierId ?? null,
    name: held?.name ?? null,
    since: state.tier?.since ?? null,
    multiplier: held?.multiplier ?? null,
    qualifyingPoints: qualifying,
    next:
      next === undefined ? null : { tierId: next.tierId, name: next.name, threshold: next.threshold, pointsNeeded: Math.max(0, next.threshold - qualifying) },
  };
}
