import * as E from 'fp-ts/Either';
import type { VisitKind } from '#ledger-domain/customer/record-visit';
import {
  evolveCustomer,
  initialCustomerState,
  type CustomerEvent,
  type CustomerState,
  type Enrolled,
  type PaymentFacts,
} from '#ledger-domain/customer/customer';
import { decideCustomer, type CustomerCommand } from '#ledger-domain/customer/customer.decider';
import {
  decideProgram,
  DEFAULT_PROGRAM_ID,
  evolveProgram,
  initialProgramState,
  type ProgramSettings,
  type ProgramSnapshot,
  type ProgramState,
} from '#ledger-domain/program/program';
import { programAt, react, type ProgramVersionAt, type Reaction } from '#ledger-domain/reactions/react';
import { emptyVisitTally, tallyVisit, type VisitTally } from '#ledger-domain/reactions/visit-tally';
import type { LedgerError } from '#ledger-domain/shared/errors';
import { formatAmount } from '#ledger-domain/shared/money';
import type { Source } from '#ledger-domain/shared/source';
import type { LedgerEvent, Projected } from '../projected-event';

/**
 * A realistic, deterministic (seeded) history of a loyalty program, written by the domain itself:
 * the generator picks commands, decides each with the real deciders (`decideProgram`,
 * `decideCustomer`) against the state folded from the events written so far (`evolveProgram`,
 * `evolveCustomer`), and keeps exactly the events they return, one append per command. A
 * refused command writes nothing (it is listed in `refused`). What the program's rules issue in
 * reaction comes from `react()`, decided as `IssueReward` commands a few commands later, as the
 * asynchronous reaction runner would. Used by the pure idempotency spec (as `Projected` events)
 * and by the integration suite (appended to a real event store).
 *
 * What it contains: a program configured in Australia/Sydney (ratio 1, negative balances
 * allowed, a reward every 4th visit, 5 % cashback on online payments), customers enrolling over
 * time, browse/service/event/pickup visits, in-store payments (the domain writes the purchase
 * visit with the payment), payments attached later to an existing visit (sometimes one already
 * paid), online payments, manual adjustments both ways, redemptions, business times backdated
 * to around local midnight in Sydney and New York, and half-way a program change to
 * America/New_York (ratio 2, negative balances denied, a second visit rule, cashback on scans
 * too). Among them, commands the domain refuses: over-redemptions, overdrawing adjustments under
 * "deny", payments naming another customer's visit or in another currency, times too far ahead
 * of the clock, a stale program version, an unknown customer, a second enrolment.
 *
 * With the points lifecycle (`lifecycle`, on by default): a return window from a quarter of the
 * way (`pendingDays` 1, then 2 in New York), the shortfall policy "writeOff" from three quarters
 * (debt before); refunds, partial and full, of payments pending or available (reversing their
 * cashback too), at times around local midnight; a lifecycle runner activating the pending
 * points of payments once the advancing clock passes their `activatesAt` (not always at the
 * first moment), early activations by an admin, and voids. Refused among them: refunds beyond
 * what was paid, a credit note used twice, voids and activations of points no longer pending,
 * activations before they are due.
 *
 * With lot expiry (`expiry`, on by default with the lifecycle): from an eighth of the way the
 * program's expiry policy "afterDays" 1 (Sydney), then "afterMonths" 1 rounded to the month (New
 * York), none for a stretch, then "afterDays" 2; some credits kept for good (`expires: false`);
 * a lifecycle runner expiring what remains of every lot whose `expiresAt` the advancing clock
 * has passed (`ExpirePoints`, not always at the first moment), and near the end the clock jumping
 * 40 days ahead, so the month-rounded lots and every pending payment come due. Spending then takes
 * the earliest expiry first (the deciders record the draws). Refused among them: expiries before
 * the lot's date and of lots with nothing left.
 *
 * With tiers (`tiers`, on by default with expiry): from the first expiry change on, three tiers
 * (multipliers 1, 1.1, 1.5) on a lifetime window in Sydney, a 3-day rolling window in New York
 * and the calendar year at the end; a lifecycle runner evaluating every customer's tier now and
 * then (`EvaluateTier`, only for customers whose tier changes): upgrades, and step-downs as the
 * window drops payments, refunds take points back or the clock's jump starts a new year.
 */

export interface ScenarioCommand {
  readonly streamName: string;
  readonly events: readonly LedgerEvent[];
  readonly eventIds: readonly string[];
  readonly recordedAt: string;
  readonly actor: string;
}

/** A command the domain refused: nothing was written for it. */
export interface RefusedCommand {
  readonly command: CustomerCommand['type'] | 'ConfigureProgram';
  readonly error: LedgerError['_tag'];
}

export interface Scenario {
  /** The accepted commands, in order, each with the events the domain decided. */
  readonly commands: readonly ScenarioCommand[];
  readonly refused: readonly RefusedCommand[];
}

export interface ScenarioOptions {
  readonly seed?: number;
  readonly customers?: number;
  readonly steps?: number;
  readonly locations?: readonly string[];
  /** Pending points, refunds, activations and voids (default true); without: the history version 3 knew. */
  readonly lifecycle?: boolean;
  /** Expiry policies and expiries (default: as `lifecycle`); without: the history version 4 knew. */
  readonly expiry?: boolean;
  /** Tiers and their evaluation (default: as `expiry`); without: the history version 5 knew. */
  readonly tiers?: boolean;
}

export const SCENARIO_PROGRAM_STREAM = `loyaltyProgram-${DEFAULT_PROGRAM_ID}`;
export const accountStreamOf = (customerId: string) => `loyaltyAccount-${customerId}`;

const REACTIONS_ACTOR = 'system:reactions';
const LIFECYCLE_ACTOR = 'system:lifecycle';

/** The program as first configured. */
export const SYDNEY_PROGRAM: ProgramSettings = {
  currency: 'USD',
  pointsPerUnit: '1',
  timezone: 'Australia/Sydney',
  negativeBalance: 'allow',
  visitRewards: [{ ruleId: 'visits-4', everyVisits: 4, points: 40 }],
  cashback: [{ ruleId: 'cashback-online', percent: '5', sources: ['online'] }],
};

/** The program from half-way: another timezone and ratio, and different rules. */
export const NEW_YORK_PROGRAM: ProgramSettings = {
  currency: 'USD',
  pointsPerUnit: '2',
  timezone: 'America/New_York',
  negativeBalance: 'deny',
  visitRewards: [
    { ruleId: 'visits-4', everyVisits: 4, points: 40 },
    { ruleId: 'scanned-browse-3', everyVisits: 3, points: 15, kinds: ['browse'], sources: ['scan'] },
  ],
  cashback: [{ ruleId: 'cashback-2.5', percent: '2.5' }],
};

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Account {
  readonly customerId: string;
  state: CustomerState;
  /** Visits folded so far: what the reaction runner reads from the customer's stream. */
  tally: VisitTally;
  /** Visit ids, and the ones without a purchase yet (to attach payments to). */
  readonly visits: string[];
  readonly unpaidVisits: string[];
  /** Payment ids, in order (their facts are in the state). */
  readonly payments: string[];
}

/** A reaction waiting for the (asynchronous) reaction runner. */
interface PendingReaction {
  readonly due: number;
  readonly command: Reaction['command'];
}

export function runScenario(options: ScenarioOptions = {}): Scenario {
  const random = prng(options.seed ?? 42);
  const customerCount = options.customers ?? 6;
  const steps = options.steps ?? 120;
  const locations = options.locations ?? ['loc-sydney-cbd', 'loc-bondi', 'loc-manly'];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const chance = (p: number) => random() < p;

  let idCounter = 0;
  const nextEventId = () => `00000000-0000-4000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;
  let serial = 0;
  const nextSerial = () => ++serial;

  // Server clock: from 2026-11-20, 2 to 60 minutes per command, so a run spans several days.
  let clock = Date.parse('2026-11-20T00:00:00.000Z');
  const tick = (): Date => {
    clock += int(120, 3600) * 1000;
    return new Date(clock);
  };
  // Business times relative to the server clock: mostly now or backdated to the hours around local
  // midnight in Sydney (13:00Z, AEDT = UTC+11) and New York (05:00Z, EST = UTC-5), sometimes up to
  // the allowed skew ahead of the clock.
  const hours = [12, 13, 13, 14, 4, 5, 5, 6, 22, 23, 0, 9];
  const businessTime = (now: Date): string => {
    const roll = random();
    if (roll < 0.4) return new Date(now.getTime() - int(0, 300) * 1000).toISOString();
    if (roll < 0.5) return new Date(now.getTime() + int(0, 299) * 1000).toISOString();
    const at = new Date(now.getTime() - int(0, 2) * 86_400_000);
    at.setUTCHours(pick(hours), int(0, 59), 0, 0);
    if (at.getTime() > now.getTime()) at.setUTCDate(at.getUTCDate() - 1);
    return at.toISOString();
  };

  const commands: ScenarioCommand[] = [];
  const refused: RefusedCommand[] = [];
  let position = 0n;
  /** One append; returns the events with the global positions they get (as `projectedSequence` numbers them). */
  const append = <Ev extends LedgerEvent>(streamName: string, events: readonly Ev[], now: Date, actor: string) => {
    commands.push({ streamName, events, eventIds: events.map(() => nextEventId()), recordedAt: now.toISOString(), actor });
    return events.map((event) => ({ event, position: ++position }));
  };

  // The program, and its versions with the positions that recorded them (what `programAt` reads).
  let program: ProgramState = initialProgramState();
  const history: ProgramVersionAt[] = [];
  const current = (): ProgramSnapshot | undefined => (program.status === 'Configured' ? { version: program.version, settings: program.settings } : undefined);
  const configure = (settings: ProgramSettings, expectedVersion?: number) => {
    const now = tick();
    const decided = decideProgram(
      { type: 'ConfigureProgram', programId: DEFAULT_PROGRAM_ID, settings, ...(expectedVersion !== undefined && { expectedVersion }), now },
      program,
    );
    if (E.isLeft(decided)) {
      refused.push({ command: 'ConfigureProgram', error: decided.left._tag });
      return;
    }
    if (decided.right.length === 0) return; // the same settings again: not a change
    for (const { event, position: at } of append(SCENARIO_PROGRAM_STREAM, decided.right, now, 'admin:root')) {
      program = evolveProgram(program, event);
      if (program.status === 'Configured') history.push({ position: at, program: { version: program.version, settings: program.settings } });
    }
  };

  const accounts = new Map<string, Account>();
  const accountOf = (customerId: string): Account => {
    let account = accounts.get(customerId);
    if (account === undefined) {
      account = { customerId, state: initialCustomerState(), tally: emptyVisitTally, visits: [], unpaidVisits: [], payments: [] };
      accounts.set(customerId, account);
    }
    return account;
  };
  const pending: PendingReaction[] = [];

  /** Decides one customer command on the folded state and appends what the domain decided. */
  const decide = (command: CustomerCommand, actor: string, now: Date = 'now' in command ? command.now : tick()): readonly CustomerEvent[] => {
    const account = accountOf(command.customerId);
    const decided = decideCustomer(command, account.state);
    if (E.isLeft(decided)) {
      refused.push({ command: command.type, error: decided.left._tag });
      return [];
    }
    if (decided.right.length === 0) return [];
    for (const { event, position: at } of append(accountStreamOf(command.customerId), decided.right, now, actor)) {
      account.state = evolveCustomer(account.state, event);
      if (event.type === 'VisitCreated') {
        account.tally = tallyVisit(account.tally, event.data);
        account.visits.push(event.data.visitId);
        if (event.data.paymentId === undefined) account.unpaidVisits.push(event.data.visitId);
      }
      if (event.type === 'PaymentRecorded') account.payments.push(event.data.paymentId);
      if (event.type === 'PaymentRecorded' && event.data.visitId !== undefined) {
        const unpaid = account.unpaidVisits.indexOf(event.data.visitId);
        if (unpaid >= 0) account.unpaidVisits.splice(unpaid, 1);
      }
      // The reaction runner reads the program in force at the event's position and the tally up to and including it.
      for (const reaction of react(event, { program: programAt(history, at), visits: account.tally })) {
        pending.push({ due: commands.length + int(0, 3), command: reaction.command });
      }
    }
    return decided.right;
  };

  /** Issues the reactions that are due (all of them at the end), each in its own append. */
  const runReactions = (all: boolean) => {
    while (pending.length > 0 && (all || pending[0]!.due <= commands.length)) {
      const { command } = pending.shift()!;
      decide({ ...command, adjustmentId: `${command.kind}-${nextSerial()}` }, REACTIONS_ACTOR, tick());
    }
  };

  let enrolled = 0;
  const enrol = () => {
    const customerId = `cus-${String(++enrolled).padStart(3, '0')}`;
    decide(
      {
        type: 'EnrolCustomer',
        customerId,
        email: `${customerId}@example.com`,
        ...(chance(0.3) && { phone: `+614000${String(enrolled).padStart(5, '0')}` }),
        ...(chance(0.5) && { name: `Customer ${enrolled}` }),
        now: tick(),
      },
      'staff:alice',
    );
  };

  const amount = () => formatAmount(int(150, 12_000), 'USD');
  const pay = (account: Account, source: Source, extra: { visitId?: string; currency?: string; occurredAt?: string } = {}) => {
    const now = tick();
    const n = nextSerial();
    const actor = source === 'online' ? 'web' : 'till:42';
    decide(
      {
        type: 'RecordPayment',
        customerId: account.customerId,
        paymentId: `pay-${n}`,
        newVisitId: `vis-${n}`,
        ...(extra.visitId !== undefined && { visitId: extra.visitId }),
        locationId: source === 'online' ? 'web' : pick(locations),
        amount: amount(),
        currency: extra.currency ?? 'USD',
        purchaseIdentifier: `R-${n}`,
        occurredAt: extra.occurredAt ?? businessTime(now),
        source,
        program: current(),
        now,
      },
      actor,
    );
  };
  const visit = (account: Account, occurredAt?: (now: Date) => string) => {
    const now = tick();
    decide(
      {
        type: 'RecordVisit',
        customerId: account.customerId,
        visitId: `vis-${nextSerial()}`,
        locationId: pick(locations),
        occurredAt: occurredAt?.(now) ?? businessTime(now),
        kind: pick<VisitKind>(['browse', 'browse', 'service', 'event', 'pickup']),
        source: pick<Source>(['manual', 'scan', 'scan']),
        ...(chance(0.3) && { notes: 'asked about the new range' }),
        now,
      },
      'till:42',
    );
  };

  // The points lifecycle.
  const lifecycle = options.lifecycle ?? true;
  const paymentsOf = (account: Account): PaymentFacts[] =>
    account.state.status === 'Enrolled' ? account.payments.map((id) => (account.state as Enrolled).payments.get(id)!) : [];
  /** Payments with points still pending (not refunded, voided or expired away). */
  const pendingPayments = (account: Account) =>
    paymentsOf(account).filter(
      (p) => p.status === 'pending' && (account.state as Enrolled).lots.some((lot) => lot.paymentId === p.paymentId && lot.activatesAt !== undefined),
    );
  /** The lifecycle runner: activates every payment whose pending points are due by now. */
  const activateDue = () => {
    const now = tick();
    for (const account of accounts.values()) {
      for (const payment of pendingPayments(account)) {
        if (payment.activatesAt === undefined || Date.parse(payment.activatesAt) > now.getTime()) continue;
        decide({ type: 'ActivatePoints', customerId: account.customerId, paymentId: payment.paymentId, early: false, now }, LIFECYCLE_ACTOR);
      }
    }
  };
  // Lot expiry, with its own random numbers: the other choices of a seed stay what they were without expiry.
  const expiry = lifecycle && (options.expiry ?? true);
  const expiryRandom = prng((options.seed ?? 42) ^ 0x5eed);
  const expiryChance = (p: number) => expiryRandom() < p;
  /** The lifecycle runner: expires what remains of every lot whose `expiresAt` has passed (sometimes a pass late). */
  const expireDue = () => {
    // The same moment as the last command: the runner's passes do not move the clock on.
    const now = new Date(clock);
    for (const account of accounts.values()) {
      if (account.state.status !== 'Enrolled') continue;
      for (const lot of account.state.lots) {
        if (lot.expiresAt === undefined || Date.parse(lot.expiresAt) > now.getTime() || expiryChance(0.2)) continue;
        decide({ type: 'ExpirePoints', customerId: account.customerId, lotIds: [lot.lotId], now }, LIFECYCLE_ACTOR);
      }
    }
  };
  // Tiers, with their own random numbers too (the multipliers do change what payments earn).
  const tiered = expiry && (options.tiers ?? true);
  const tierRandom = prng((options.seed ?? 42) ^ 0x7135);
  /** The lifecycle runner's tier pass: every customer whose tier changes, now (sometimes a pass late). */
  const evaluateTiers = () => {
    const now = new Date(clock);
    for (const account of accounts.values()) {
      if (account.state.status !== 'Enrolled' || tierRandom() < 0.2) continue;
      const command: CustomerCommand = { type: 'EvaluateTier', customerId: account.customerId, program: current(), now };
      // As the runner does: only the customers whose tier changes get a command (TierUnchanged writes nothing).
      if (E.isRight(decideCustomer(command, account.state))) decide(command, LIFECYCLE_ACTOR);
    }
  };
  /** An expiry asked for too early, or of a lot with nothing left: refused, nothing written. */
  let wrongExpiries = 0;
  const expireWrongly = (account: Account) => {
    if (account.state.status !== 'Enrolled') return;
    const now = new Date(clock);
    const notDue = account.state.lots.find((lot) => lot.expiresAt !== undefined && Date.parse(lot.expiresAt) > now.getTime());
    // Every other one too early (when the customer has a lot not due yet), the others of a lot with nothing left to expire.
    const early = notDue !== undefined && wrongExpiries++ % 2 === 0;
    const spent = account.payments.find((id) => !(account.state as Enrolled).lots.some((lot) => lot.lotId === id)) ?? 'pay-none';
    decide({ type: 'ExpirePoints', customerId: account.customerId, lotIds: [early ? notDue.lotId : spent], now }, 'admin:root');
  };

  const refund = (account: Account, kind: 'partial' | 'full' | 'too much' | 'same credit note') => {
    const candidates = paymentsOf(account).filter((p) =>
      kind === 'same credit note' ? p.refundIdentifiers.length > 0 : kind === 'too much' || p.refundedMinor < p.amountMinor,
    );
    if (candidates.length === 0) return;
    const payment = pick(candidates);
    const left = payment.amountMinor - payment.refundedMinor;
    const minor = kind === 'too much' ? left + int(1, 500) : kind === 'full' || left <= 1 ? left : int(1, left - 1);
    const now = tick();
    const n = nextSerial();
    // The refund's own business time (often around a local midnight), never before the payment.
    const occurredAt = new Date(Math.max(Date.parse(payment.occurredAt), Date.parse(businessTime(now)))).toISOString();
    decide(
      {
        type: 'RefundPayment',
        customerId: account.customerId,
        refundId: `ref-${n}`,
        paymentId: payment.paymentId,
        amount: formatAmount(Math.max(1, minor), payment.currency),
        refundIdentifier: kind === 'same credit note' ? payment.refundIdentifiers[0]! : `CN-${n}`,
        occurredAt,
        ...(chance(0.5) && { reason: 'goods returned' }),
        program: current(),
        now,
      },
      'till:42',
    );
  };
  /** One lifecycle command (`roll`, below 0.14, picks which). */
  const lifecycleCommand = (picked: Account, roll: number) => {
    // An admin's void or activation is about a payment still pending, often another customer's than the one picked.
    const admin = roll >= 0.085;
    const account = admin && pendingPayments(picked).length === 0 ? ([...accounts.values()].find((a) => pendingPayments(a).length > 0) ?? picked) : picked;
    const pendingOnes = pendingPayments(account);
    const paymentId = pendingOnes.length > 0 && chance(0.85) ? pick(pendingOnes).paymentId : account.payments.length > 0 ? pick(account.payments) : 'pay-none';
    if (roll < 0.035) refund(account, 'partial');
    else if (roll < 0.06) refund(account, 'full');
    else if (roll < 0.065) refund(account, 'too much');
    else if (roll < 0.07) refund(account, 'same credit note');
    else if (roll < 0.085) {
      // The points spent first, then the goods returned: the reversal is short (owed, or written off).
      const available = account.state.status === 'Enrolled' ? account.state.balance.available : 0;
      const n = nextSerial();
      if (available > 0) decide({ type: 'RedeemPoints', customerId: account.customerId, redemptionId: `red-${n}`, points: available, now: tick() }, 'web');
      refund(account, 'full');
    } else if (roll < 0.105) decide({ type: 'VoidPoints', customerId: account.customerId, paymentId, reason: 'suspected fraud', now: tick() }, 'admin:root');
    else if (roll < 0.125) {
      decide({ type: 'ActivatePoints', customerId: account.customerId, paymentId, early: true, reason: 'manager approval', now: tick() }, 'admin:root');
    } else decide({ type: 'ActivatePoints', customerId: account.customerId, paymentId, early: false, now: tick() }, 'admin:root');
  };

  /**
   * What an admin does now and then, whatever the dice say: asks to activate a payment not due
   * yet (refused), voids it, asks to activate it again (no longer pending: refused), and
   * activates another pending payment early.
   */
  const adminRound = () => {
    const all = [...accounts.values()];
    const notDueOf = (a: Account) => pendingPayments(a).find((p) => p.activatesAt !== undefined && Date.parse(p.activatesAt) > clock);
    const notDue = all.find((a) => notDueOf(a) !== undefined);
    if (notDue !== undefined) {
      const paymentId = notDueOf(notDue)!.paymentId;
      decide({ type: 'ActivatePoints', customerId: notDue.customerId, paymentId, early: false, now: tick() }, 'admin:root');
      decide({ type: 'VoidPoints', customerId: notDue.customerId, paymentId, reason: 'suspected fraud', now: tick() }, 'admin:root');
      decide({ type: 'ActivatePoints', customerId: notDue.customerId, paymentId, early: true, now: tick() }, 'admin:root');
    }
    const another = all.flatMap((a) => pendingPayments(a).map((p) => [a, p.paymentId] as const))[0];
    if (another !== undefined) {
      decide(
        { type: 'ActivatePoints', customerId: another[0].customerId, paymentId: another[1], early: true, reason: 'manager approval', now: tick() },
        'admin:root',
      );
    }
  };

  configure(SYDNEY_PROGRAM, 0);
  for (let i = 0; i < Math.ceil(customerCount / 2); i++) enrol();

  // The expiry policy in force from each of these steps on (with expiry).
  const sydneyExpiry: Partial<ProgramSettings> = expiry ? { expiry: { policy: 'afterDays', days: 1 } } : {};
  const newYorkExpiry: Partial<ProgramSettings> = expiry ? { expiry: { policy: 'afterMonths', months: 1, roundTo: 'month' } } : {};
  const lateExpiry: Partial<ProgramSettings> = expiry ? { expiry: { policy: 'afterDays', days: 2 } } : {};
  // Tiers from the first change on: lifetime in Sydney, a rolling window in New York, the calendar
  // year at the end (the clock's jump below crosses into the next year: step-downs).
  const tierList: ProgramSettings['tiers'] = [
    { tierId: 'bronze', name: 'Bronze', threshold: 50, multiplier: '1' },
    { tierId: 'silver', name: 'Silver', threshold: 250, multiplier: '1.1' },
    { tierId: 'gold', name: 'Gold', threshold: 600, multiplier: '1.5' },
  ];
  const sydneyTiers: Partial<ProgramSettings> = tiered ? { tiers: tierList } : {};
  const newYorkTiers: Partial<ProgramSettings> = tiered ? { tiers: tierList, tierWindow: { rollingDays: 3 } } : {};
  const lateTiers: Partial<ProgramSettings> = tiered ? { tiers: tierList, tierWindow: 'calendarYear' } : {};
  for (let step = 0; step < steps; step++) {
    const version = program.status === 'Configured' ? program.version : 0;
    if (expiry && step === Math.floor(steps / 8)) configure({ ...SYDNEY_PROGRAM, ...sydneyExpiry, ...sydneyTiers }, version);
    if (lifecycle && step === Math.floor(steps / 4)) configure({ ...SYDNEY_PROGRAM, pendingDays: 1, ...sydneyExpiry, ...sydneyTiers }, version);
    if (step === Math.floor(steps / 2)) {
      const newYork: ProgramSettings = lifecycle ? { ...NEW_YORK_PROGRAM, pendingDays: 2, ...newYorkExpiry, ...newYorkTiers } : NEW_YORK_PROGRAM;
      configure(newYork, version - 1); // a stale If-Match: refused
      configure(newYork, version);
      configure(newYork); // saved again unchanged: no new version
    }
    if (expiry && step === Math.floor((steps * 5) / 8))
      configure({ ...NEW_YORK_PROGRAM, pendingDays: 2, expiry: { policy: 'none' }, ...newYorkTiers }, version);
    if (lifecycle && step === Math.floor((steps * 3) / 4))
      configure({ ...NEW_YORK_PROGRAM, pendingDays: 2, reversalShortfall: 'writeOff', ...lateExpiry, ...lateTiers }, version);
    // Near the end the clock jumps ahead: the month-rounded lots expire, every pending payment comes due.
    if (expiry && step === Math.floor((steps * 7) / 8)) clock += 40 * 86_400_000;
    if (lifecycle && (step === Math.floor(steps / 3) || step === Math.floor((steps * 2) / 3))) adminRound();
    runReactions(false);
    if (lifecycle && chance(0.6)) activateDue();
    if (expiry && expiryChance(0.6)) expireDue();
    if (tiered && tierRandom() < 0.4) evaluateTiers();
    if (expiry && expiryChance(0.04)) expireWrongly(accountOf(`cus-${String(1 + Math.floor(expiryRandom() * enrolled)).padStart(3, '0')}`));
    if (enrolled < customerCount && chance(0.08)) enrol();
    const account = accountOf(`cus-${String(int(1, enrolled)).padStart(3, '0')}`);
    const balance = account.state.status === 'Enrolled' ? account.state.balance.available : 0;
    const lifecycleRoll = lifecycle ? random() : 1;
    const roll = random();
    if (lifecycleRoll < 0.14) lifecycleCommand(account, lifecycleRoll);
    else if (roll < 0.24) visit(account);
    else if (roll < 0.42) pay(account, pick<Source>(['manual', 'scan', 'scan']));
    else if (roll < 0.56 && account.visits.length > 0) {
      // Mostly a visit without a purchase yet; sometimes one already paid for.
      const visitId = account.unpaidVisits.length > 0 && chance(0.75) ? pick(account.unpaidVisits) : pick(account.visits);
      pay(account, 'scan', { visitId });
    } else if (roll < 0.66) pay(account, 'online');
    else if (roll < 0.78) {
      const points = chance(0.6) ? int(1, 200) : -int(1, 150);
      decide(
        {
          type: 'AdjustPoints',
          customerId: account.customerId,
          adjustmentId: `adj-${nextSerial()}`,
          points,
          reason: points > 0 ? 'goodwill' : 'clawback',
          // Some credits are kept for good, whatever the expiry policy.
          ...(expiry && points > 0 && expiryChance(0.25) && { expires: false }),
          program: current(),
          now: tick(),
        },
        'staff:alice',
      );
    } else if (roll < 0.9) {
      // Mostly within the balance; sometimes more than is available (refused, whatever the policy).
      const points = balance > 0 && chance(0.8) ? int(1, balance) : Math.max(1, balance) + int(0, 50);
      const n = nextSerial();
      decide(
        {
          type: 'RedeemPoints',
          customerId: account.customerId,
          redemptionId: `red-${n}`,
          points,
          reference: `voucher-${n}`,
          ...(chance(0.5) && { reason: 'voucher' }),
          now: tick(),
        },
        'web',
      );
    } else if (roll < 0.93) {
      // A visit of another customer: not this customer's to attach a payment to.
      const other = [...accounts.values()].find((a) => a !== account && a.visits.length > 0);
      if (other !== undefined) pay(account, 'scan', { visitId: pick(other.visits) });
    } else if (roll < 0.95) pay(account, 'online', { currency: 'EUR' });
    else if (roll < 0.97) visit(account, (now) => new Date(now.getTime() + int(6, 60) * 60_000).toISOString());
    else if (roll < 0.985) visit(accountOf(`cus-${String(customerCount + 1).padStart(3, '0')}`));
    else decide({ type: 'EnrolCustomer', customerId: account.customerId, email: `again-${account.customerId}@example.com`, now: tick() }, 'staff:alice');
  }
  runReactions(true);
  return { commands, refused };
}

/** The accepted commands of `runScenario`: what the integration suite appends to a real store. */
export function generateScenario(options: ScenarioOptions = {}): ScenarioCommand[] {
  return [...runScenario(options).commands];
}

/** The commands as a projector would see them: positions 1..N, revisions per stream. */
export function projectedSequence(commands: readonly ScenarioCommand[]): Projected<LedgerEvent>[] {
  const revisions = new Map<string, bigint>();
  const out: Projected<LedgerEvent>[] = [];
  for (const command of commands) {
    command.events.forEach((event, i) => {
      const revision = revisions.has(command.streamName) ? revisions.get(command.streamName)! + 1n : 0n;
      revisions.set(command.streamName, revision);
      out.push({
        event,
        eventId: command.eventIds[i]!,
        streamName: command.streamName,
        revision,
        position: BigInt(out.length + 1),
        recordedAt: command.recordedAt,
        actor: command.actor,
      });
    });
  }
  return out;
}
