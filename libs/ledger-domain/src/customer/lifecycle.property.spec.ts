import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import type { ProgramSettings, ProgramSnapshot } from '../program/program';
import { aProgram, CUSTOMER_ID, customerEnrolled } from '../testing/customer-fixtures';
import { enrolled, fold } from '../testing/lifecycle-fixtures';
import {
  drawInOrder,
  endOfLocalDay,
  holds,
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
import { balanceView, evolveCustomer, type CustomerEvent, type Enrolled } from './customer';
import { decideCustomer, type CustomerCommand } from './customer.decider';
import type { Lot } from './lots';

/**
 * The points lifecycle as a property: random sequences of payments (pending or not, as the
 * program changes between them), partial refunds, redemptions, manual adjustments, cashback,
 * activations (due and early, as the clock advances) and voids are decided one by one against
 * the folded state. The test predicts each outcome (accepted, or which refusal: a reversal is
 * never refused for lack of points, a redemption always is while owing); refused commands write
 * nothing and are skipped. After every step the ledger must keep the invariants below, each
 * computed here from the events' own data, by an oracle that does not call the code's
 * `balanceEffect` or lot functions.
 */

const TIMEZONES = ['UTC', 'Australia/Sydney', 'America/New_York', 'Pacific/Kiritimati', 'America/St_Johns'] as const;

type Step =
  | PayStep
  | RefundStep
  | RedeemStep
  | { readonly kind: 'adjust'; readonly points: number }
  | { readonly kind: 'cashback'; readonly payment: number; readonly points: number }
  | { readonly kind: 'activate'; readonly payment: number; readonly early: boolean }
  | { readonly kind: 'void'; readonly payment: number }
  | { readonly kind: 'program'; readonly settings: Partial<ProgramSettings> }
  | { readonly kind: 'tick'; readonly minutes: number }
  /** The clock to just before, at or just after a pending payment's activatesAt (never backwards). */
  | { readonly kind: 'tickTo'; readonly payment: number; readonly offsetMs: number };

const settingsArb: fc.Arbitrary<Partial<ProgramSettings>> = fc.record({
  pointsPerUnit: fc.constantFrom('1', '1', '0.5', '2.25', '3', '10', '0.01'),
  timezone: fc.constantFrom(...TIMEZONES),
  negativeBalance: fc.constantFrom('deny' as const, 'allow' as const),
  pendingDays: fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 1, arbitrary: fc.integer({ min: 4, max: 14 }) },
    { weight: 1, arbitrary: fc.constant(365) },
  ),
  reversalShortfall: fc.constantFrom('debt' as const, 'writeOff' as const),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      amountMinor: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) }, { weight: 3, arbitrary: fc.integer({ min: 300, max: 50_000 }) }),
      backdateMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 * 24 * 60 })),
      inStore: fc.boolean(),
    }),
  },
  { weight: 5, arbitrary: refundStepArb(6) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('redeem' as const), points: fc.oneof(fc.constant('all' as const), fc.integer({ min: 1, max: 400 })) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('adjust' as const), points: fc.integer({ min: -400, max: 400 }).filter((n) => n !== 0) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cashback' as const), payment: fc.nat(), points: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('activate' as const), payment: fc.nat(), early: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), payment: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('program' as const), settings: settingsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 6 * 24 * 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tickTo' as const), payment: fc.nat(), offsetMs: fc.constantFrom(-60_000, -1, 0, 1) }) },
);

/** What the oracle knows of a payment, from the events alone. */
interface PaymentModel extends PaymentModelBase {
  reversedByRefunds: number;
}

interface CashbackModel {
  readonly cashbackId: string;
  readonly paymentId: string;
  readonly points: number;
  reversed: number;
}

/** The ledger as the oracle sees it: every figure summed from the events' own data. */
class Oracle {
  net = 0;
  pending = 0;
  readonly lifetime = { earned: 0, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 0, writtenOff: 0, expired: 0 };
  readonly payments = new Map<string, PaymentModel>();
  readonly cashback = new Map<string, CashbackModel>();
  /** Points each lot (payment or cashback id) lost to a void. */
  readonly voided = new Map<string, number>();
  /** The pending points of each earning still pending, by lot (payment or cashback id). */
  readonly pendingLots = new Map<string, { readonly paymentId: string; points: number }>();

  pendingLotsOf(paymentId: string): { lotId: string; points: number }[] {
    return [...this.pendingLots].filter(([, lot]) => lot.paymentId === paymentId && lot.points > 0).map(([lotId, lot]) => ({ lotId, points: lot.points }));
  }

  private endPending(paymentId: string): void {
    for (const [lotId, lot] of this.pendingLots) if (lot.paymentId === paymentId) this.pendingLots.delete(lotId);
  }

  apply(event: CustomerEvent): void {
    switch (event.type) {
      case 'CustomerEnrolled':
      case 'VisitCreated':
        return;
      case 'PaymentRecorded': {
        const d = event.data;
        if (d.activatesAt === undefined) this.net += d.points;
        else {
          this.pending += d.points;
          this.pendingLots.set(d.paymentId, { paymentId: d.paymentId, points: d.points });
        }
        this.lifetime.earned += d.points;
        this.payments.set(d.paymentId, { ...paymentModelOf(d), reversedByRefunds: 0 });
        return;
      }
      case 'PointsAdjusted': {
        const d = event.data;
        if (d.points > 0 && d.activatesAt !== undefined) {
          this.pending += d.points;
          this.pendingLots.set(d.adjustmentId, { paymentId: d.reference!, points: d.points });
        } else this.net += d.points;
        if (d.kind === 'redemption') this.lifetime.redeemed -= d.points;
        else if (d.kind === 'manual' && d.points > 0) this.lifetime.adjustedIn += d.points;
        else if (d.kind === 'manual') this.lifetime.adjustedOut -= d.points;
        else this.lifetime.earned += d.points;
        if (d.kind === 'cashback') {
          this.cashback.set(d.adjustmentId, { cashbackId: d.adjustmentId, paymentId: d.reference!, points: d.points, reversed: 0 });
          this.payments.get(d.reference!)!.cashback.push(d.adjustmentId);
        }
        return;
      }
      case 'PaymentRefunded':
      case 'CashbackReversed': {
        // A reversal takes pointsReversed: its pending part from pending, its written-off part
        // from nobody, the rest (drawn from lots, or owed) from the net available balance.
        const d = event.data;
        this.pending -= d.fromPending;
        this.net -= d.pointsReversed - d.fromPending - d.writtenOff;
        // Its pending part comes from the reversed earning's own pending lot.
        const own = this.pendingLots.get(event.type === 'PaymentRefunded' ? event.data.paymentId : event.data.cashbackId);
        if (d.fromPending > 0) own!.points -= d.fromPending;
        this.lifetime.reversed += d.pointsReversed;
        this.lifetime.writtenOff += d.writtenOff;
        if (event.type === 'PaymentRefunded') {
          const p = this.payments.get(event.data.paymentId)!;
          p.refundedMinor += event.data.amountMinor;
          p.reversedByRefunds += event.data.pointsReversed;
          p.refundIdentifiers.push(event.data.refundIdentifier);
        } else {
          this.cashback.get(event.data.cashbackId)!.reversed += event.data.pointsReversed;
        }
        return;
      }
      case 'PointsActivated':
        this.net += event.data.points;
        this.pending -= event.data.points;
        this.payments.get(event.data.paymentId)!.activated = true;
        this.endPending(event.data.paymentId);
        return;
      case 'PointsVoided':
        this.pending -= event.data.points;
        this.lifetime.reversed += event.data.points;
        for (const lot of event.data.lots) this.voided.set(lot.lotId, (this.voided.get(lot.lotId) ?? 0) + lot.points);
        this.payments.get(event.data.paymentId)!.voided = true;
        this.endPending(event.data.paymentId);
        return;
    }
  }

  /** Pending while the payment's window is open and nothing activated or voided it. */
  isPending(paymentId: string): boolean {
    const p = this.payments.get(paymentId);
    return p !== undefined && p.activatesAt !== undefined && !p.activated && !p.voided;
  }
}

function run(initialSettings: Partial<ProgramSettings>, steps: readonly Step[]): void {
  let now = START;
  let program: ProgramSnapshot = aProgram(initialSettings, 1);
  const events: CustomerEvent[] = [customerEnrolled()];
  let state = enrolled(events);
  const oracle = new Oracle();
  const paymentIds: string[] = [];
  let refundSeq = 0;

  steps.forEach((step, i) => {
    const at = new Date(now);
    const paymentAt = (n: number): PaymentModel | undefined => (paymentIds.length === 0 ? undefined : oracle.payments.get(paymentIds[n % paymentIds.length]!));
    const paymentIdAt = (n: number): string => paymentAt(n)?.paymentId ?? 'pay-none';
    let command: CustomerCommand | undefined;
    /** The outcome the rules call for: 'accepted', or the tag of the refusal. */
    let expected = 'accepted';
    switch (step.kind) {
      case 'tick':
        now += step.minutes * MINUTE;
        return;
      case 'tickTo': {
        const activatesAt = paymentAt(step.payment)?.activatesAt;
        if (activatesAt !== undefined) now = Math.max(now, Date.parse(activatesAt) + step.offsetMs);
        return;
      }
      case 'program':
        program = aProgram(step.settings, program.version + 1);
        return;
      case 'pay':
        command = paymentCommand(i, step, now, program);
        break;
      case 'refund': {
        const refund = refundCommand(i, step, paymentAt(step.payment), ++refundSeq, now, program);
        command = refund.command;
        expected = refund.refused ?? 'accepted';
        break;
      }
      case 'redeem': {
        const points = step.points === 'all' ? Math.max(1, oracle.net) : step.points;
        if (points > oracle.net) expected = 'InsufficientPoints'; // pending points cannot be spent; owing, nothing can
        command = { type: 'RedeemPoints', customerId: CUSTOMER_ID, redemptionId: `red-${i}`, points, now: at };
        break;
      }
      case 'adjust':
        if (step.points < 0 && program.settings.negativeBalance === 'deny' && oracle.net + step.points < 0) expected = 'InsufficientPoints';
        command = { type: 'AdjustPoints', customerId: CUSTOMER_ID, adjustmentId: `adj-${i}`, points: step.points, reason: 'correction', program, now: at };
        break;
      case 'cashback': {
        const p = paymentAt(step.payment);
        expected = p === undefined ? 'InvalidInput' : p.voided ? 'PaymentVoided' : 'accepted';
        command = {
          type: 'IssueReward',
          customerId: CUSTOMER_ID,
          adjustmentId: `cb-${i}`,
          kind: 'cashback',
          points: step.points,
          reason: 'cashback',
          ruleId: 'cb',
          programVersion: program.version,
          trigger: { paymentId: paymentIdAt(step.payment) },
          occurredAt: p?.occurredAt ?? at.toISOString(),
          program,
        };
        break;
      }
      case 'activate': {
        const p = paymentAt(step.payment);
        if (p === undefined) expected = 'PaymentNotFound';
        else if (oracle.pendingLotsOf(p.paymentId).length === 0) expected = 'PointsNotPending';
        else if (!step.early && now < Date.parse(p.activatesAt!)) expected = 'PointsNotDue';
        command = { type: 'ActivatePoints', customerId: CUSTOMER_ID, paymentId: paymentIdAt(step.payment), early: step.early, now: at };
        break;
      }
      case 'void': {
        const p = paymentAt(step.payment);
        expected = p === undefined ? 'PaymentNotFound' : oracle.pendingLotsOf(p.paymentId).length === 0 ? 'PointsNotPending' : 'accepted';
        command = { type: 'VoidPoints', customerId: CUSTOMER_ID, paymentId: paymentIdAt(step.payment), reason: 'mistake', now: at };
        break;
      }
    }

    const result = decideCustomer(command, state);
    same(`outcome of ${command.type}`, E.isLeft(result) ? result.left._tag : 'accepted', expected);
    if (E.isLeft(result)) return;

    for (const event of result.right) {
      checkEvent(event, oracle, program, now);
      checkDraws(event, state);
      sameAfterStoring(event, events.length);
      oracle.apply(event);
      events.push(event);
      state = evolveCustomer(state, event) as Enrolled;
      if (event.type === 'PaymentRecorded') paymentIds.push(event.data.paymentId);
      if (event.type === 'PointsAdjusted' && event.data.kind === 'redemption')
        holds('a redemption never takes the balance below zero', state.balance.available >= 0);
      if (event.type === 'PointsAdjusted' && event.data.kind === 'manual' && event.data.points < 0 && program.settings.negativeBalance === 'deny') {
        holds('under "deny" a manual debit never takes the balance below zero', state.balance.available >= 0);
      }
    }
    checkState(state, oracle, events, paymentIds);
  });
}

const sortedDraws = (draws: readonly { readonly lotId: string; readonly points: number }[]) =>
  draws.map((d) => ({ lotId: d.lotId, points: d.points })).sort((a, b) => (a.lotId < b.lotId ? -1 : 1));

/**
 * Which lots a spend or reversal drew from: a spend the available lots earliest earned first
 * (then by id); a reversal its own earning's lot first, then the same order.
 */
function checkDraws(event: CustomerEvent, state: Enrolled): void {
  const available = state.lots
    .filter((lot) => lot.activatesAt === undefined)
    .sort((a, b) => (a.earnedAt !== b.earnedAt ? Date.parse(a.earnedAt) - Date.parse(b.earnedAt) : a.lotId < b.lotId ? -1 : 1));
  const expectedDraws = (points: number, own?: string) => drawInOrder(available, points, own).lots;
  if (event.type === 'PointsAdjusted' && event.data.points < 0)
    same('a spend draws the earliest-earned lots first', event.data.lots, expectedDraws(-event.data.points));
  if (event.type === 'PaymentRefunded') {
    same('a refund draws its payment lot first', event.data.lots, expectedDraws(event.data.pointsReversed - event.data.fromPending, event.data.paymentId));
  }
  if (event.type === 'CashbackReversed') {
    same(
      'a cashback reversal draws its cashback lot first',
      event.data.lots,
      expectedDraws(event.data.pointsReversed - event.data.fromPending, event.data.cashbackId),
    );
  }
}

/** What each event must say, given the ledger and the program it was decided against. */
function checkEvent(event: CustomerEvent, oracle: Oracle, program: ProgramSnapshot, now: number): void {
  const policy = program.settings.reversalShortfall ?? 'debt';
  switch (event.type) {
    case 'PaymentRecorded': {
      const d = event.data;
      const days = program.settings.pendingDays ?? 0;
      // Pending until the end of the local day `days` days after the payment's own day; a
      // backdated payment whose window has closed already is available at once.
      const end =
        days === 0 ? undefined : endOfLocalDay(program.settings.timezone, plusDays(localDay(program.settings.timezone, Date.parse(d.occurredAt)), days));
      same('activatesAt', d.activatesAt, end !== undefined && end > now ? new Date(end).toISOString() : undefined);
      return;
    }
    case 'PointsAdjusted': {
      const d = event.data;
      // Cashback on a payment still in its window is pending with it, until the same instant.
      const p = d.kind === 'cashback' ? oracle.payments.get(d.reference!) : undefined;
      same('activatesAt of an adjustment', d.activatesAt, p !== undefined && oracle.isPending(p.paymentId) ? p.activatesAt : undefined);
      if (d.points < 0) holds('a spend draws at most its points from lots', sumOf(d.lots ?? []) <= -d.points);
      return;
    }
    case 'PaymentRefunded': {
      const d = event.data;
      const p = oracle.payments.get(d.paymentId)!;
      same(
        'the figures a refund was computed from',
        [d.paymentAmountMinor, d.paymentPoints, d.refundedBeforeMinor, d.reversedBefore],
        [p.amountMinor, p.earned, p.refundedMinor, p.reversedByRefunds],
      );
      // Cumulative: floor(earned × refundedSoFar / paid) − reversedBefore, so nothing drifts. A
      // voided payment's points are gone already: the refund records the money only.
      const expected = p.voided ? 0 : share(p.earned, p.refundedMinor + d.amountMinor, p.amountMinor) - p.reversedByRefunds;
      same('points a refund reverses', d.pointsReversed, expected);
      checkAllocation(d, policy, oracle.isPending(p.paymentId));
      return;
    }
    case 'CashbackReversed': {
      const d = event.data;
      const c = oracle.cashback.get(d.cashbackId)!;
      const p = oracle.payments.get(d.paymentId)!;
      same('reversal id', d.reversalId, `${d.refundId}:${d.cashbackId}`);
      same('the payment of the cashback reversed', c.paymentId, d.paymentId);
      holds("a voided payment's cashback is never reversed again", !p.voided);
      same(
        'the figures a cashback reversal was computed from',
        [d.cashbackPoints, d.reversedBefore, d.paymentAmountMinor, d.refundedTotalMinor],
        [c.points, c.reversed, p.amountMinor, p.refundedMinor],
      );
      same('points a cashback reversal reverses', d.pointsReversed, share(c.points, d.refundedTotalMinor, p.amountMinor) - c.reversed);
      holds('a cashback reversal reverses something', d.pointsReversed > 0);
      checkAllocation(d, policy, oracle.isPending(p.paymentId));
      return;
    }
    case 'PointsActivated': {
      const d = event.data;
      const p = oracle.payments.get(d.paymentId)!;
      const due = now >= Date.parse(p.activatesAt!);
      same('early', d.early, !due);
      if (due) same('a due activation happens at activatesAt', d.occurredAt, p.activatesAt);
      same('activated: every pending lot of the payment', sortedDraws(d.lots), sortedDraws(oracle.pendingLotsOf(d.paymentId)));
      same('points activated', d.points, sumOf(d.lots));
      return;
    }
    case 'PointsVoided':
      same('voided: every pending lot of the payment', sortedDraws(event.data.lots), sortedDraws(oracle.pendingLotsOf(event.data.paymentId)));
      same('points voided', event.data.points, sumOf(event.data.lots));
      return;
    default:
      return;
  }
}

function checkAllocation(
  d: { pointsReversed: number; fromPending: number; lots: readonly { points: number }[]; owed: number; writtenOff: number; shortfallPolicy: string },
  policy: string,
  inWindow: boolean,
): void {
  same('shortfall policy', d.shortfallPolicy, policy);
  same('a reversal is allocated in full', d.fromPending + sumOf(d.lots) + d.owed + d.writtenOff, d.pointsReversed);
  holds(
    'allocations are never negative',
    [d.fromPending, d.owed, d.writtenOff, ...d.lots.map((l) => l.points)].every((n) => n >= 0),
    d,
  );
  same('only the policy in force applies to a shortfall', policy === 'debt' ? d.writtenOff : d.owed, 0);
  // Inside the window the reversed earning's own pending points cover it: nothing owed, nothing drawn.
  if (inWindow) same('a reversal inside the window', [d.fromPending, d.lots.length, d.owed, d.writtenOff], [d.pointsReversed, 0, 0, 0]);
}

const remaining = (lots: readonly Lot[]): number => lots.reduce((s, lot) => s + lot.remaining, 0);

function checkState(state: Enrolled, oracle: Oracle, events: readonly CustomerEvent[], paymentIds: readonly string[]): void {
  // Balances: the sum of the events' own effects; views show the net as available and owed.
  same('balances', state.balance, { available: oracle.net, pending: oracle.pending });
  const view = balanceView(state.balance);
  same('available + pending − owed', view.available + view.pending - view.owed, oracle.net + oracle.pending);
  holds('no balance shows below zero', view.available >= 0 && view.owed >= 0 && view.pending >= 0, view);

  // Lots: never empty or negative; pending lots hold the pending points, available lots what is not owed.
  holds(
    'open lots hold a positive whole number of points',
    state.lots.every((lot) => Number.isSafeInteger(lot.remaining) && lot.remaining > 0),
    state.lots,
  );
  const pendingLots = state.lots.filter((lot) => lot.activatesAt !== undefined);
  const availableLots = state.lots.filter((lot) => lot.activatesAt === undefined);
  same(
    'pending lots, one per earning still pending',
    sortedDraws(pendingLots.map((lot) => ({ lotId: lot.lotId, points: lot.remaining }))),
    sortedDraws([...oracle.pendingLots].filter(([, lot]) => lot.points > 0).map(([lotId, lot]) => ({ lotId, points: lot.points }))),
  );
  same(
    'lots: pending, available, all',
    [remaining(pendingLots), remaining(availableLots), remaining(state.lots)],
    [view.pending, view.available, view.available + view.pending],
  );

  // Lifetime totals, as summed by the oracle, and their identity with the balances.
  same('lifetime', state.lifetime, oracle.lifetime);
  const l = state.lifetime;
  same(
    'earned − redeemed + adjustedIn − adjustedOut − reversed + writtenOff',
    l.earned - l.redeemed + l.adjustedIn - l.adjustedOut - l.reversed + l.writtenOff,
    state.balance.available + state.balance.pending,
  );

  // Per payment and per cashback: never more taken back than earned; refunded in full, exactly that.
  for (const p of oracle.payments.values()) {
    const takenBack = p.reversedByRefunds + (oracle.voided.get(p.paymentId) ?? 0);
    holds(`${p.paymentId}: reversed at most what it earned`, takenBack <= p.earned, { takenBack, earned: p.earned });
    if (p.refundedMinor === p.amountMinor) same(`${p.paymentId} refunded in full: reversed what it earned`, takenBack, p.earned);
    for (const id of p.cashback) {
      const c = oracle.cashback.get(id)!;
      const cTakenBack = c.reversed + (oracle.voided.get(id) ?? 0);
      holds(`${id}: reversed at most the cashback`, cTakenBack <= c.points, { cTakenBack, points: c.points });
      if (p.refundedMinor === p.amountMinor) same(`${id} of a payment refunded in full: reversed the cashback`, cTakenBack, c.points);
    }
  }

  // Replaying every event from zero gives the state the incremental fold gave.
  same('replayed state', observe(fold(events) as Enrolled, paymentIds), observe(state, paymentIds));
}

describe('The points lifecycle, as a property of random command sequences', () => {
  it('keeps balances, lots, lifetime totals and reversals consistent after every step', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'medium' }), (settings, steps) => {
        run(settings, steps);
      }),
      { numRuns: 300 },
    );
  });
});
