import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { AdjustPointsBodyC } from '../adjustments/adjust-points.handler';
import { EnrolCustomerBodyC } from '../customers/enrol-customer.handler';
import { RecordPaymentBodyC } from '../payments/record-payment.handler';
import { RedeemPointsBodyC } from '../redemptions/redeem-points.handler';
import { RefundPaymentBodyC } from '../refunds/refund-payment.handler';
import { RecordVisitBodyC } from '../visits/record-visit.handler';
import { DEMO_BRANCHES, DEMO_CUSTOMERS, DEMO_DAYS, demoPlan, type DemoAction } from './demo-plan';

const anchor = new Date('2026-11-23T12:00:00Z');
const actions = (plan = demoPlan(anchor)) => plan.flatMap((c) => c.actions);

describe('demo plan', () => {
  it('is the same plan for the same anchor, and the same actions (keys, amounts) whatever the anchor', () => {
    expect(demoPlan(anchor)).toEqual(demoPlan(new Date(anchor)));
    const later = demoPlan(new Date(anchor.getTime() + 7 * 86_400_000));
    const shape = (a: DemoAction) => ({ kind: a.kind, key: a.key, ...('amount' in a.body && { amount: a.body.amount }) });
    // Moving the anchor shifts the times; what is bought and by whom stays.
    expect(actions(later).map(shape).slice(0, 50)).toEqual(actions().map(shape).slice(0, 50));
  });

  it('has a few dozen customers, each enrolled first, with unique keys', () => {
    const plan = demoPlan(anchor);
    expect(plan).toHaveLength(DEMO_CUSTOMERS);
    for (const customer of plan) expect(customer.actions[0]!.kind).toBe('enrol');
    const keys = actions().map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('sends only bodies the routes accept', () => {
    const codecs: Record<DemoAction['kind'], t.Decoder<unknown, unknown>> = {
      enrol: EnrolCustomerBodyC,
      visit: RecordVisitBodyC,
      payment: RecordPaymentBodyC,
      adjust: AdjustPointsBodyC,
      redeem: RedeemPointsBodyC,
      refund: RefundPaymentBodyC,
    };
    for (const action of actions()) expect({ key: action.key, ok: E.isRight(codecs[action.kind].decode(action.body)) }).toEqual({ key: action.key, ok: true });
  });

  it('spreads months of visits and payments over every branch, before the anchor, each customer in time order', () => {
    const all = actions();
    const timed = all.filter((a): a is Extract<DemoAction, { body: { occurredAt: string } }> => 'occurredAt' in a.body);
    const times = timed.map((a) => Date.parse(a.body.occurredAt));
    expect(Math.max(...times)).toBeLessThan(anchor.getTime() - 5 * 60_000);
    expect(anchor.getTime() - Math.min(...times)).toBeGreaterThan((DEMO_DAYS - 10) * 86_400_000);
    const locations = new Set(timed.flatMap((a) => ('locationId' in a.body ? [a.body.locationId] : [])));
    for (const branch of DEMO_BRANCHES) expect(locations).toContain(branch);
    for (const customer of demoPlan(anchor)) {
      const own = customer.actions.flatMap((a) => ('occurredAt' in a.body ? [Date.parse(a.body.occurredAt)] : []));
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
    expect(all.filter((a) => a.kind === 'payment').length).toBeGreaterThan(300);
    expect(all.filter((a) => a.kind === 'visit').length).toBeGreaterThan(100);
    expect(all.filter((a) => a.kind === 'redeem').length).toBeGreaterThan(5);
    expect(all.filter((a) => a.kind === 'adjust').length).toBeGreaterThan(5);
    expect(all.filter((a) => a.kind === 'refund').length).toBeGreaterThanOrEqual(3);
  });

  it('refunds a payment after it, never more than was paid; receipts are unique per branch', () => {
    const all = actions();
    const payments = new Map(all.flatMap((a) => (a.kind === 'payment' ? [[a.key, a] as const] : [])));
    for (const refund of all.filter((a) => a.kind === 'refund')) {
      const payment = payments.get(refund.paymentKey)!;
      expect(Date.parse(refund.body.occurredAt)).toBeGreaterThan(Date.parse(payment.body.occurredAt));
      expect(Number(refund.body.amount)).toBeLessThanOrEqual(Number(payment.body.amount));
      expect(all.indexOf(refund)).toBeGreaterThan(all.indexOf(payment));
    }
    const receipts = [...payments.values()].map((p) => `${p.body.locationId} ${p.body.purchaseIdentifier}`);
    expect(new Set(receipts).size).toBe(receipts.length);
  });
});
