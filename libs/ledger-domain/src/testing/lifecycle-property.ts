import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { CustomerEvent, Enrolled } from '../customer/customer';
import type { PaymentRecorded, RecordPayment } from '../customer/record-payment';
import type { RefundPayment } from '../customer/refund-payment';
import type { ProgramSnapshot } from '../program/program';
import { decodeCustomerEvent } from '../stored-events';
import { CUSTOMER_ID } from './customer-fixtures';

/**
 * What the two points-lifecycle properties (customer/lifecycle.property.spec.ts: invariants
 * after every step; customer/lifecycle2.property.spec.ts: every event predicted) share: the
 * clock, the checks, the test's own calendar and arithmetic, and the steps both generate with
 * the commands they stand for. Each property keeps its own model of the ledger. Nothing here
 * calls the code's calendar, lot or balance functions: the properties check those against it.
 */

export const START = Date.parse('2026-03-01T00:00:00.000Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/**
 * Thousands of checks a run: Jest's `expect` builds an error with a stack on every call, which
 * would make a property many times slower, so each check compares first and lets `expect` report.
 */
export function same<T>(what: string, actual: T, expected: T): void {
  if (!isDeepStrictEqual(actual, expected)) expect({ what, value: actual }).toEqual({ what, value: expected });
}

export function holds(what: string, condition: boolean, detail?: unknown): void {
  if (!condition) expect({ what, detail, holds: false }).toEqual({ what, detail, holds: true });
}

/** Stored as JSON and decoded again (at revision `revision` of the customer's stream), every event is the same event. */
export function sameAfterStoring(event: CustomerEvent, revision: number): void {
  const stored = JSON.parse(JSON.stringify(event)) as CustomerEvent;
  const decoded = decodeCustomerEvent({ streamName: `loyaltyAccount-${CUSTOMER_ID}`, revision: BigInt(revision), type: stored.type, data: stored.data });
  same(`${event.type} after a JSON round trip through the stored-event decoder`, decoded, event);
}

/** What a holder of the state can observe, for comparing a replay with the incremental fold. */
export const observe = (state: Enrolled, paymentIds: readonly string[]) => ({
  balance: state.balance,
  lifetime: state.lifetime,
  lots: state.lots,
  tier: state.tier,
  tierHistory: state.tierHistory,
  visitCount: state.visitCount,
  paymentCount: state.paymentCount,
  visits: state.visits.size,
  payments: paymentIds.map((id) => state.payments.get(id)),
});

// ---------------------------------------------------------------------------------------------
// The test's calendar (Intl for the local day, bisection for where a local day ends) and arithmetic
// ---------------------------------------------------------------------------------------------

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of an instant in a zone, straight from Intl. */
export function localDay(timezone: string, ms: number): string {
  let format = dayFormats.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timezone, format);
  }
  return format.format(new Date(ms));
}

export const plusDays = (day: string, n: number): string => iso(Date.parse(`${day}T00:00:00.000Z`) + n * DAY).slice(0, 10);

const ends = new Map<string, number>();

/** The first instant after local day `day` in `timezone` (the first instant whose local day is later). */
export function endOfLocalDay(timezone: string, day: string): number {
  const key = `${timezone} ${day}`;
  const cached = ends.get(key);
  if (cached !== undefined) return cached;
  let lo = Date.parse(`${day}T00:00:00.000Z`) - DAY;
  let hi = Date.parse(`${day}T00:00:00.000Z`) + 2 * DAY;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(timezone, mid) > day) hi = mid;
    else lo = mid;
  }
  ends.set(key, hi);
  return hi;
}

/** floor(earned × refunded / paid), exactly: an earning's share of what was refunded. */
export const share = (earned: number, refunded: number, paid: number): number => Number((BigInt(earned) * BigInt(refunded)) / BigInt(paid));

export const sumOf = (draws: readonly { readonly points: number }[]): number => draws.reduce((s, d) => s + d.points, 0);

/**
 * What a spend (or a reversal, `own` lot first) of `points` draws from `lots`, given in spending
 * order: each lot in turn, as much as it holds, until the points are covered; and what is left.
 */
export function drawInOrder(
  lots: readonly { readonly lotId: string; readonly remaining: number }[],
  points: number,
  own?: string,
): { lots: { lotId: string; points: number }[]; shortfall: number } {
  const ordered = [...lots.filter((lot) => lot.lotId === own), ...lots.filter((lot) => lot.lotId !== own)];
  const out: { lotId: string; points: number }[] = [];
  let left = points;
  for (const lot of ordered) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining);
    out.push({ lotId: lot.lotId, points: take });
    left -= take;
  }
  return { lots: out, shortfall: left };
}

// ---------------------------------------------------------------------------------------------
// Steps both properties generate, and the commands they stand for
// ---------------------------------------------------------------------------------------------

export type PayStep = { readonly kind: 'pay'; readonly amountMinor: number; readonly backdateMinutes: number; readonly inStore: boolean };
export type RedeemStep = { readonly kind: 'redeem'; readonly points: number | 'all' };
export type RefundStep = { readonly kind: 'refund'; readonly payment: number; readonly portion: 'rest' | 'exceed' | 'duplicate' | 'beforePayment' | number };

/** Refunds of the rest, of a part (`partWeight`: how often), and the three kinds the ledger refuses. */
export const refundStepArb = (partWeight: number): fc.Arbitrary<RefundStep> =>
  fc.record({
    kind: fc.constant('refund' as const),
    payment: fc.nat(),
    portion: fc.oneof(
      { weight: 2, arbitrary: fc.constant('rest' as const) },
      { weight: partWeight, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
      { weight: 1, arbitrary: fc.constantFrom('exceed' as const, 'duplicate' as const, 'beforePayment' as const) },
    ),
  });

/** Step `i`'s payment, at the clock `now` less its backdating; an in-store payment is also a visit. */
export function paymentCommand(i: number, step: PayStep, now: number, program: ProgramSnapshot): RecordPayment {
  return {
    type: 'RecordPayment',
    customerId: CUSTOMER_ID,
    paymentId: `pay-${i}`,
    newVisitId: `vis-${i}`,
    locationId: 'loc-1',
    amount: (step.amountMinor / 100).toFixed(2),
    currency: 'USD',
    purchaseIdentifier: `R-${i}`,
    occurredAt: iso(now - step.backdateMinutes * MINUTE),
    source: step.inStore ? 'scan' : 'online',
    program,
    now: new Date(now),
  };
}

/** What both models know of a payment, from its events; each adds what its own checks need. */
export interface PaymentModelBase {
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly earned: number;
  readonly occurredAt: string;
  readonly activatesAt: string | undefined;
  refundedMinor: number;
  refundIdentifiers: string[];
  voided: boolean;
  activated: boolean;
  /** The adjustment ids of its cashback. */
  cashback: string[];
}

/** A payment as recorded, before any refund, activation, void or cashback. */
export const paymentModelOf = (d: PaymentRecorded['data']): PaymentModelBase => ({
  paymentId: d.paymentId,
  amountMinor: d.amountMinor,
  earned: d.points,
  occurredAt: d.occurredAt,
  activatesAt: d.activatesAt,
  refundedMinor: 0,
  refundIdentifiers: [],
  voided: false,
  activated: false,
  cashback: [],
});

/**
 * Step `i`'s refund of payment `p` (undefined: the customer has none) with the identifier
 * `CN-<sequence>`, and the refusal it must meet: only for what is wrong with the refund itself
 * (a reversal is never refused for lack of points).
 */
export function refundCommand(
  i: number,
  step: RefundStep,
  p: PaymentModelBase | undefined,
  sequence: number,
  now: number,
  program: ProgramSnapshot,
): { readonly command: RefundPayment; readonly amountMinor: number; readonly refused: string | undefined } {
  const rest = p === undefined ? 100 : p.amountMinor - p.refundedMinor;
  let amountMinor = typeof step.portion === 'number' ? 1 + (step.portion % Math.max(1, rest)) : Math.max(1, rest);
  let refundIdentifier = `CN-${sequence}`;
  let occurredAt = iso(now);
  let refused: string | undefined;
  if (p === undefined) refused = 'PaymentNotFound';
  else if (step.portion === 'exceed') {
    amountMinor = rest + 1;
    refused = 'RefundExceedsPayment';
  } else if (step.portion === 'duplicate' && p.refundIdentifiers.length > 0) {
    refundIdentifier = p.refundIdentifiers[0]!;
    refused = 'DuplicateRefund';
  } else if (step.portion === 'beforePayment') {
    occurredAt = iso(Date.parse(p.occurredAt) - 1);
    refused = 'InvalidInput';
  } else if (rest === 0) {
    amountMinor = 1;
    refused = 'RefundExceedsPayment';
  }
  const command: RefundPayment = {
    type: 'RefundPayment',
    customerId: CUSTOMER_ID,
    refundId: `ref-${i}`,
    paymentId: p?.paymentId ?? 'pay-none',
    amount: (amountMinor / 100).toFixed(2),
    refundIdentifier,
    occurredAt,
    program,
    now: new Date(now),
  };
  return { command, amountMinor, refused };
}
