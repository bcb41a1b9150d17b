import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import type { Expiry } from '../program/lifecycle-settings';
import { ProgramSettingsC, type ProgramSettings, type ProgramSnapshot } from '../program/program';
import type { Tier, TierWindow } from '../program/tiers';
import { react } from '../reactions/react';
import { emptyVisitTally } from '../reactions/visit-tally';
import { aProgram, CUSTOMER_ID, customerEnrolled } from '../testing/customer-fixtures';
import { enrolled, fold } from '../testing/lifecycle-fixtures';
import {
  DAY,
  drawInOrder,
  endOfLocalDay,
  holds,
  iso,
  localDay,
  MINUTE,
  observe,
  paymentCommand,
  paymentModelOf,
  plusDays,
  refundCommand,
  refundStepArb,
  same,
  sameAfterStoring,
  share,
  START,
  sumOf,
  type PaymentModelBase,
  type PayStep,
  type RedeemStep,
  type RefundStep,
} from '../testing/lifecycle-property';
import type { PointsAdjusted } from './adjust-points';
import { balanceView, evolveCustomer, type CustomerEvent, type Enrolled } from './customer';
import { decideCustomer, type CustomerCommand } from './customer.decider';
import { qualifyingPoints, type TierChanged } from './evaluate-tier';
import type { PointsExpired } from './expire-points';
import type { PaymentRecorded } from './record-payment';
import type { CashbackReversed, PaymentRefunded } from './refund-payment';

/**
 * Points lifecycle 2 as a property: random sequences of earnings (payments at whatever tier the
 * customer holds, manual credits that expire or not, cashback and rewards with an expiry),
 * spends, refunds, activations, expiries (the runner's "every due lot", and arbitrary lot ids),
 * tier evaluations, clock advances and program changes (expiry policy, tiers, tier window,
 * return window) are decided one by one against the folded state.
 *
 * Before each command the test predicts, from its own model of the ledger, exactly what the
 * command must write (or which refusal it must meet): the points a payment earns at its tier,
 * when each lot expires, which lots each spend and reversal draws from and how many points,
 * which lots expire and how much, and which tier change an evaluation makes. The model is built
 * from the events' own data with its own calendar (Intl, bisection), its own spending order and
 * its own arithmetic; it calls none of the code's calendar, lot or balance functions. After every
 * step the invariants of the issue are checked against the state and a replay from zero.
 */

const TIMEZONES = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Europe/Paris', 'America/Santiago', 'Pacific/Kiritimati', 'America/St_Johns'] as const;
const TIER_IDS = ['silver', 'gold', 'platinum'] as const;

// ---------------------------------------------------------------------------------------------
// The model's calendar (months, on top of the shared local days; testing/lifecycle-property.ts).
// ---------------------------------------------------------------------------------------------

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const daysInMonth = (year: number, month: number): number =>
  [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
/** The same day of the month `months` later, or the month's last day when it is shorter. */
function plusMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${year}-${pad(month)}-${pad(Math.min(d, daysInMonth(year, month)))}`;
}
const lastOfMonth = (day: string): string => `${day.slice(0, 8)}${pad(daysInMonth(Number(day.slice(0, 4)), Number(day.slice(5, 7))))}`;

const startOfLocalDay = (timezone: string, day: string): number => endOfLocalDay(timezone, plusDays(day, -1));

/** When a lot earned at `earnedAt` expires under `expiry`, in the model's own calendar. */
function expiryOf(expiry: Expiry | undefined, timezone: string, earnedAt: string): string | undefined {
  if (expiry === undefined || expiry.policy === 'none') return undefined;
  const day = localDay(timezone, Date.parse(earnedAt));
  if (expiry.policy === 'afterDays') return iso(endOfLocalDay(timezone, plusDays(day, expiry.days)));
  const last = plusMonths(day, expiry.months);
  const through = expiry.roundTo === 'day' ? last : expiry.roundTo === 'month' ? lastOfMonth(last) : `${last.slice(0, 4)}-12-31`;
  return iso(endOfLocalDay(timezone, through));
}

/** A decimal string as an exact fraction. */
function decimal(s: string): { num: bigint; den: bigint } {
  const [whole, fraction = ''] = s.split('.');
  return { num: BigInt(`${whole}${fraction}`), den: 10n ** BigInt(fraction.length) };
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

type ExpiryChoice = 'policy' | 'none' | { readonly offsetMinutes: number };

type Step =
  | PayStep
  | { readonly kind: 'credit'; readonly points: number; readonly expires: boolean | undefined }
  | { readonly kind: 'debit'; readonly points: number }
  | RedeemStep
  | RefundStep
  | { readonly kind: 'cashback'; readonly payment: number; readonly points: number; readonly expiry: ExpiryChoice }
  | { readonly kind: 'reward'; readonly visit: number; readonly points: number; readonly expiry: ExpiryChoice }
  | { readonly kind: 'activate'; readonly payment: number; readonly early: boolean; readonly pendingOnly: boolean }
  | { readonly kind: 'void'; readonly payment: number }
  | { readonly kind: 'expireDue' }
  | { readonly kind: 'expireSome'; readonly picks: readonly number[]; readonly unknown: boolean }
  | { readonly kind: 'expireAgain' }
  | { readonly kind: 'evaluate' }
  | { readonly kind: 'program'; readonly settings: Partial<ProgramSettings> }
  | { readonly kind: 'tick'; readonly minutes: number }
  | { readonly kind: 'tickDays'; readonly days: number }
  /** The clock to just before, at or just after a lot's expiresAt or a payment's activatesAt (never backwards). */
  | { readonly kind: 'tickTo'; readonly pick: number; readonly what: 'expiry' | 'activation'; readonly offsetMs: number };

const expiryArb: fc.Arbitrary<Expiry> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ policy: 'none' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ policy: fc.constant('afterDays' as const), days: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 60 })) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      policy: fc.constant('afterMonths' as const),
      months: fc.integer({ min: 1, max: 3 }),
      roundTo: fc.constantFrom('day' as const, 'month' as const, 'year' as const),
    }),
  },
);

/** Always the same three tier ids, in order: thresholds strictly ascending, multipliers of every shape the codec admits. */
const tiersArb: fc.Arbitrary<Tier[]> = fc
  .tuple(
    fc.integer({ min: 0, max: 300 }),
    fc.integer({ min: 1, max: 600 }),
    fc.integer({ min: 1, max: 1200 }),
    fc.array(fc.constantFrom('1', '1.1', '1.25', '1.5', '2', '0.5', '3.3333', '10'), { minLength: 3, maxLength: 3 }),
  )
  .map(([first, second, third, multipliers]) => {
    const thresholds = [first, first + second, first + second + third];
    return TIER_IDS.map((tierId, i) => ({ tierId, name: tierId, threshold: thresholds[i]!, multiplier: multipliers[i]! }));
  });

const tierWindowArb: fc.Arbitrary<TierWindow> = fc.oneof(
  fc.constant('lifetime' as const),
  fc.constant('calendarYear' as const),
  fc.record({ rollingDays: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 30 })) }),
);

const settingsArb: fc.Arbitrary<Partial<ProgramSettings>> = fc.record(
  {
    pointsPerUnit: fc.constantFrom('1', '1', '0.5', '2.25'),
    timezone: fc.constantFrom(...TIMEZONES),
    negativeBalance: fc.constantFrom('deny' as const, 'allow' as const),
    reversalShortfall: fc.constantFrom('debt' as const, 'writeOff' as const),
    pendingDays: fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 5 }) },
      { weight: 1, arbitrary: fc.constant(14) },
    ),
    expiry: expiryArb,
    tiers: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 4, arbitrary: tiersArb }),
    tierWindow: tierWindowArb,
  },
  { requiredKeys: ['pointsPerUnit', 'timezone', 'negativeBalance'] },
);

const expiryChoiceArb: fc.Arbitrary<ExpiryChoice> = fc.oneof(
  fc.constant('policy' as const),
  fc.constant('none' as const),
  fc.record({ offsetMinutes: fc.integer({ min: -DAY / MINUTE, max: (40 * DAY) / MINUTE }) }),
);

/** One arbitrary per kind of step; the properties below mix them in different proportions. */
const STEPS: { readonly [K in Step['kind']]: fc.Arbitrary<Extract<Step, { kind: K }>> } = {
  pay: fc.record({
    kind: fc.constant('pay' as const),
    amountMinor: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 999 }) }, { weight: 4, arbitrary: fc.integer({ min: 1000, max: 60_000 }) }),
    backdateMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * 24 * 60 }), fc.integer({ min: 0, max: 25 * 24 * 60 })),
    inStore: fc.boolean(),
  }),
  credit: fc.record({ kind: fc.constant('credit' as const), points: fc.integer({ min: 1, max: 400 }), expires: fc.constantFrom(undefined, true, false) }),
  debit: fc.record({ kind: fc.constant('debit' as const), points: fc.integer({ min: 1, max: 400 }) }),
  redeem: fc.record({ kind: fc.constant('redeem' as const), points: fc.oneof(fc.constant('all' as const), fc.integer({ min: 1, max: 500 })) }),
  refund: refundStepArb(5),
  cashback: fc.record({ kind: fc.constant('cashback' as const), payment: fc.nat(), points: fc.integer({ min: 1, max: 60 }), expiry: expiryChoiceArb }),
  reward: fc.record({ kind: fc.constant('reward' as const), visit: fc.nat(), points: fc.integer({ min: 1, max: 80 }), expiry: expiryChoiceArb }),
  activate: fc.record({ kind: fc.constant('activate' as const), payment: fc.nat(), early: fc.boolean(), pendingOnly: fc.boolean() }),
  void: fc.record({ kind: fc.constant('void' as const), payment: fc.nat() }),
  expireDue: fc.constant({ kind: 'expireDue' as const }),
  expireSome: fc.record({ kind: fc.constant('expireSome' as const), picks: fc.array(fc.nat(), { maxLength: 4 }), unknown: fc.boolean() }),
  expireAgain: fc.constant({ kind: 'expireAgain' as const }),
  evaluate: fc.constant({ kind: 'evaluate' as const }),
  program: fc.record({ kind: fc.constant('program' as const), settings: settingsArb }),
  tick: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) }),
  tickDays: fc.record({ kind: fc.constant('tickDays' as const), days: fc.integer({ min: 1, max: 40 }) }),
  tickTo: fc.record({
    kind: fc.constant('tickTo' as const),
    pick: fc.nat(),
    what: fc.constantFrom('expiry' as const, 'activation' as const),
    offsetMs: fc.constantFrom(-60_000, -1, 0, 1),
  }),
};

const stepsIn = (weights: { readonly [K in Step['kind']]?: number }): fc.Arbitrary<Step> =>
  fc.oneof(...Object.entries(weights).map(([kind, weight]) => ({ weight: weight, arbitrary: STEPS[kind as Step['kind']] as fc.Arbitrary<Step> })));

/** Everything, in proportions that reach every rule. */
const anyStep = stepsIn({
  pay: 6,
  credit: 2,
  debit: 2,
  redeem: 3,
  refund: 3,
  cashback: 2,
  reward: 1,
  activate: 3,
  void: 1,
  expireDue: 3,
  expireSome: 2,
  expireAgain: 1,
  evaluate: 4,
  program: 2,
  tick: 3,
  tickDays: 2,
  tickTo: 2,
});

/** Lots and expiry: earnings, spends and returns as the clock passes their dates. */
const expiryStep = stepsIn({
  pay: 5,
  credit: 3,
  cashback: 2,
  reward: 1,
  debit: 1,
  redeem: 3,
  refund: 3,
  activate: 2,
  expireDue: 4,
  expireSome: 2,
  expireAgain: 1,
  program: 1,
  tick: 2,
  tickTo: 4,
});

/** Tiers: payments, returns and evaluations over days, as the window moves. */
const tierStep = stepsIn({ pay: 5, refund: 2, redeem: 1, activate: 2, evaluate: 6, program: 1, tick: 2, tickDays: 2, tickTo: 1 });

/** Programs for the expiry property: short expiries most of the time. */
const expirySettingsArb: fc.Arbitrary<Partial<ProgramSettings>> = fc
  .tuple(
    settingsArb,
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ policy: fc.constant('afterDays' as const), days: fc.integer({ min: 1, max: 10 }) }) },
      { weight: 1, arbitrary: expiryArb },
    ),
  )
  .map(([settings, expiry]) => ({ ...settings, expiry }));

/** Programs for the tier property: tiers always, short rolling windows often. */
const tierSettingsArb: fc.Arbitrary<Partial<ProgramSettings>> = fc
  .tuple(
    settingsArb,
    tiersArb,
    fc.oneof({ weight: 3, arbitrary: fc.record({ rollingDays: fc.integer({ min: 1, max: 10 }) }) }, { weight: 1, arbitrary: tierWindowArb }),
  )
  .map(([settings, tiers, tierWindow]) => ({ ...settings, tiers, tierWindow }));

// ---------------------------------------------------------------------------------------------
// The model: the ledger as the test sees it, from the events' own data.
// ---------------------------------------------------------------------------------------------

interface LotModel {
  readonly lotId: string;
  readonly earnedAt: string;
  readonly expiresAt: string | undefined;
  readonly paymentId: string | undefined;
  remaining: number;
  pending: boolean;
}

interface PaymentModel extends PaymentModelBase {
  /** The event as recorded, and the program in force then (what its reactions read). */
  readonly recorded: PaymentRecorded;
  readonly program: ProgramSnapshot;
  reversed: number;
  lastRefund: { readonly refundId: string; readonly occurredAt: string } | undefined;
}

interface Model {
  net: number;
  pending: number;
  readonly lifetime: { earned: number; redeemed: number; adjustedIn: number; adjustedOut: number; reversed: number; writtenOff: number; expired: number };
  /** Every lot ever opened, open or closed (remaining 0). */
  readonly lots: Map<string, LotModel>;
  /** Each lot's expiresAt as its earning recorded it. */
  readonly expiresAtWhenEarned: Map<string, string | undefined>;
  /** PointsExpired events per lot. */
  readonly expiries: Map<string, number>;
  /** Points each lot lost to expiry that no reversal has accounted for yet. */
  readonly expiredNotReversed: Map<string, number>;
  readonly payments: Map<string, PaymentModel>;
  readonly paymentIds: string[];
  readonly cashback: Map<string, { readonly paymentId: string; readonly points: number; reversed: number }>;
  readonly visits: { readonly visitId: string; readonly occurredAt: string }[];
  tier: { readonly tierId: string; readonly since: string } | undefined;
  readonly tierHistory: { readonly tierId: string | null; readonly from: string }[];
}

const newModel = (): Model => ({
  net: 0,
  pending: 0,
  lifetime: { earned: 0, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 0, writtenOff: 0, expired: 0 },
  lots: new Map(),
  expiresAtWhenEarned: new Map(),
  expiries: new Map(),
  expiredNotReversed: new Map(),
  payments: new Map(),
  paymentIds: [],
  cashback: new Map(),
  visits: [],
  tier: undefined,
  tierHistory: [],
});

/** The specified spending order: earliest expiresAt first, never-expiring last; then earliest earned; then id. */
function spendingOrder(a: LotModel, b: LotModel): number {
  const ea = a.expiresAt === undefined ? Infinity : Date.parse(a.expiresAt);
  const eb = b.expiresAt === undefined ? Infinity : Date.parse(b.expiresAt);
  if (ea !== eb) return ea - eb;
  const diff = Date.parse(a.earnedAt) - Date.parse(b.earnedAt);
  if (diff !== 0) return diff;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

const openLots = (m: Model): LotModel[] => [...m.lots.values()].filter((lot) => lot.remaining > 0).sort(spendingOrder);

/** What a spend (or a reversal, its own lot first) of `points` must draw, and what is left over. */
function draws(m: Model, points: number, own?: string): { lots: { lotId: string; points: number }[]; shortfall: number } {
  return drawInOrder(
    openLots(m).filter((lot) => !lot.pending),
    points,
    own,
  );
}

/** Points that become available pay what is owed first. */
const repaid = (m: Model, points: number): number => Math.min(points, Math.max(0, -m.net));

function openLot(m: Model, lot: Omit<LotModel, 'remaining' | 'pending'>, points: number, pending: boolean): void {
  holds(`lot ${lot.lotId} is opened once`, !m.lots.has(lot.lotId));
  m.lots.set(lot.lotId, { ...lot, remaining: pending ? points : points - repaid(m, points), pending });
  m.expiresAtWhenEarned.set(lot.lotId, lot.expiresAt);
}

/** Recorded draws, taken from the model's lots: each from an open lot, never more than it has. */
function takeDraws(m: Model, recorded: readonly { readonly lotId: string; readonly points: number }[], what: string): void {
  for (const d of recorded) {
    const lot = m.lots.get(d.lotId);
    holds(`${what}: draws from an open lot`, lot !== undefined && lot.remaining > 0, d);
    holds(`${what}: never more than the lot has (no lot below zero)`, lot !== undefined && d.points > 0 && d.points <= lot.remaining, { d, lot });
    if (lot !== undefined) lot.remaining -= d.points;
  }
}

/** The model after one event (`program`: the version a payment was recorded under, which its reactions read). */
function apply(m: Model, event: CustomerEvent, program?: ProgramSnapshot): void {
  switch (event.type) {
    case 'CustomerEnrolled':
      return;
    case 'VisitCreated':
      m.visits.push({ visitId: event.data.visitId, occurredAt: event.data.occurredAt });
      return;
    case 'PaymentRecorded': {
      const d = event.data;
      const pending = d.activatesAt !== undefined;
      openLot(m, { lotId: d.paymentId, earnedAt: d.occurredAt, expiresAt: d.expiresAt, paymentId: d.paymentId }, d.points, pending);
      if (pending) m.pending += d.points;
      else m.net += d.points;
      m.lifetime.earned += d.points;
      m.payments.set(d.paymentId, { ...paymentModelOf(d), recorded: event, program: program!, reversed: 0, lastRefund: undefined });
      m.paymentIds.push(d.paymentId);
      return;
    }
    case 'PointsAdjusted': {
      const d = event.data;
      if (d.points < 0) {
        takeDraws(m, d.lots ?? [], `spend ${d.adjustmentId}`);
        m.net += d.points;
        if (d.kind === 'redemption') m.lifetime.redeemed -= d.points;
        else m.lifetime.adjustedOut -= d.points;
        return;
      }
      const pending = d.activatesAt !== undefined;
      const paymentId = d.kind === 'cashback' ? d.reference : undefined;
      openLot(m, { lotId: d.adjustmentId, earnedAt: d.occurredAt, expiresAt: d.expiresAt, paymentId }, d.points, pending);
      if (pending) m.pending += d.points;
      else m.net += d.points;
      if (d.kind === 'manual') m.lifetime.adjustedIn += d.points;
      else m.lifetime.earned += d.points;
      if (d.kind === 'cashback') {
        m.cashback.set(d.adjustmentId, { paymentId: d.reference!, points: d.points, reversed: 0 });
        m.payments.get(d.reference!)!.cashback.push(d.adjustmentId);
      }
      return;
    }
    case 'PaymentRefunded':
    case 'CashbackReversed': {
      const d = event.data;
      const ownId = event.type === 'PaymentRefunded' ? event.data.paymentId : event.data.cashbackId;
      if (d.fromPending > 0) {
        const own = m.lots.get(ownId);
        holds('a reversal takes pending points only from its own pending lot', own !== undefined && own.pending && own.remaining >= d.fromPending, own);
        own!.remaining -= d.fromPending;
      }
      takeDraws(m, d.lots, `reversal of ${ownId}`);
      const expiredLeft = (m.expiredNotReversed.get(ownId) ?? 0) - (d.fromExpired ?? 0);
      holds('a reversal writes off at most what its own lot lost to expiry', expiredLeft >= 0 && d.fromExpired !== 0, d);
      m.expiredNotReversed.set(ownId, expiredLeft);
      m.pending -= d.fromPending;
      m.net -= d.pointsReversed - d.fromPending - d.writtenOff;
      m.lifetime.reversed += d.pointsReversed;
      m.lifetime.writtenOff += d.writtenOff;
      if (event.type === 'PaymentRefunded') {
        const p = m.payments.get(event.data.paymentId)!;
        p.refundedMinor += event.data.amountMinor;
        p.reversed += event.data.pointsReversed;
        p.refundIdentifiers.push(event.data.refundIdentifier);
        p.lastRefund = { refundId: event.data.refundId, occurredAt: event.data.occurredAt };
      } else m.cashback.get(event.data.cashbackId)!.reversed += event.data.pointsReversed;
      return;
    }
    case 'PointsActivated':
      for (const d of event.data.lots) {
        const lot = m.lots.get(d.lotId)!;
        holds('an activation activates a pending lot, all of it', lot.pending && lot.remaining === d.points, { d, lot });
        lot.pending = false;
        lot.remaining -= repaid(m, d.points);
        m.net += d.points;
        m.pending -= d.points;
      }
      m.payments.get(event.data.paymentId)!.activated = true;
      return;
    case 'PointsVoided':
      for (const d of event.data.lots) {
        const lot = m.lots.get(d.lotId)!;
        holds('a void cancels a pending lot, all of it', lot.pending && lot.remaining === d.points, { d, lot });
        lot.remaining = 0;
      }
      m.pending -= event.data.points;
      m.lifetime.reversed += event.data.points;
      m.payments.get(event.data.paymentId)!.voided = true;
      return;
    case 'PointsExpired': {
      const d = event.data;
      const lot = m.lots.get(d.lotId);
      m.expiries.set(d.lotId, (m.expiries.get(d.lotId) ?? 0) + 1);
      holds('nothing expires twice', m.expiries.get(d.lotId) === 1, d);
      holds('a lot expires what it still had, never more', lot !== undefined && d.points > 0 && d.points <= lot.remaining, { d, lot });
      holds('a lot expires at its own expiresAt', lot?.expiresAt === d.occurredAt, { d, lot });
      if (lot === undefined) return;
      lot.remaining -= d.points;
      if (d.pending) m.pending -= d.points;
      else m.net -= d.points;
      m.lifetime.expired += d.points;
      m.expiredNotReversed.set(d.lotId, (m.expiredNotReversed.get(d.lotId) ?? 0) + d.points);
      return;
    }
    case 'TierChanged':
      m.tier = event.data.to === null ? undefined : { tierId: event.data.to, since: event.data.occurredAt };
      m.tierHistory.push({ tierId: event.data.to, from: event.data.occurredAt });
      return;
  }
}

/** Pending while its window is open and nothing activated or voided it. */
const paymentPending = (p: PaymentModel): boolean => p.activatesAt !== undefined && !p.activated && !p.voided;

/** The tier held at a business time, from the model's history. */
function tierHeldAt(m: Model, at: string): string | undefined {
  let held: string | null = null;
  for (const change of m.tierHistory) if (Date.parse(change.from) <= Date.parse(at)) held = change.tierId;
  return held ?? undefined;
}

/** Qualifying points: payments' points after their reversals (or before them), once available, inside the window as of `now`. */
function qualifying(m: Model, window: TierWindow, timezone: string, now: number, afterReversals = true): number {
  let total = 0;
  const today = localDay(timezone, now);
  for (const p of m.payments.values()) {
    if (p.voided || (p.activatesAt !== undefined && !p.activated)) continue;
    const at = Date.parse(p.occurredAt);
    const inside =
      window === 'lifetime'
        ? true
        : window === 'calendarYear'
          ? localDay(timezone, at).slice(0, 4) === today.slice(0, 4)
          : at >= startOfLocalDay(timezone, plusDays(today, 1 - window.rollingDays)) && at <= now;
    if (inside) total += p.earned - (afterReversals ? p.reversed : 0);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Predictions: what each command must write, from the model alone.
// ---------------------------------------------------------------------------------------------

type Prediction = { readonly refused: string } | { readonly events: CustomerEvent[] };

/**
 * Where a reversal's points come from: its own pending lot, its own available lot, then (the
 * spec is silent; what an auditor expects) what its own lot lost to expiry, which the customer
 * has lost already and which is written off rather than taken again; then the other lots in
 * spending order; then the shortfall policy.
 */
function allocation(m: Model, ownId: string, points: number, policy: 'debt' | 'writeOff') {
  const own = m.lots.get(ownId);
  const fromPending = own !== undefined && own.pending && own.remaining > 0 ? Math.min(points, own.remaining) : 0;
  const fromExpired = Math.min(points - fromPending, m.expiredNotReversed.get(ownId) ?? 0);
  const drawn = draws(m, points - fromPending - fromExpired, ownId);
  return {
    fromPending,
    lots: drawn.lots,
    owed: policy === 'debt' ? drawn.shortfall : 0,
    writtenOff: (policy === 'writeOff' ? drawn.shortfall : 0) + fromExpired,
    shortfallPolicy: policy,
    ...(fromExpired > 0 && { fromExpired }),
  };
}

function cashbackReversal(
  m: Model,
  p: PaymentModel,
  cashbackId: string,
  refund: { refundId: string; occurredAt: string },
  policy: 'debt' | 'writeOff',
): CashbackReversed | undefined {
  const c = m.cashback.get(cashbackId)!;
  const pointsReversed = share(c.points, p.refundedMinor, p.amountMinor) - c.reversed;
  if (pointsReversed <= 0) return undefined;
  return {
    type: 'CashbackReversed',
    data: {
      reversalId: `${refund.refundId}:${cashbackId}`,
      cashbackId,
      paymentId: p.paymentId,
      refundId: refund.refundId,
      customerId: CUSTOMER_ID,
      occurredAt: refund.occurredAt,
      cashbackPoints: c.points,
      paymentAmountMinor: p.amountMinor,
      refundedTotalMinor: p.refundedMinor,
      reversedBefore: c.reversed,
      pointsReversed,
      ...allocation(m, cashbackId, pointsReversed, policy),
    },
  };
}

/** Events predicted one after another, each against the model after the ones before it. */
function sequence(m: Model, ...makers: ((m: Model) => CustomerEvent | undefined)[]): CustomerEvent[] {
  const out: CustomerEvent[] = [];
  for (const make of makers) {
    const event = make(m);
    if (event === undefined) continue;
    out.push(event);
    apply(m, event);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

function run(initialSettings: Partial<ProgramSettings>, steps: readonly Step[]): void {
  let now = START;
  let program: ProgramSnapshot = aProgram(initialSettings, 1);
  const events: CustomerEvent[] = [customerEnrolled()];
  let state = enrolled(events);
  const model = newModel();
  let refundSeq = 0;
  let lastExpire: CustomerCommand | undefined;

  steps.forEach((step, i) => {
    const at = new Date(now);
    const nowIso = at.toISOString();
    const settings = program.settings;
    const tz = settings.timezone;
    const policy = settings.reversalShortfall ?? 'debt';
    const paymentAt = (n: number): PaymentModel | undefined =>
      model.paymentIds.length === 0 ? undefined : model.payments.get(model.paymentIds[n % model.paymentIds.length]!);
    const pendingPayments = [...model.payments.values()].filter(paymentPending);
    const pendingPaymentAt = (n: number): PaymentModel | undefined =>
      pendingPayments.length === 0 ? paymentAt(n) : pendingPayments[n % pendingPayments.length];
    const allLotIds = [...model.lots.keys()];
    let command: CustomerCommand;
    let predict: (m: Model) => Prediction;

    switch (step.kind) {
      case 'tick':
        now += step.minutes * MINUTE;
        return;
      case 'tickDays':
        now += step.days * DAY;
        return;
      case 'tickTo': {
        const target =
          step.what === 'activation'
            ? pendingPaymentAt(step.pick)?.activatesAt
            : openLots(model).filter((lot) => lot.expiresAt !== undefined)[step.pick % Math.max(1, model.lots.size)]?.expiresAt;
        if (target !== undefined) now = Math.max(now, Date.parse(target) + step.offsetMs);
        return;
      }
      case 'program': {
        holds(
          'the generated settings are valid program settings',
          E.isRight(ProgramSettingsC.decode({ ...aProgram().settings, ...step.settings })),
          step.settings,
        );
        program = aProgram(step.settings, program.version + 1);
        return;
      }
      case 'pay': {
        command = paymentCommand(i, step, now, program);
        const { occurredAt } = command;
        const amountMinor = step.amountMinor;
        predict = (m) => {
          // floor(amount × pointsPerUnit × multiplier of the tier held at the payment's own time), exactly.
          const tierId = tierHeldAt(m, occurredAt);
          const multiplier = tierId === undefined ? undefined : (settings.tiers ?? []).find((t) => t.tierId === tierId)?.multiplier;
          const ppu = decimal(settings.pointsPerUnit);
          const mult = decimal(multiplier ?? '1');
          const points = Number((BigInt(amountMinor) * ppu.num * mult.num) / (ppu.den * mult.den * 100n));
          const days = settings.pendingDays ?? 0;
          const end = days === 0 ? undefined : endOfLocalDay(tz, plusDays(localDay(tz, Date.parse(occurredAt)), days));
          const activatesAt = end !== undefined && end > now ? iso(end) : undefined;
          const expiresAt = expiryOf(settings.expiry, tz, occurredAt);
          const recorded: PaymentRecorded = {
            type: 'PaymentRecorded',
            data: {
              paymentId: `pay-${i}`,
              customerId: CUSTOMER_ID,
              locationId: 'loc-1',
              amountMinor,
              currency: 'USD',
              purchaseIdentifier: `R-${i}`,
              occurredAt,
              source: step.inStore ? 'scan' : 'online',
              points,
              pointsPerUnit: settings.pointsPerUnit,
              programVersion: program.version,
              ...(step.inStore && { visitId: `vis-${i}` }),
              ...(activatesAt !== undefined && { activatesAt }),
              ...(expiresAt !== undefined && { expiresAt }),
              ...(tierId !== undefined && { tierId }),
              ...(multiplier !== undefined && { multiplier }),
            },
          };
          const visit: CustomerEvent = {
            type: 'VisitCreated',
            data: { visitId: `vis-${i}`, customerId: CUSTOMER_ID, locationId: 'loc-1', occurredAt, kind: 'purchase', source: 'scan', paymentId: `pay-${i}` },
          };
          return { events: step.inStore ? [visit, recorded] : [recorded] };
        };
        break;
      }
      case 'credit':
      case 'debit': {
        const points = step.kind === 'credit' ? step.points : -step.points;
        command = {
          type: 'AdjustPoints',
          customerId: CUSTOMER_ID,
          adjustmentId: `adj-${i}`,
          points,
          reason: 'correction',
          ...(step.kind === 'credit' && step.expires !== undefined && { expires: step.expires }),
          program,
          now: at,
        };
        predict = (m) => {
          if (points < 0 && settings.negativeBalance === 'deny' && m.net + points < 0) return { refused: 'InsufficientPoints' };
          // A positive credit expires under the policy, counted from when it is made, unless it says expires: false.
          const expiresAt = step.kind === 'credit' && step.expires !== false ? expiryOf(settings.expiry, tz, nowIso) : undefined;
          const adjusted: PointsAdjusted = {
            type: 'PointsAdjusted',
            data: {
              adjustmentId: `adj-${i}`,
              customerId: CUSTOMER_ID,
              kind: 'manual',
              points,
              reason: 'correction',
              occurredAt: nowIso,
              ...(points < 0 && { lots: draws(m, -points).lots }),
              ...(expiresAt !== undefined && { expiresAt }),
            },
          };
          return { events: [adjusted] };
        };
        break;
      }
      case 'redeem': {
        const points = step.points === 'all' ? Math.max(1, model.net) : step.points;
        command = { type: 'RedeemPoints', customerId: CUSTOMER_ID, redemptionId: `red-${i}`, points, now: at };
        predict = (m) =>
          points > m.net
            ? { refused: 'InsufficientPoints' } // pending points cannot be spent; while owing, nothing can
            : {
                events: [
                  {
                    type: 'PointsAdjusted',
                    data: {
                      adjustmentId: `red-${i}`,
                      customerId: CUSTOMER_ID,
                      kind: 'redemption',
                      points: -points,
                      occurredAt: nowIso,
                      lots: draws(m, points).lots,
                    },
                  },
                ],
              };
        break;
      }
      case 'refund': {
        const refund = refundCommand(i, step, paymentAt(step.payment), ++refundSeq, now, program);
        const { amountMinor, refused } = refund;
        const { paymentId, refundIdentifier, occurredAt } = refund.command;
        command = refund.command;
        predict = (m) => {
          if (refused !== undefined) return { refused };
          const mp = m.payments.get(paymentId)!;
          // Cumulative, from the payment's own figures (its multiplied points): never today's rules.
          const pointsReversed = mp.voided ? 0 : share(mp.earned, mp.refundedMinor + amountMinor, mp.amountMinor) - mp.reversed;
          const refundEvent = (mm: Model): PaymentRefunded => ({
            type: 'PaymentRefunded',
            data: {
              refundId: `ref-${i}`,
              paymentId,
              customerId: CUSTOMER_ID,
              refundIdentifier,
              amountMinor,
              currency: 'USD',
              locationId: 'loc-1',
              occurredAt,
              paymentAmountMinor: mp.amountMinor,
              paymentPoints: mp.earned,
              refundedBeforeMinor: mp.refundedMinor,
              reversedBefore: mp.reversed,
              pointsReversed,
              ...allocation(mm, paymentId, pointsReversed, policy),
            },
          });
          const cashbackIds = mp.voided ? [] : [...mp.cashback];
          return {
            events: sequence(
              m,
              refundEvent,
              ...cashbackIds.map((id) => (mm: Model) => cashbackReversal(mm, mm.payments.get(paymentId)!, id, { refundId: `ref-${i}`, occurredAt }, policy)),
            ),
          };
        };
        break;
      }
      case 'cashback':
      case 'reward': {
        const p = step.kind === 'cashback' ? paymentAt(step.payment) : undefined;
        const visit = step.kind === 'reward' && model.visits.length > 0 ? model.visits[step.visit % model.visits.length] : undefined;
        const triggerAt = (step.kind === 'cashback' ? p?.occurredAt : visit?.occurredAt) ?? nowIso;
        let expiresAt: string | undefined;
        if (step.expiry === 'policy') {
          if (p !== undefined) {
            // What the reaction to the payment issues: the policy of the version in force at the payment, from its business time.
            const withRule: ProgramSnapshot = { ...p.program, settings: { ...p.program.settings, cashback: [{ ruleId: 'cb', percent: '50' }] } };
            const reacted = react(p.recorded, { program: withRule, visits: emptyVisitTally });
            expiresAt = reacted[0]?.command.expiresAt;
            if (reacted.length > 0)
              same('the expiry a cashback reaction carries', expiresAt, expiryOf(p.program.settings.expiry, p.program.settings.timezone, p.occurredAt));
          } else expiresAt = expiryOf(settings.expiry, tz, triggerAt);
        } else if (step.expiry !== 'none') expiresAt = iso(Date.parse(triggerAt) + step.expiry.offsetMinutes * MINUTE);
        const id = `${step.kind === 'cashback' ? 'cb' : 'rw'}-${i}`;
        const trigger = step.kind === 'cashback' ? { paymentId: p?.paymentId ?? 'pay-none' } : { visitId: visit?.visitId ?? 'vis-none' };
        command = {
          type: 'IssueReward',
          customerId: CUSTOMER_ID,
          adjustmentId: id,
          kind: step.kind,
          points: step.points,
          reason: step.kind,
          ruleId: 'rule',
          programVersion: program.version,
          trigger,
          occurredAt: triggerAt,
          program,
          ...(expiresAt !== undefined && { expiresAt }),
        };
        predict = (m) => {
          if (step.kind === 'reward' && visit === undefined) return { refused: 'VisitNotFound' };
          if (step.kind === 'cashback' && p === undefined) return { refused: 'InvalidInput' };
          const mp = p === undefined ? undefined : m.payments.get(p.paymentId)!;
          if (mp?.voided === true) return { refused: 'PaymentVoided' };
          const activatesAt = mp !== undefined && paymentPending(mp) ? mp.activatesAt : undefined;
          const issued: PointsAdjusted = {
            type: 'PointsAdjusted',
            data: {
              adjustmentId: id,
              customerId: CUSTOMER_ID,
              kind: step.kind,
              points: step.points,
              reason: step.kind,
              reference: mp?.paymentId ?? visit!.visitId,
              ruleId: 'rule',
              programVersion: program.version,
              occurredAt: triggerAt,
              ...(activatesAt !== undefined && { activatesAt }),
              ...(expiresAt !== undefined && { expiresAt }),
            },
          };
          // Issued after a partial refund: the refunded share is reversed at once.
          const late = mp?.lastRefund;
          return {
            events: sequence(
              m,
              () => issued,
              (mm) => (late === undefined ? undefined : cashbackReversal(mm, mm.payments.get(mp!.paymentId)!, id, late, policy)),
            ),
          };
        };
        break;
      }
      case 'activate': {
        const p = step.pendingOnly ? pendingPaymentAt(step.payment) : paymentAt(step.payment);
        const paymentId = p?.paymentId ?? 'pay-none';
        command = { type: 'ActivatePoints', customerId: CUSTOMER_ID, paymentId, early: step.early, now: at };
        predict = (m) => {
          if (p === undefined) return { refused: 'PaymentNotFound' };
          const pendingLots = openLots(m).filter((lot) => lot.pending && lot.paymentId === paymentId);
          if (pendingLots.length === 0) return { refused: 'PointsNotPending' };
          const due = now >= Date.parse(p.activatesAt!);
          if (!due && !step.early) return { refused: 'PointsNotDue' };
          const lots = pendingLots.map((lot) => ({ lotId: lot.lotId, points: lot.remaining }));
          return {
            events: [
              {
                type: 'PointsActivated',
                data: {
                  paymentId,
                  customerId: CUSTOMER_ID,
                  occurredAt: due ? p.activatesAt! : nowIso,
                  early: !due,
                  lots,
                  points: sumOf(lots),
                },
              },
            ],
          };
        };
        break;
      }
      case 'void': {
        const p = paymentAt(step.payment);
        const paymentId = p?.paymentId ?? 'pay-none';
        command = { type: 'VoidPoints', customerId: CUSTOMER_ID, paymentId, reason: 'mistake', now: at };
        predict = (m) => {
          if (p === undefined) return { refused: 'PaymentNotFound' };
          const pendingLots = openLots(m).filter((lot) => lot.pending && lot.paymentId === paymentId);
          if (pendingLots.length === 0) return { refused: 'PointsNotPending' };
          const lots = pendingLots.map((lot) => ({ lotId: lot.lotId, points: lot.remaining }));
          return {
            events: [
              {
                type: 'PointsVoided',
                data: { paymentId, customerId: CUSTOMER_ID, occurredAt: nowIso, reason: 'mistake', lots, points: sumOf(lots) },
              },
            ],
          };
        };
        break;
      }
      case 'expireDue':
      case 'expireSome':
      case 'expireAgain': {
        let lotIds: string[];
        if (step.kind === 'expireAgain') {
          if (lastExpire === undefined || lastExpire.type !== 'ExpirePoints') return;
          lotIds = [...lastExpire.lotIds];
        } else if (step.kind === 'expireDue') {
          // What the runner sends: every open lot whose expiresAt its clock has passed.
          lotIds = [...model.lots.values()]
            .filter((lot) => lot.remaining > 0 && lot.expiresAt !== undefined && Date.parse(lot.expiresAt) <= now)
            .map((l) => l.lotId);
        } else {
          lotIds = step.picks.map((n) => allLotIds[n % Math.max(1, allLotIds.length)] ?? 'lot-none');
          if (step.unknown) lotIds.push(`unknown-${i}`);
        }
        command = { type: 'ExpirePoints', customerId: CUSTOMER_ID, lotIds, now: at };
        lastExpire = command;
        predict = (m) => {
          const wanted = [...new Set(lotIds)]
            .map((id) => m.lots.get(id))
            .filter((lot): lot is LotModel => lot !== undefined && lot.remaining > 0 && lot.expiresAt !== undefined);
          const due = wanted.filter((lot) => Date.parse(lot.expiresAt!) <= now).sort(spendingOrder);
          if (due.length === 0) return { refused: wanted.length > 0 ? 'NotDueYet' : 'NothingToExpire' };
          return {
            events: due.map((lot): PointsExpired => ({
              type: 'PointsExpired',
              data: { lotId: lot.lotId, customerId: CUSTOMER_ID, occurredAt: lot.expiresAt!, points: lot.remaining, pending: lot.pending },
            })),
          };
        };
        break;
      }
      case 'evaluate': {
        command = { type: 'EvaluateTier', customerId: CUSTOMER_ID, program, now: at };
        predict = (m) => {
          const tiers = settings.tiers ?? [];
          if (tiers.length === 0) return { refused: 'TierUnchanged' };
          const window = settings.tierWindow ?? 'lifetime';
          const q = qualifying(m, window, tz, now);
          const held = m.tier === undefined ? -1 : tiers.findIndex((t) => t.tierId === m.tier!.tierId);
          const reached = (points: number) => tiers.reduce((r, t, n) => (points >= t.threshold ? n : r), -1);
          const supported = reached(q);
          let to: string | null;
          if (supported > held)
            to = tiers[supported]!.tierId; // up at once, to the highest tier reached
          else if (supported < held) {
            // Down one tier, never below what the window supports, and (the implementation's rule) at most once a local day.
            if (Date.parse(m.tier!.since) >= startOfLocalDay(tz, localDay(tz, now))) {
              return { refused: 'TierUnchanged' };
            }
            to = held === 0 ? null : tiers[held - 1]!.tierId;
          } else return { refused: 'TierUnchanged' };
          const changed: TierChanged = {
            type: 'TierChanged',
            data: {
              customerId: CUSTOMER_ID,
              from: m.tier?.tierId ?? null,
              to,
              qualifyingPoints: q,
              // Down: refunds did it if the window's payments before their reversals would still reach the tier held.
              reason: supported > held ? 'qualified' : reached(qualifying(m, window, tz, now, false)) >= held ? 'reversal' : 'window',
              occurredAt: nowIso,
              programVersion: program.version,
            },
          };
          return { events: [changed] };
        };
        break;
      }
    }

    const predicted = predict(structuredClone(model));
    const qualifyingBefore = qualifyingPoints(state, settings.tierWindow ?? 'lifetime', tz, at);
    const result = decideCustomer(command, state);
    same(`outcome of ${command.type} at step ${i}`, E.isLeft(result) ? result.left._tag : 'accepted', 'refused' in predicted ? predicted.refused : 'accepted');
    if (E.isLeft(result) || 'refused' in predicted) return;

    same(`events of ${command.type} at step ${i}`, result.right, predicted.events);

    for (const event of result.right) {
      sameAfterStoring(event, events.length);
      if (event.type === 'TierChanged') checkTierChange(event, program, model);
      apply(model, event, program);
      events.push(event);
      state = evolveCustomer(state, event) as Enrolled;
    }
    if (command.type === 'RedeemPoints' || (command.type === 'AdjustPoints' && command.points < 0)) {
      same('qualifying points never drop because of a spend', qualifyingPoints(state, settings.tierWindow ?? 'lifetime', tz, at), qualifyingBefore);
    }
    checkState(state, model, events, program, now);
  });
}

/** Up: to the highest tier the points reach. Down: exactly one tier, never below what the window supports. */
function checkTierChange(event: TierChanged, program: ProgramSnapshot, m: Model): void {
  const tiers = program.settings.tiers ?? [];
  const rank = (id: string | null) => (id === null ? -1 : tiers.findIndex((t) => t.tierId === id));
  const reached = tiers.reduce((r, t, n) => (event.data.qualifyingPoints >= t.threshold ? n : r), -1);
  const [from, to] = [rank(event.data.from), rank(event.data.to)];
  same('a tier change starts from the tier held', event.data.from, m.tier?.tierId ?? null);
  if (to > from) same('up: to the highest tier reachable', to, reached);
  else holds('down: one step at most, never below what the points support', to === from - 1 && to >= reached, { event: event.data, reached });
}

function checkState(state: Enrolled, m: Model, events: readonly CustomerEvent[], program: ProgramSnapshot, now: number): void {
  // Balances: the sum of the events' own effects, as the model summed them.
  same('balances', state.balance, { available: m.net, pending: m.pending });
  const view = balanceView(state.balance);
  same('available + pending − owed', view.available + view.pending - view.owed, m.net + m.pending);
  same('lifetime', state.lifetime, m.lifetime);
  const l = state.lifetime;
  same(
    'earned − redeemed + adjustedIn − adjustedOut − reversed + writtenOff − expired',
    l.earned - l.redeemed + l.adjustedIn - l.adjustedOut - l.reversed + l.writtenOff - l.expired,
    state.balance.available + state.balance.pending,
  );

  // Lots: the open ones are the model's, each above zero, holding available + pending between them.
  const lotView = (lot: { lotId: string; remaining: number; expiresAt?: string | undefined; earnedAt: string }, pending: boolean) => ({
    lotId: lot.lotId,
    remaining: lot.remaining,
    earnedAt: lot.earnedAt,
    expiresAt: lot.expiresAt,
    pending,
  });
  const open = openLots(m);
  same(
    'open lots, in the specified spending order',
    state.lots.map((lot) => lotView(lot, lot.activatesAt !== undefined)),
    open.map((lot) => lotView(lot, lot.pending)),
  );
  holds(
    'no lot goes below zero (an open lot holds a positive whole number)',
    state.lots.every((lot) => Number.isSafeInteger(lot.remaining) && lot.remaining > 0),
    state.lots,
  );
  same(
    'the open lots hold available + pending',
    state.lots.reduce((s, lot) => s + lot.remaining, 0),
    view.available + view.pending,
  );
  for (const lot of state.lots) same(`${lot.lotId}: expiresAt never changes after it is earned`, lot.expiresAt, m.expiresAtWhenEarned.get(lot.lotId));
  for (const [lotId, count] of m.expiries) holds(`${lotId}: at most one PointsExpired`, count <= 1);

  // Per payment: never more taken back than earned; refunded in full, exactly what it earned (at its multiplier).
  for (const p of m.payments.values()) {
    holds(`${p.paymentId}: reversed at most what it earned`, p.reversed <= p.earned, p);
    if (p.refundedMinor === p.amountMinor && !p.voided) same(`${p.paymentId} refunded in full: reversed what it earned`, p.reversed, p.earned);
  }

  // Tiers: held, history and qualifying points as the model has them.
  same('tier held', state.tier, m.tier);
  same('tier history', state.tierHistory, m.tierHistory);
  const window = program.settings.tierWindow ?? 'lifetime';
  same('qualifying points', qualifyingPoints(state, window, program.settings.timezone, new Date(now)), qualifying(m, window, program.settings.timezone, now));

  // Replaying every event from zero gives the state the incremental fold gave.
  same('replayed state', observe(fold(events) as Enrolled, m.paymentIds), observe(state, m.paymentIds));
}

describe('Points lifecycle 2 (expiry and tiers), as a property of random command sequences', () => {
  const property = (settings: fc.Arbitrary<Partial<ProgramSettings>>, step: fc.Arbitrary<Step>, numRuns: number) =>
    fc.assert(
      fc.property(settings, fc.array(step, { minLength: 1, maxLength: 60, size: 'medium' }), (initial, steps) => run(initial, steps)),
      { numRuns },
    );

  it('keeps lots, expiries, spending order, tiers and balances as specified after every step', () => {
    property(settingsArb, anyStep, 150);
  });

  it('the same, with lots earned, spent, returned and expired as the clock passes their dates', () => {
    property(expirySettingsArb, expiryStep, 200);
  });

  it('the same, with tiers evaluated day after day as payments come, go back and leave the window', () => {
    property(tierSettingsArb, tierStep, 200);
  });
});
