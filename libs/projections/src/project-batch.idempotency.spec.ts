import { projectedSequence, runScenario } from './testing/ledger-scenario';
import { expectedReadModels, type ExpectedReadModels } from './testing/read-model-oracle';
import { balanceView, evolveCustomer, initialCustomerState, type CustomerState } from '#ledger-domain/customer/customer';
import type { TimelineEntry } from './customer-timeline.projection';
import type { CustomerTier, TierChangeRow } from './customer-tiers.projection';
import { keysOf, locationKeysOf, projectBatch, type BatchResult, type ProgramRow, type ReadModelRows } from './project-batch';
import type { LedgerEvent, Projected } from './projected-event';
import { lotKey, type LotMovement, type PointsLot } from './points-lots.projection';
import { spendingOrder, type Lot } from '#ledger-domain/customer/lots';

/**
 * An in-memory stand-in for the read-model database that loads exactly what the projector
 * loads (`keysOf`, then `locationKeysOf`) and writes back exactly what `projectBatch` reports
 * as changed (timeline rows: first insert wins, like `ON CONFLICT DO NOTHING`). So these specs
 * also catch a row that `projectBatch` needs but the key functions forget to load.
 */
class MemoryReadModels {
  programs: readonly ProgramRow[] = [];
  readonly balances = new Map<string, ReadModelRows['balances'] extends ReadonlyMap<string, infer R> ? R : never>();
  readonly achievements = new Map<string, ReadModelRows['achievements'] extends ReadonlyMap<string, infer R> ? R : never>();
  readonly visits = new Map<string, ReadModelRows['visits'] extends ReadonlyMap<string, infer R> ? R : never>();
  readonly customerVisits = new Map<string, ReadModelRows['customerVisits'] extends ReadonlyMap<string, infer R> ? R : never>();
  readonly locationVisits = new Map<string, ReadModelRows['locationVisits'] extends ReadonlyMap<string, infer R> ? R : never>();
  readonly locationPayments = new Map<string, ReadModelRows['locationPayments'] extends ReadonlyMap<string, infer R> ? R : never>();
  readonly locationCustomers = new Set<string>();
  readonly lots = new Map<string, PointsLot>();
  readonly timeline = new Map<string, TimelineEntry>();
  readonly movements = new Map<string, LotMovement>();
  readonly tiers = new Map<string, CustomerTier>();
  readonly tierChanges = new Map<string, TierChangeRow>();

  load(events: readonly Projected<LedgerEvent>[]): ReadModelRows {
    const keys = keysOf(events);
    const visits = subset(this.visits, keys.visits);
    const location = locationKeysOf(events, this.programs, visits);
    return {
      programs: this.programs,
      balances: subset(this.balances, keys.customers),
      achievements: subset(this.achievements, keys.customers),
      visits,
      customerVisits: subset(this.customerVisits, keys.customers),
      locationVisits: subset(this.locationVisits, location.locationVisits),
      locationPayments: subset(this.locationPayments, location.locationPayments),
      locationCustomers: new Set([...location.locationCustomers].filter((k) => this.locationCustomers.has(k))),
      // The lots named, and every open lot of a customer whose spend names none (as the store loads them).
      lots: new Map([...subset(this.lots, keys.lots), ...[...this.lots].filter(([, lot]) => keys.lotOwners.has(lot.customerId) && lot.remaining > 0)]),
      tiers: subset(this.tiers, keys.tierOwners),
    };
  }

  write(result: BatchResult): void {
    const { rows, changed } = result;
    if (changed.programs.length > 0) this.programs = rows.programs;
    const copy = <R>(to: Map<string, R>, from: ReadonlyMap<string, R>, keys: ReadonlySet<string>) => keys.forEach((k) => to.set(k, from.get(k)!));
    copy(this.balances, rows.balances, changed.balances);
    copy(this.achievements, rows.achievements, changed.achievements);
    copy(this.visits, rows.visits, changed.visits);
    copy(this.customerVisits, rows.customerVisits, changed.customerVisits);
    copy(this.locationVisits, rows.locationVisits, changed.locationVisits);
    copy(this.locationPayments, rows.locationPayments, changed.locationPayments);
    changed.locationCustomers.forEach((k) => this.locationCustomers.add(k));
    copy(this.lots, rows.lots, changed.lots);
    copy(this.tiers, rows.tiers, changed.tiers);
    for (const c of result.tierChanges) {
      const key = c.position.toString().padStart(40, '0');
      if (!this.tierChanges.has(key)) this.tierChanges.set(key, c);
    }
    for (const entry of result.timeline) if (!this.timeline.has(entry.eventId)) this.timeline.set(entry.eventId, entry);
    // Keyed (position, seq) as in the table: first insert wins.
    for (const m of result.movements) {
      const key = `${m.position.toString().padStart(40, '0')}:${String(m.seq).padStart(6, '0')}`;
      if (!this.movements.has(key)) this.movements.set(key, m);
    }
  }

  /** Projects the events in batches of `batchSize` (the whole lot at once by default). */
  project(events: readonly Projected<LedgerEvent>[], batchSize = events.length): this {
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      this.write(projectBatch(this.load(batch), batch));
    }
    return this;
  }

  /** Every table, as rows sorted by key. */
  dump() {
    const sorted = <R>(rows: ReadonlyMap<string, R>) => [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    return {
      programs: this.programs,
      balances: sorted(this.balances),
      achievements: sorted(this.achievements),
      timeline: sorted(this.timeline),
      visits: sorted(this.visits),
      customerVisits: sorted(this.customerVisits),
      locationVisits: sorted(this.locationVisits),
      locationPayments: sorted(this.locationPayments),
      locationCustomers: [...this.locationCustomers].sort(),
      lots: sorted(this.lots),
      movements: sorted(this.movements),
      tiers: sorted(this.tiers),
      tierChanges: sorted(this.tierChanges),
    };
  }
}

function subset<R>(rows: ReadonlyMap<string, R>, keys: ReadonlySet<string>): Map<string, R> {
  const out = new Map<string, R>();
  for (const key of keys) {
    const row = rows.get(key);
    if (row !== undefined) out.set(key, row);
  }
  return out;
}

const projected = (events: readonly Projected<LedgerEvent>[], batchSize?: number) => new MemoryReadModels().project(events, batchSize).dump();
const twice = (events: readonly Projected<LedgerEvent>[]) => events.flatMap((e) => [e, e]);

const sortedBy = <R>(rows: readonly R[], key: (row: R) => string): R[] => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const customer = (r: { customerId: string }) => r.customerId;
const locationDay = (r: { locationId: string; day: string; currency?: string; customerId?: string }) =>
  [r.locationId, r.day, r.currency ?? '', r.customerId ?? ''].join('\u0000');

/** Tables in one row order, whoever computed them: by key, the timeline and programs by position. */
const inKeyOrder = (tables: ExpectedReadModels): ExpectedReadModels => ({
  programs: tables.programs,
  balances: sortedBy(tables.balances, customer),
  achievements: sortedBy(tables.achievements, customer),
  timeline: [...tables.timeline].sort((a, b) => (a.position < b.position ? -1 : 1)),
  visits: sortedBy(tables.visits, (v) => v.visitId),
  customerVisits: sortedBy(tables.customerVisits, customer),
  locationVisits: sortedBy(tables.locationVisits, locationDay),
  locationPayments: sortedBy(tables.locationPayments, locationDay),
  locationCustomers: sortedBy(tables.locationCustomers, locationDay),
  lots: sortedBy(tables.lots, (l) => lotKey(l.customerId, l.lotId)),
  movements: [...tables.movements].sort((a, b) => (a.position !== b.position ? (a.position < b.position ? -1 : 1) : a.seq - b.seq)),
  tiers: sortedBy(tables.tiers, customer),
  tierChanges: [...tables.tierChanges].sort((a, b) => (a.position < b.position ? -1 : 1)),
});

const SEEDS = [1, 7, 42, 2026];

describe.each(SEEDS)('idempotency of the ledger read models (generated history, seed %i)', (seed) => {
  const scenario = runScenario({ seed, customers: 8, steps: 220 });
  const events = projectedSequence(scenario.commands);
  const reference = projected(events);

  it('is a realistic history: every kind of event the projections handle is in it', () => {
    const types = events.map((e) => e.event);
    const payments = types.filter((e) => e.type === 'PaymentRecorded');
    const visits = types.filter((e) => e.type === 'VisitCreated');
    const browseIds = new Set(visits.filter((v) => v.data.kind !== 'purchase').map((v) => v.data.visitId));
    const namedBrowse = payments.filter((p) => p.data.visitId !== undefined && browseIds.has(p.data.visitId)).map((p) => p.data.visitId);
    expect(
      types
        .filter((e) => e.type === 'ProgramConfigured')
        .map((e) => [e.data.timezone, e.data.pendingDays ?? 0, e.data.reversalShortfall ?? 'debt', e.data.expiry ?? { policy: 'none' }]),
    ).toEqual([
      ['Australia/Sydney', 0, 'debt', { policy: 'none' }],
      ['Australia/Sydney', 0, 'debt', { policy: 'afterDays', days: 1 }],
      ['Australia/Sydney', 1, 'debt', { policy: 'afterDays', days: 1 }],
      ['America/New_York', 2, 'debt', { policy: 'afterMonths', months: 1, roundTo: 'month' }],
      ['America/New_York', 2, 'debt', { policy: 'none' }],
      ['America/New_York', 2, 'writeOff', { policy: 'afterDays', days: 2 }],
    ]);
    expect(types.filter((e) => e.type === 'CustomerEnrolled').length).toBeGreaterThanOrEqual(4);
    expect(visits.filter((v) => v.data.kind === 'purchase').length).toBeGreaterThan(5);
    expect(namedBrowse.length).toBeGreaterThan(3);
    expect(payments.filter((p) => p.data.source === 'online').length).toBeGreaterThan(3);
    expect(types.some((e) => e.type === 'PointsAdjusted' && e.data.kind === 'manual' && e.data.points < 0)).toBe(true);
    expect(types.some((e) => e.type === 'PointsAdjusted' && e.data.kind === 'redemption')).toBe(true);
    expect(types.filter((e) => e.type === 'PointsAdjusted' && e.data.kind === 'reward').length).toBeGreaterThan(2);
    expect(types.some((e) => e.type === 'PointsAdjusted' && e.data.kind === 'cashback')).toBe(true);
    // The points lifecycle: pending points, refunds (partial, full, of pending points, reversing cashback), activations, voids.
    const refunds = types.filter((e) => e.type === 'PaymentRefunded');
    expect(payments.filter((p) => p.data.activatesAt !== undefined).length).toBeGreaterThan(20);
    expect(types.some((e) => e.type === 'PointsAdjusted' && e.data.kind === 'cashback' && e.data.activatesAt !== undefined)).toBe(true);
    expect(refunds.some((r) => r.data.refundedBeforeMinor + r.data.amountMinor < r.data.paymentAmountMinor)).toBe(true);
    expect(refunds.some((r) => r.data.refundedBeforeMinor + r.data.amountMinor === r.data.paymentAmountMinor)).toBe(true);
    expect(refunds.some((r) => r.data.owed > 0 || r.data.writtenOff > 0)).toBe(true);
    expect(types.some((e) => e.type === 'CashbackReversed')).toBe(true);
    expect(types.filter((e) => e.type === 'PointsActivated' && !e.data.early).length).toBeGreaterThan(10);
    expect(types.some((e) => e.type === 'PointsActivated' && e.data.early)).toBe(true);
    expect(types.some((e) => e.type === 'PointsVoided')).toBe(true);
    // Lot expiry: earnings with and without expiresAt, expiries of available and of pending points.
    const expiries = types.filter((e) => e.type === 'PointsExpired');
    expect(payments.filter((p) => p.data.expiresAt !== undefined).length).toBeGreaterThan(10);
    expect(types.some((e) => e.type === 'PointsAdjusted' && e.data.kind === 'manual' && e.data.points > 0 && e.data.expiresAt === undefined)).toBe(true);
    expect(types.some((e) => e.type === 'PointsAdjusted' && e.data.kind !== 'manual' && e.data.expiresAt !== undefined)).toBe(true);
    expect(expiries.filter((e) => !e.data.pending).length).toBeGreaterThan(3);
    expect(reference.balances.some((b) => b.lifetimeExpired > 0)).toBe(true);
    expect(reference.movements.some((m) => m.kind === 'expired')).toBe(true);
    expect(reference.lots.some((l) => l.expired > 0 && l.expired < l.points)).toBe(true);
    expect(reference.timeline.some((t) => t.owedAfter > 0)).toBe(true);
    expect(reference.balances.some((b) => b.pending > 0)).toBe(true);
    // Tiers: upgrades, step-downs by the window, payments earning under a multiplier above 1.
    const tierChanges = types.filter((e) => e.type === 'TierChanged');
    expect(tierChanges.filter((e) => e.data.reason === 'qualified').length).toBeGreaterThan(5);
    expect(tierChanges.some((e) => e.data.reason === 'window')).toBe(true);
    expect(payments.some((p) => p.data.multiplier !== undefined && p.data.multiplier !== '1')).toBe(true);
    expect(reference.tiers.length).toBeGreaterThan(2);
    expect(reference.timeline).toHaveLength(events.filter((e) => e.event.type !== 'ProgramConfigured').length);
    // Commands the domain refused are in the run, and wrote nothing.
    expect(scenario.refused.map((r) => `${r.command}:${r.error}`)).toEqual(
      expect.arrayContaining([
        'RedeemPoints:InsufficientPoints',
        'RecordPayment:VisitNotFound',
        'ConfigureProgram:ProgramVersionMismatch',
        'ActivatePoints:PointsNotDue',
        'ActivatePoints:PointsNotPending',
        'ExpirePoints:NotDueYet',
        'ExpirePoints:NothingToExpire',
      ]),
    );
  });

  it('projects every table exactly as the independent oracle works it out from the events', () => {
    const locationCustomers = reference.locationCustomers.map((key) => {
      const [locationId = '', day = '', customerId = ''] = key.split('\u0000');
      return { locationId, day, customerId };
    });
    expect(inKeyOrder({ ...reference, locationCustomers })).toEqual(inKeyOrder(expectedReadModels(events)));
  });

  it("draws a spend recorded without its lots (as before lots existed) exactly as the domain drew it: the domain's spending order", () => {
    const withoutDraws = events.map((e): Projected<LedgerEvent> => {
      if (e.event.type !== 'PointsAdjusted' || e.event.data.lots === undefined) return e;
      const { lots: _lots, ...data } = e.event.data;
      return { ...e, event: { ...e.event, data } };
    });
    expect(projected(withoutDraws, 9)).toEqual(reference);
    const expected = expectedReadModels(withoutDraws);
    expect(inKeyOrder(expected).lots).toEqual(reference.lots);
    expect(inKeyOrder(expected).movements).toEqual(reference.movements);
  });

  it('gives the same tables when every event is delivered twice (same positions), in one batch', () => {
    expect(projected(twice(events))).toEqual(reference);
  });

  it.each([1, 2, 3, 7, 50])('gives the same tables when projected in batches of %i as in one batch', (batchSize) => {
    expect(projected(events, batchSize)).toEqual(reference);
  });

  it.each([1, 3, 7, 64])('gives the same tables when every event is delivered twice and batches (of %i) split the pairs', (batchSize) => {
    expect(projected(twice(events), batchSize)).toEqual(reference);
  });

  it('agrees with the domain fold on every balance, lifetime total and open lot, after every event', () => {
    const states = new Map<string, CustomerState>();
    const models = new MemoryReadModels();
    const view = (s: CustomerState) =>
      s.status === 'Enrolled'
        ? {
            customerId: s.customerId,
            ...balanceView(s.balance),
            lifetimeEarned: s.lifetime.earned,
            lifetimeRedeemed: s.lifetime.redeemed,
            adjustedIn: s.lifetime.adjustedIn,
            adjustedOut: s.lifetime.adjustedOut,
            lifetimeReversed: s.lifetime.reversed,
            lifetimeWrittenOff: s.lifetime.writtenOff,
            lifetimeExpired: s.lifetime.expired,
            visitCount: s.visitCount,
            purchaseCount: s.paymentCount,
            // The domain keeps the open lots in spending order.
            lots: s.lots.map((l) => ({
              lotId: l.lotId,
              source: l.source,
              earnedAt: l.earnedAt,
              remaining: l.remaining,
              activatesAt: l.activatesAt ?? null,
              paymentId: l.paymentId ?? null,
              expiresAt: l.expiresAt ?? null,
            })),
          }
        : undefined;
    for (const projected of events) {
      models.project([projected]);
      const { event } = projected;
      if (event.type === 'ProgramConfigured') continue;
      const id = event.data.customerId;
      const state = evolveCustomer(states.get(id) ?? initialCustomerState(), event);
      states.set(id, state);
      const row = models.balances.get(id);
      if (row === undefined) continue;
      // In the domain's spending order (the domain keeps its open lots so).
      const asLot = (l: PointsLot): Lot => ({
        lotId: l.lotId,
        source: l.source,
        earnedAt: l.earnedAt,
        remaining: l.remaining,
        ...(l.expiresAt !== null && { expiresAt: l.expiresAt }),
      });
      const open = [...models.lots.values()]
        .filter((l) => l.customerId === id && l.remaining > 0)
        .sort((a, b) => spendingOrder(asLot(a), asLot(b)))
        .map(({ lotId, source, earnedAt, remaining, activatesAt, paymentId, expiresAt }) => ({
          lotId,
          source,
          earnedAt,
          remaining,
          activatesAt,
          paymentId,
          expiresAt,
        }));
      // The row's figures the view names, and the open lots.
      const figures = Object.fromEntries(
        [
          'customerId',
          'available',
          'pending',
          'owed',
          'lifetimeEarned',
          'lifetimeRedeemed',
          'adjustedIn',
          'adjustedOut',
          'lifetimeReversed',
          'lifetimeWrittenOff',
          'lifetimeExpired',
          'visitCount',
          'purchaseCount',
        ].map((key) => [key, row[key as keyof typeof row]]),
      );
      expect({ ...figures, lots: open }).toEqual(view(state));
    }
  });

  it("keeps points_movements summing to what the docs say: each lot's remaining, each customer's balances and lifetime totals", () => {
    const total = (rows: readonly LotMovement[]) => rows.reduce((n, m) => n + m.points, 0);
    for (const lot of reference.lots) {
      const mine = reference.movements.filter((m) => m.customerId === lot.customerId && m.lotId === lot.lotId);
      expect([lot.lotId, total(mine)]).toEqual([lot.lotId, lot.remaining]);
      expect(mine.every((m) => m.source === lot.source && m.expiresAt === lot.expiresAt && m.lastValidDay === lot.lastValidDay)).toBe(true);
    }
    for (const b of reference.balances) {
      const mine = reference.movements.filter((m) => m.customerId === b.customerId);
      const of = (kind: string) => total(mine.filter((m) => m.kind === kind));
      expect({
        available: total(mine.filter((m) => !m.pending)),
        pending: total(mine.filter((m) => m.pending)),
        earned: of('earned'),
        credited: of('credited'),
        spent: 0 - of('spent'),
        expired: 0 - of('expired'),
      }).toEqual({
        available: b.available,
        pending: b.pending,
        earned: b.lifetimeEarned,
        credited: b.adjustedIn,
        spent: b.lifetimeRedeemed,
        expired: b.lifetimeExpired,
      });
    }
    // One row per event, lot and part, numbered from 0 in each event.
    const seqs = new Map<bigint, number[]>();
    for (const m of reference.movements) seqs.set(m.position, [...(seqs.get(m.position) ?? []), m.seq]);
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i));
  });

  it('counts every visit of a customer in its achievements, and one level per visit reward', () => {
    const rewards = events.filter((e) => e.event.type === 'PointsAdjusted' && e.event.data.kind === 'reward');
    expect(reference.achievements.map((a) => [a.customerId, a.visits, a.level])).toEqual(
      reference.balances.map((b) => [b.customerId, b.visitCount, rewards.filter((r) => r.streamName.endsWith(b.customerId)).length]),
    );
    expect(reference.achievements.reduce((n, a) => n + a.rewardPoints, 0)).toBe(
      rewards.reduce((n, r) => n + (r.event.type === 'PointsAdjusted' ? r.event.data.points : 0), 0),
    );
  });

  it('keeps the aggregates consistent with the visit rows they count', () => {
    const perDay = new Map<string, { visits: number; withPurchase: number; customers: Set<string> }>();
    const perCustomer = new Map<string, { visits: number; withPurchase: number }>();
    for (const v of reference.visits) {
      const day = perDay.get(`${v.locationId}|${v.day}`) ?? { visits: 0, withPurchase: 0, customers: new Set<string>() };
      day.visits += 1;
      day.withPurchase += v.withPurchase ? 1 : 0;
      day.customers.add(v.customerId);
      perDay.set(`${v.locationId}|${v.day}`, day);
      const c = perCustomer.get(v.customerId) ?? { visits: 0, withPurchase: 0 };
      c.visits += 1;
      c.withPurchase += v.withPurchase ? 1 : 0;
      perCustomer.set(v.customerId, c);
    }
    expect(reference.locationVisits.map((r) => [`${r.locationId}|${r.day}`, r.visits, r.visitsWithPurchase, r.distinctCustomers])).toEqual(
      [...perDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, d]) => [k, d.visits, d.withPurchase, d.customers.size]),
    );
    expect(reference.customerVisits.map((r) => [r.customerId, r.visits, r.visitsWithPurchase, r.visitsWithoutPurchase])).toEqual(
      [...perCustomer.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => [k, c.visits, c.withPurchase, c.visits - c.withPurchase]),
    );
    const payments = events.filter((e) => e.event.type === 'PaymentRecorded');
    expect(reference.locationPayments.reduce((n, r) => n + r.payments, 0)).toBe(payments.length);
    expect(reference.locationPayments.reduce((n, r) => n + r.revenueMinor, 0)).toBe(
      payments.reduce((n, e) => n + (e.event.type === 'PaymentRecorded' ? e.event.data.amountMinor : 0), 0),
    );
  });

  it('gives the same tables when an already-projected stretch of the log is delivered again later', () => {
    // E.g. a batch re-read after its commit was acknowledged but before the reader saw the new checkpoint.
    const models = new MemoryReadModels().project(events, 25);
    models.project(events.slice(0, 120), 25);
    expect(models.dump()).toEqual(reference);
  });
});

describe('the generated histories, all seeds together', () => {
  const runs = SEEDS.map((seed) => {
    const events = projectedSequence(runScenario({ seed, customers: 8, steps: 220 }).commands);
    return { events, tables: projected(events) };
  });

  it('have reversals written off, earnings and activations that pay a debt first, and location days with refunds only', () => {
    const types = runs.flatMap((r) => r.events.map((e) => e.event));
    expect(types.some((e) => (e.type === 'PaymentRefunded' || e.type === 'CashbackReversed') && e.data.writtenOff > 0)).toBe(true);
    const afterOwing = (type: string) =>
      runs.some(({ tables }) =>
        tables.timeline.some(
          (t, i) =>
            t.type === type &&
            t.pointsDelta > 0 &&
            tables.timeline
              .slice(0, i)
              .filter((u) => u.customerId === t.customerId)
              .at(-1)!.owedAfter > 0,
        ),
      );
    expect(afterOwing('PointsActivated')).toBe(true);
    expect(afterOwing('PaymentRecorded')).toBe(true);
    expect(runs.some(({ tables }) => tables.lots.some((l) => l.remaining < l.points && l.activatesAt === null))).toBe(true);
    expect(runs.some(({ tables }) => tables.locationPayments.some((p) => p.payments === 0 && p.refunds > 0))).toBe(true);
  });

  it('have expiries of pending points and of available points, and lots whose pending points expired at the instant they were due', () => {
    const types = runs.flatMap((r) => r.events.map((e) => e.event));
    expect(types.some((e) => e.type === 'PointsExpired' && e.data.pending)).toBe(true);
    expect(types.some((e) => e.type === 'PointsExpired' && !e.data.pending)).toBe(true);
    expect(runs.some(({ tables }) => tables.lots.some((l) => l.expired > 0 && l.activatesAt !== null && l.activatesAt === l.expiresAt))).toBe(true);
  });

  it('have spends that took a lot expiring sooner before one earned earlier that never expires (spending order by expiry)', () => {
    const expiryFirst = runs.some(({ events, tables }) =>
      events.some(({ event }) => {
        if (event.type !== 'PointsAdjusted' || event.data.lots === undefined || event.data.lots.length === 0) return false;
        const lotOf = (lotId: string) => tables.lots.find((l) => l.customerId === event.data.customerId && l.lotId === lotId)!;
        const first = lotOf(event.data.lots[0]!.lotId);
        return (
          first.expiresAt !== null &&
          tables.lots.some(
            (l) =>
              l.customerId === event.data.customerId &&
              l.expiresAt === null &&
              l.activatesAt === null &&
              l.earnedAt < first.earnedAt &&
              l.points > 0 &&
              l.position > first.position,
          )
        );
      }),
    );
    expect(expiryFirst).toBe(true);
  });
});
