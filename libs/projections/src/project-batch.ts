import { lotsMoved, type CustomerEvent } from '#ledger-domain/customer/customer';
import type { PaymentRecorded } from '#ledger-domain/customer/record-payment';
import type { VisitCreated } from '#ledger-domain/customer/record-visit';
import type { PaymentRefunded } from '#ledger-domain/customer/refund-payment';
import type { TierChanged } from '#ledger-domain/customer/evaluate-tier';
import type { ProgramConfigured } from '#ledger-domain/program/program';
import { evolveAchievements, type CustomerAchievements } from './customer-achievements.projection';
import { dayIn } from '#ledger-domain/shared/calendar';
import { evolveBalance, netAvailable, type CustomerBalance } from './customer-balances.projection';
import { timelineEntry, type TimelineEntry } from './customer-timeline.projection';
import { evolveCustomerTier, tierChangeRow, type CustomerTier, type TierChangeRow } from './customer-tiers.projection';
import { lotChanges, lotKey, type CustomerLots, type LotMovement, type PointsLot } from './points-lots.projection';
import type { LedgerEvent, Projected } from './projected-event';
import {
  countLocationPayment,
  countLocationPurchaseOnVisit,
  countLocationRefund,
  countLocationVisit,
  countPurchaseOnVisit,
  countVisit,
  newVisit,
  visitPurchased,
  type CustomerVisitStats,
  type LocationDayPayments,
  type LocationDayVisits,
  type VisitRow,
} from './visit-reports.projection';

/**
 * `program_settings`: one row per program version, with the position that recorded it. Every
 * event takes its day boundaries from the version in force at its own position, so projecting
 * an event gives the same rows however late, or how often, it is delivered.
 */
export interface ProgramRow {
  readonly programId: string;
  readonly version: number;
  readonly currency: string;
  readonly timezone: string;
  readonly position: bigint;
}

/**
 * Every read-model row one batch of events touches, keyed. The projector loads the rows for a
 * batch's keys, `projectBatch` computes their new versions in memory, and the projector writes
 * back what changed, with the checkpoint, in one transaction. Pure: no I/O, inputs untouched.
 */
export interface ReadModelRows {
  /** Program versions, in position order. */
  readonly programs: readonly ProgramRow[];
  readonly balances: ReadonlyMap<string, CustomerBalance>;
  readonly achievements: ReadonlyMap<string, CustomerAchievements>;
  readonly visits: ReadonlyMap<string, VisitRow>;
  readonly customerVisits: ReadonlyMap<string, CustomerVisitStats>;
  readonly locationVisits: ReadonlyMap<string, LocationDayVisits>;
  readonly locationPayments: ReadonlyMap<string, LocationDayPayments>;
  /** (location, day, customer) triples already counted as distinct customers. */
  readonly locationCustomers: ReadonlySet<string>;
  /** Lots by `lotKey(customer, lot)`: those the batch names, and every open lot of a customer whose spend names none. */
  readonly lots: ReadonlyMap<string, PointsLot>;
  /** `customer_tiers` rows of the customers whose tier the batch changes. */
  readonly tiers: ReadonlyMap<string, CustomerTier>;
}

export interface BatchResult {
  readonly rows: ReadModelRows;
  /** Keys of rows created or changed by the batch, per table. */
  readonly changed: {
    /** Program versions not stored yet. */
    readonly programs: readonly ProgramRow[];
    readonly balances: ReadonlySet<string>;
    readonly achievements: ReadonlySet<string>;
    readonly visits: ReadonlySet<string>;
    readonly customerVisits: ReadonlySet<string>;
    readonly locationVisits: ReadonlySet<string>;
    readonly locationPayments: ReadonlySet<string>;
    readonly locationCustomers: ReadonlySet<string>;
    readonly lots: ReadonlySet<string>;
    readonly tiers: ReadonlySet<string>;
  };
  readonly timeline: readonly TimelineEntry[];
  /** `points_movements` rows of the batch's new events (insert-only, like the timeline). */
  readonly movements: readonly LotMovement[];
  /** `tier_changes` rows of the batch's new events (insert-only, like the timeline). */
  readonly tierChanges: readonly TierChangeRow[];
}

export const locationDayKey = (locationId: string, day: string) => `${locationId}\u0000${day}`;
export const locationPaymentKey = (locationId: string, day: string, currency: string) => `${locationId}\u0000${day}\u0000${currency}`;
export const locationCustomerKey = (locationId: string, day: string, customerId: string) => `${locationId}\u0000${day}\u0000${customerId}`;

/** Program timezone until the first ProgramConfigured is seen (the program's default). */
export const DEFAULT_TIMEZONE = 'UTC';

export const emptyRows = (): ReadModelRows => ({
  programs: [],
  balances: new Map(),
  achievements: new Map(),
  visits: new Map(),
  customerVisits: new Map(),
  locationVisits: new Map(),
  locationPayments: new Map(),
  locationCustomers: new Set(),
  lots: new Map(),
  tiers: new Map(),
});

/** The keys whose rows must be loaded before `projectBatch` (first the ones known from the events alone). */
export interface BatchKeys {
  readonly customers: ReadonlySet<string>;
  readonly visits: ReadonlySet<string>;
  /** Lots the events draw from, activate or void (`lotKey`). */
  readonly lots: ReadonlySet<string>;
  /** Customers with a spend recorded without its draws (from before lots existed): all their open lots. */
  readonly lotOwners: ReadonlySet<string>;
  /** Customers whose tier changes: their `customer_tiers` row. */
  readonly tierOwners: ReadonlySet<string>;
}

export function keysOf(events: readonly Projected<LedgerEvent>[]): BatchKeys {
  const customers = new Set<string>();
  const visits = new Set<string>();
  const lots = new Set<string>();
  const lotOwners = new Set<string>();
  const tierOwners = new Set<string>();
  for (const { event } of events) {
    if (event.type === 'ProgramConfigured') continue;
    const customerId = event.data.customerId;
    customers.add(customerId);
    if (event.type === 'VisitCreated') visits.add(event.data.visitId);
    if (event.type === 'PaymentRecorded' && event.data.visitId !== undefined) visits.add(event.data.visitId);
    if (event.type === 'PointsAdjusted' && event.data.points < 0 && event.data.lots === undefined) lotOwners.add(customerId);
    if (event.type === 'TierChanged') tierOwners.add(customerId);
    for (const draw of lotsMoved(event)) lots.add(lotKey(customerId, draw.lotId));
  }
  return { customers, visits, lots, lotOwners, tierOwners };
}

/**
 * The location keys, known once the program and the referenced visits are loaded: the day of
 * an event depends on the timezone in effect when it is projected.
 */
export function locationKeysOf(
  events: readonly Projected<LedgerEvent>[],
  programs: readonly ProgramRow[],
  visits: ReadonlyMap<string, VisitRow>,
): { locationVisits: Set<string>; locationPayments: Set<string>; locationCustomers: Set<string> } {
  let history = programs;
  const locationVisits = new Set<string>();
  const locationPayments = new Set<string>();
  const locationCustomers = new Set<string>();
  for (const projected of events) {
    const { event } = projected;
    const timezone = timezoneAt(history, projected.position);
    if (event.type === 'ProgramConfigured') history = withProgram(history, projected as Projected<ProgramConfigured>);
    else if (event.type === 'VisitCreated') {
      const day = dayIn(timezone, event.data.occurredAt);
      locationVisits.add(locationDayKey(event.data.locationId, day));
      locationCustomers.add(locationCustomerKey(event.data.locationId, day, event.data.customerId));
    } else if (event.type === 'PaymentRecorded') {
      locationPayments.add(locationPaymentKey(event.data.locationId, dayIn(timezone, event.data.occurredAt), event.data.currency));
      const visit = event.data.visitId === undefined ? undefined : visits.get(event.data.visitId);
      if (visit !== undefined) locationVisits.add(locationDayKey(visit.locationId, visit.day));
    } else if (event.type === 'PaymentRefunded') {
      locationPayments.add(locationPaymentKey(event.data.locationId, dayIn(timezone, event.data.occurredAt), event.data.currency));
    }
  }
  return { locationVisits, locationPayments, locationCustomers };
}

/** Applies a batch of events, in order, to the rows it touches. */
export function projectBatch(loaded: ReadModelRows, events: readonly Projected<LedgerEvent>[]): BatchResult {
  let programs = loaded.programs;
  const newPrograms: ProgramRow[] = [];
  const balances = new Map(loaded.balances);
  const achievements = new Map(loaded.achievements);
  const visits = new Map(loaded.visits);
  const customerVisits = new Map(loaded.customerVisits);
  const locationVisits = new Map(loaded.locationVisits);
  const locationPayments = new Map(loaded.locationPayments);
  const locationCustomers = new Set(loaded.locationCustomers);
  const lots = new Map(loaded.lots);
  const tiers = new Map(loaded.tiers);
  // Each customer's lot keys, for spends recorded without their draws (all open lots of the customer).
  const lotKeysOf = new Map<string, Set<string>>();
  const indexLot = (customerId: string, key: string) => {
    let keys = lotKeysOf.get(customerId);
    if (keys === undefined) lotKeysOf.set(customerId, (keys = new Set()));
    keys.add(key);
  };
  for (const [key, lot] of lots) indexLot(lot.customerId, key);
  const changed = {
    balances: new Set<string>(),
    achievements: new Set<string>(),
    visits: new Set<string>(),
    customerVisits: new Set<string>(),
    locationVisits: new Set<string>(),
    locationPayments: new Set<string>(),
    locationCustomers: new Set<string>(),
    lots: new Set<string>(),
    tiers: new Set<string>(),
  };
  const timeline: TimelineEntry[] = [];
  const movements: LotMovement[] = [];
  const tierChanges: TierChangeRow[] = [];
  const lotsOf = (customerId: string): CustomerLots => ({
    open: (lotId) => {
      const lot = lots.get(lotKey(customerId, lotId));
      return lot !== undefined && lot.remaining > 0 ? lot : undefined;
    },
    allOpen: () => [...(lotKeysOf.get(customerId) ?? [])].map((key) => lots.get(key)!).filter((lot) => lot.remaining > 0),
  });
  const put = <R>(map: Map<string, R>, dirty: Set<string>, key: string, before: R | undefined, after: R | undefined) => {
    if (after === undefined || after === before) return;
    map.set(key, after);
    dirty.add(key);
  };

  for (const projected of events) {
    const { event } = projected;
    if (event.type === 'ProgramConfigured') {
      const next = withProgram(programs, projected as Projected<ProgramConfigured>);
      if (next !== programs) newPrograms.push(next.find((p) => p.position === projected.position)!);
      programs = next;
      continue;
    }
    const customerProjected = projected as Projected<CustomerEvent>;
    const customerId = event.data.customerId;
    const timezone = timezoneAt(programs, projected.position);

    // Balances, timeline, lots and tier changes: the balance row's position guards them all (one transaction writes them).
    const balanceBefore = balances.get(customerId);
    const balanceAfter = evolveBalance(balanceBefore, customerProjected);
    if (balanceAfter !== undefined && balanceAfter !== balanceBefore) {
      put(balances, changed.balances, customerId, balanceBefore, balanceAfter);
      timeline.push(timelineEntry(customerProjected, balanceAfter));
      if (balanceBefore !== undefined) {
        const changes = lotChanges(lotsOf(customerId), customerProjected, netAvailable(balanceBefore), timezone);
        for (const lot of changes.lots) {
          const key = lotKey(customerId, lot.lotId);
          put(lots, changed.lots, key, lots.get(key), lot);
          indexLot(customerId, key);
        }
        movements.push(...changes.movements);
      }
      if (event.type === 'TierChanged') {
        const tierProjected = projected as Projected<TierChanged>;
        tierChanges.push(tierChangeRow(tierProjected, timezone));
        put(tiers, changed.tiers, customerId, tiers.get(customerId), evolveCustomerTier(tiers.get(customerId), tierProjected));
      }
    }
    const achievementsBefore = achievements.get(customerId);
    put(achievements, changed.achievements, customerId, achievementsBefore, evolveAchievements(achievementsBefore, customerProjected));

    // Visits and their aggregates.
    if (event.type === 'VisitCreated') {
      const visitProjected = projected as Projected<VisitCreated>;
      if (visits.has(event.data.visitId)) continue; // already projected: a repeated delivery
      const visit = newVisit(visitProjected, dayIn(timezone, event.data.occurredAt));
      put(visits, changed.visits, visit.visitId, undefined, visit);
      put(customerVisits, changed.customerVisits, customerId, customerVisits.get(customerId), countVisit(customerVisits.get(customerId), visit, projected));
      const memberKey = locationCustomerKey(visit.locationId, visit.day, customerId);
      const firstThatDay = !locationCustomers.has(memberKey);
      if (firstThatDay) {
        locationCustomers.add(memberKey);
        changed.locationCustomers.add(memberKey);
      }
      const dayKey = locationDayKey(visit.locationId, visit.day);
      put(
        locationVisits,
        changed.locationVisits,
        dayKey,
        locationVisits.get(dayKey),
        countLocationVisit(locationVisits.get(dayKey), visit, firstThatDay, projected),
      );
    } else if (event.type === 'PaymentRecorded') {
      const paymentProjected = projected as Projected<PaymentRecorded>;
      const payKey = locationPaymentKey(event.data.locationId, dayIn(timezone, event.data.occurredAt), event.data.currency);
      put(
        locationPayments,
        changed.locationPayments,
        payKey,
        locationPayments.get(payKey),
        countLocationPayment(locationPayments.get(payKey), paymentProjected, dayIn(timezone, event.data.occurredAt)),
      );
      const visit = event.data.visitId === undefined ? undefined : visits.get(event.data.visitId);
      if (visit !== undefined && !visit.withPurchase) {
        const purchased = visitPurchased(visit, paymentProjected);
        if (purchased !== visit) {
          put(visits, changed.visits, visit.visitId, visit, purchased);
          const stats = customerVisits.get(visit.customerId);
          if (stats !== undefined) put(customerVisits, changed.customerVisits, visit.customerId, stats, countPurchaseOnVisit(stats, projected));
          const dayKey = locationDayKey(visit.locationId, visit.day);
          const dayRow = locationVisits.get(dayKey);
          if (dayRow !== undefined) put(locationVisits, changed.locationVisits, dayKey, dayRow, countLocationPurchaseOnVisit(dayRow, projected));
        }
      }
    } else if (event.type === 'PaymentRefunded') {
      // On the refund's own day, at the payment's location.
      const day = dayIn(timezone, event.data.occurredAt);
      const payKey = locationPaymentKey(event.data.locationId, day, event.data.currency);
      const before = locationPayments.get(payKey);
      put(locationPayments, changed.locationPayments, payKey, before, countLocationRefund(before, projected as Projected<PaymentRefunded>, day));
    }
  }

  return {
    rows: { programs, balances, achievements, visits, customerVisits, locationVisits, locationPayments, locationCustomers, lots, tiers },
    changed: { programs: newPrograms, ...changed },
    timeline,
    movements,
    tierChanges,
  };
}

/** The program timezone in force for an event at `position`: set by the last version recorded before it. */
export function timezoneAt(programs: readonly ProgramRow[], position: bigint): string {
  for (let i = programs.length - 1; i >= 0; i--) {
    if (programs[i]!.position < position) return programs[i]!.timezone;
  }
  return DEFAULT_TIMEZONE;
}

/** The history with this version in it (unchanged when it is there already: a repeated delivery). */
function withProgram(programs: readonly ProgramRow[], projected: Projected<ProgramConfigured>): readonly ProgramRow[] {
  if (programs.some((p) => p.position === projected.position)) return programs;
  const d = projected.event.data;
  const row: ProgramRow = { programId: d.programId, version: d.version, currency: d.currency, timezone: d.timezone, position: projected.position };
  return [...programs, row].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}
