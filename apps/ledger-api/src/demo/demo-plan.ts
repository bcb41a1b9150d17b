/**
 * The demo data set (`LEDGER_DEMO_DATA=true`): a few dozen customers with months of visits,
 * payments, adjustments, redemptions and a few refunds over several branches. Pure and seeded:
 * the same anchor gives the very same plan, action for action, so every action can carry a
 * command id derived from its key and a second start writes nothing.
 */

export const DEMO_SEED = 20261123;
/** How far back the visits go. */
export const DEMO_DAYS = 120;
export const DEMO_CUSTOMERS = 36;

export const DEMO_BRANCHES = ['store-downtown', 'store-harbour', 'store-airport', 'store-mall'] as const;
export const DEMO_ONLINE_LOCATION = 'web-shop';
/** Share of visits with a purchase, per branch: the conversion a report should show. */
const CONVERSION: Readonly<Record<(typeof DEMO_BRANCHES)[number], number>> = {
  'store-downtown': 0.62,
  'store-harbour': 0.45,
  'store-airport': 0.74,
  'store-mall': 0.34,
};

export type DemoAction =
  | { readonly kind: 'enrol'; readonly key: string; readonly body: { readonly email?: string; readonly phone?: string; readonly name: string } }
  | {
      readonly kind: 'visit';
      readonly key: string;
      readonly body: {
        readonly locationId: string;
        readonly occurredAt: string;
        readonly kind: 'browse' | 'service' | 'event' | 'pickup';
        readonly notes?: string;
      };
    }
  | {
      readonly kind: 'payment';
      readonly key: string;
      readonly body: {
        readonly locationId: string;
        readonly amount: string;
        readonly purchaseIdentifier: string;
        readonly occurredAt: string;
        readonly source: 'manual' | 'scan' | 'online';
      };
    }
  | { readonly kind: 'adjust'; readonly key: string; readonly body: { readonly points: number; readonly reason: string } }
  | { readonly kind: 'redeem'; readonly key: string; readonly body: { readonly points: number; readonly reference: string; readonly reason: string } }
  | {
      readonly kind: 'refund';
      readonly key: string;
      /** The key of the payment refunded (its id comes from that command's answer). */
      readonly paymentKey: string;
      readonly body: { readonly amount: string; readonly refundIdentifier: string; readonly occurredAt: string; readonly reason: string };
    };

/** One customer's actions, in the order they are sent (the enrolment first). */
export interface DemoCustomer {
  readonly index: number;
  readonly actions: readonly DemoAction[];
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Margaret',
  'Dennis',
  'Radia',
  'Tim',
  'Katherine',
  'Linus',
  'Hedy',
  'John',
  'Sophie',
  'Niklaus',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
  'Ritchie',
  'Perlman',
  'Berners-Lee',
  'Johnson',
  'Torvalds',
  'Lamarr',
  'McCarthy',
  'Wilson',
  'Wirth',
];
const VISIT_NOTES = [
  'Asked about the loyalty card',
  'Tried on the new season collection',
  'Alterations: trousers hemmed',
  'Styling appointment',
  'Picked up a click and collect order',
  'Came for the tasting evening',
  'Browsed, will come back at the weekend',
];
const REFUND_REASONS = ['Returned: wrong size', 'Returned: damaged', 'Returned: changed mind'];
const ADJUSTMENTS = [
  { points: 25, reason: 'Goodwill: delayed order' },
  { points: 10, reason: 'Birthday bonus' },
  { points: 50, reason: 'Compensation: missed appointment' },
];

/** mulberry32: a small, fast, seeded generator (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

/**
 * The plan for an anchor (the instant the demo was first written): every business time lies in the
 * `DEMO_DAYS` days before it, at least ten minutes before it. Adjustments and redemptions take
 * the server's time when they are sent (the API has no business time for them).
 */
export function demoPlan(anchor: Date, seed = DEMO_SEED): DemoCustomer[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const latest = anchor.getTime() - 10 * 60_000;
  const firstDay = Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth(), anchor.getUTCDate()) - DEMO_DAYS * DAY_MS;
  let receipt = 1000;
  let creditNote = 100;
  let voucher = 7700;
  const customers: DemoCustomer[] = [];

  for (let index = 0; index < DEMO_CUSTOMERS; index++) {
    const actions: DemoAction[] = [];
    const key = (n: number | string) => `customer-${String(index).padStart(2, '0')}/${n}`;
    const first = FIRST[index % FIRST.length]!;
    const last = LAST[(index * 7 + Math.floor(index / FIRST.length)) % LAST.length]!;
    const handle = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    const phone = `+1 555 01${String(10 + index).padStart(2, '0')} ${String(1000 + Math.floor(random() * 9000))}`;
    // Most have an e-mail, some a phone as well, a few a phone only.
    const contact = index % 9 === 4 ? { phone } : index % 3 === 0 ? { email: `${handle}@demo.example`, phone } : { email: `${handle}@demo.example` };
    actions.push({ kind: 'enrol', key: key('enrol'), body: { ...contact, name: `${first} ${last}` } });

    const home = DEMO_BRANCHES[index % DEMO_BRANCHES.length]!;
    // From an occasional visitor (once a month) to a regular (three times a week).
    const perDay = 0.03 + random() * 0.4;
    // Some customers joined the program later than others.
    const startDay = Math.floor(random() * random() * DEMO_DAYS * 0.6);
    let estimate = 0; // points at 1 per unit, to keep redemptions and clawbacks within the balance
    let n = 0;
    const refunds: { at: number; action: DemoAction }[] = [];

    for (let day = startDay; day <= DEMO_DAYS; day++) {
      if (random() >= perDay) continue;
      const at = firstDay + day * DAY_MS + (9 + Math.floor(random() * 10)) * 3_600_000 + Math.floor(random() * 60) * 60_000;
      if (at > latest) continue;
      // A refund due before this visit goes first, keeping each customer's actions in time order.
      for (const due of refunds.splice(0).sort((a, b) => a.at - b.at)) {
        if (due.at <= at) actions.push(due.action);
        else refunds.push(due);
      }
      const occurredAt = new Date(at).toISOString();
      const online = random() < 0.07;
      const branch = online ? DEMO_ONLINE_LOCATION : random() < 0.75 ? home : pick(DEMO_BRANCHES);
      const buys = online || random() < CONVERSION[branch as (typeof DEMO_BRANCHES)[number]];
      if (!buys) {
        const kind = pick(['browse', 'browse', 'browse', 'service', 'event', 'pickup'] as const);
        const notes = random() < 0.35 ? pick(VISIT_NOTES) : undefined;
        actions.push({ kind: 'visit', key: key(++n), body: { locationId: branch, occurredAt, kind, ...(notes !== undefined && { notes }) } });
        continue;
      }
      const cents = Math.round((6 + Math.pow(random(), 2) * 170) * 100);
      const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      const source = online ? 'online' : random() < 0.3 ? 'scan' : 'manual';
      const payment: DemoAction = {
        kind: 'payment',
        key: key(++n),
        body: { locationId: branch, amount, purchaseIdentifier: `R-${++receipt}`, occurredAt, source },
      };
      actions.push(payment);
      estimate += Math.floor(cents / 100);
      if (random() < 0.05) {
        const refundAt = at + (1 + Math.floor(random() * 4)) * DAY_MS + 3 * 3_600_000;
        if (refundAt <= latest) {
          const full = random() < 0.5;
          const refundCents = full ? cents : Math.max(1, Math.floor(cents / 2));
          estimate -= Math.ceil(refundCents / 100);
          refunds.push({
            at: refundAt,
            action: {
              kind: 'refund',
              key: key(++n),
              paymentKey: payment.key,
              body: {
                amount: `${Math.floor(refundCents / 100)}.${String(refundCents % 100).padStart(2, '0')}`,
                refundIdentifier: `CN-${++creditNote}`,
                occurredAt: new Date(refundAt).toISOString(),
                reason: pick(REFUND_REASONS),
              },
            },
          });
        }
      }
      // A redemption now and then, well within what the customer has earned.
      if (estimate >= 300 && random() < 0.3) {
        const points = pick([100, 150, 200]);
        actions.push({
          kind: 'redeem',
          key: key(++n),
          body: { points, reference: `voucher-${++voucher}`, reason: pick(['Gift voucher', 'Free coffee', 'Tote bag']) },
        });
        estimate -= points;
      }
    }
    for (const due of refunds.sort((a, b) => a.at - b.at)) actions.push(due.action);
    if (random() < 0.35) {
      const adjustment = pick(ADJUSTMENTS);
      actions.push({ kind: 'adjust', key: key(++n), body: adjustment });
      estimate += adjustment.points;
    }
    if (estimate >= 60 && random() < 0.2)
      actions.push({ kind: 'adjust', key: key(++n), body: { points: -Math.min(20, Math.floor(estimate / 4)), reason: 'Receipt keyed twice' } });
    customers.push({ index, actions });
  }
  return customers;
}
