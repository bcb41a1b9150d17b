import type { CustomerEvent } from '../customer/customer';
import type { IssueReward } from '../customer/issue-reward';
import type { PaymentRecorded } from '../customer/record-payment';
import type { VisitCreated } from '../customer/record-visit';
import type { ProgramSnapshot } from '../program/program';
import { expiresAtFor, expiryOf } from '../program/lifecycle-settings';
import { DEFAULT_CASHBACK_SOURCES } from '../program/rules';
import { formatAmount, minorUnits } from '../shared/money';
import { cashbackPoints, parseRatio } from '../shared/points';
import { countedVisits, countsVisit, type VisitTally } from './visit-tally';

/**
 * Reactions: what the program's rules issue for one recorded event. Pure: the caller brings the
 * program version in force at the event's position and the customer's visit tally up to and
 * including the event; the same inputs always give the same rewards, so a re-run issues the very
 * same commands (and their ids, derived from the event and `key`, make them no-ops).
 */

/** A program version and the global position of the event that recorded it. */
export interface ProgramVersionAt {
  readonly position: bigint;
  readonly program: ProgramSnapshot;
}

/**
 * The program in force for an event at `position`: the last version recorded before it (as for
 * the read models' `timezoneAt`). A change applies to events after it, never to earlier ones.
 */
export function programAt(history: readonly ProgramVersionAt[], position: bigint): ProgramSnapshot | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.position < position) return history[i]!.program;
  return undefined;
}

export interface ReactionContext {
  readonly program: ProgramSnapshot | undefined;
  /** The customer's visits up to and including the triggering one (only read for visits). */
  readonly visits: VisitTally;
}

/** One command a reaction issues. */
export interface Reaction {
  /** Unique among the reactions to one event ("reward:visits-5"): with the event id, it makes the command id. */
  readonly key: string;
  readonly command: Omit<IssueReward, 'adjustmentId'>;
}

export function react(event: CustomerEvent, context: ReactionContext): readonly Reaction[] {
  const program = context.program;
  if (program === undefined) return [];
  if (event.type === 'VisitCreated') return visitRewards(event, program, context.visits);
  if (event.type === 'PaymentRecorded') return cashback(event, program);
  return [];
}

/** Every `everyVisits`-th visit the rule counts earns its points: the 5th, 10th, … counted visit. */
function visitRewards(visit: VisitCreated, program: ProgramSnapshot, tally: VisitTally): Reaction[] {
  const out: Reaction[] = [];
  for (const rule of program.settings.visitRewards ?? []) {
    if (!countsVisit(rule, visit.data)) continue;
    const count = countedVisits(tally, rule);
    if (count === 0 || count % rule.everyVisits !== 0) continue;
    out.push({
      key: `reward:${rule.ruleId}`,
      command: {
        type: 'IssueReward',
        customerId: visit.data.customerId,
        kind: 'reward',
        points: rule.points,
        reason: `visit reward: ${ordinal(count)} visit`,
        ruleId: rule.ruleId,
        programVersion: program.version,
        trigger: { visitId: visit.data.visitId },
        occurredAt: visit.data.occurredAt,
        ...expiryAt(program, visit.data.occurredAt),
      },
    });
  }
  return out;
}

/**
 * `percent` of the payment, as points at the ratio the payment itself earned at (recorded on the
 * payment), rounded down once; nothing when that rounds to 0. Never for a manual payment.
 */
function cashback(payment: PaymentRecorded, program: ProgramSnapshot): Reaction[] {
  const d = payment.data;
  if (d.source === 'manual') return [];
  const ratio = parseRatio(d.pointsPerUnit);
  if (ratio === undefined) return [];
  const out: Reaction[] = [];
  for (const rule of program.settings.cashback ?? []) {
    if (!(rule.sources ?? DEFAULT_CASHBACK_SOURCES).includes(d.source)) continue;
    const percent = parseRatio(rule.percent);
    if (percent === undefined) continue; // the codec admits only parseable percentages
    const points = cashbackPoints(d.amountMinor, minorUnits(d.currency), percent, ratio);
    if (points <= 0) continue;
    out.push({
      key: `cashback:${rule.ruleId}`,
      command: {
        type: 'IssueReward',
        customerId: d.customerId,
        kind: 'cashback',
        points,
        reason: `cashback: ${rule.percent}% of ${formatAmount(d.amountMinor, d.currency)} ${d.currency}`,
        ruleId: rule.ruleId,
        programVersion: program.version,
        trigger: { paymentId: d.paymentId },
        occurredAt: d.occurredAt,
        ...expiryAt(program, d.occurredAt),
      },
    });
  }
  return out;
}

/** A reward's expiry: the policy of the version in force at its trigger, counted from the trigger's business time. */
function expiryAt(program: ProgramSnapshot, earnedAt: string): { expiresAt?: string } {
  const expiresAt = expiresAtFor(expiryOf(program.settings), program.settings.timezone, earnedAt);
  return expiresAt === undefined ? {} : { expiresAt };
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th. */
export function ordinal(n: number): string {
  const lastTwo = n % 100;
  const suffix = lastTwo >= 11 && lastTwo <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
