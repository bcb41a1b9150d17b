import type { CustomerEvent } from '#ledger-domain/customer/customer';
import type { PointsAdjusted } from '#ledger-domain/customer/adjust-points';
import type { CustomerEnrolled } from '#ledger-domain/customer/enrol-customer';
import type { PaymentRecorded } from '#ledger-domain/customer/record-payment';
import type { VisitCreated } from '#ledger-domain/customer/record-visit';
import type { ProgramConfigured } from '#ledger-domain/program/program';
import type { CustomerAchievements } from '../customer-achievements.projection';
import type { CustomerBalance } from '../customer-balances.projection';
import type { TimelineEntry } from '../customer-timeline.projection';
import type { ProgramRow } from '../project-batch';
import type { LedgerEvent, Projected } from '../projected-event';
import type { CustomerVisitStats, LocationDayPayments, LocationDayVisits, VisitRow } from '../visit-reports.projection';

/**
 * The test oracle for the read models: what every table must hold after a log, worked out
 * from the whole log at once, table by table, as docs/read-models.md defines the columns
 * (sums, counts, minimum and maximum over the events, days from Intl in the timezone of the
 * version in force at the event's position). It shares no code with the projections (no
 * evolve, no `dayIn`, no position guards, no row mappers), so a slip in those shows up as a
 * difference instead of being copied into the expected result. Slow on purpose (quadratic
 * lookups): it is for histories of hundreds of events.
 *
 * "position" of a row, per the docs: the last event that changed the row.
 */
export interface ExpectedReadModels {
  readonly programs: readonly ProgramRow[];
  readonly balances: readonly CustomerBalance[];
  readonly achievements: readonly CustomerAchievements[];
  readonly timeline: readonly TimelineEntry[];
  readonly visits: readonly VisitRow[];
  readonly customerVisits: readonly CustomerVisitStats[];
  readonly locationVisits: readonly LocationDayVisits[];
  readonly locationPayments: readonly LocationDayPayments[];
  readonly locationCustomers: readonly { readonly locationId: string; readonly day: string; readonly customerId: string }[];
}

type At<Ev> = Projected<Ev>;

/** Plain addition; `0 - sum(…)` rather than `-sum(…)` below, which would make -0 of nothing. */
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const max = <T extends string | bigint>(values: readonly T[]): T | null => (values.length === 0 ? null : values.reduce((a, b) => (b > a ? b : a)));
const min = (values: readonly string[]): string | null => (values.length === 0 ? null : values.reduce((a, b) => (b < a ? b : a)));

/** YYYY-MM-DD of an instant on the wall calendar of `timeZone`, straight from Intl. */
function calendarDay(timeZone: string, instant: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function expectedReadModels(log: readonly Projected<LedgerEvent>[]): ExpectedReadModels {
  const byPosition = [...log].sort((a, b) => (a.position < b.position ? -1 : 1));
  const programEvents = byPosition.filter((p): p is At<ProgramConfigured> => p.event.type === 'ProgramConfigured');
  const customerEvents = byPosition.filter((p): p is At<CustomerEvent> => p.event.type !== 'ProgramConfigured');
  const visitEvents = customerEvents.filter((p): p is At<VisitCreated> => p.event.type === 'VisitCreated');
  const paymentEvents = customerEvents.filter((p): p is At<PaymentRecorded> => p.event.type === 'PaymentRecorded');
  const adjustmentEvents = customerEvents.filter((p): p is At<PointsAdjusted> => p.event.type === 'PointsAdjusted');

  // The day of an event: in the timezone of the last program version recorded before it (UTC before any).
  const dayAt = (position: bigint, instant: string): string => {
    const inForce = programEvents.filter((p) => p.position < position).at(-1);
    return calendarDay(inForce?.event.data.timezone ?? 'UTC', instant);
  };

  const programs: ProgramRow[] = programEvents.map(({ event, position }) => ({
    programId: event.data.programId,
    version: event.data.version,
    currency: event.data.currency,
    timezone: event.data.timezone,
    position,
  }));

  const enrolments = customerEvents.filter((p): p is At<CustomerEnrolled> => p.event.type === 'CustomerEnrolled');
  const customerIds = enrolments.map((p) => p.event.data.customerId).sort();
  const of = <Ev extends CustomerEvent>(events: readonly At<Ev>[], customerId: string) => events.filter((p) => p.event.data.customerId === customerId);
  const adjustmentsOf = (customerId: string, kinds: readonly PointsAdjusted['data']['kind'][]) =>
    of(adjustmentEvents, customerId)
      .filter((p) => kinds.includes(p.event.data.kind))
      .map((p) => p.event.data.points);

  const balances: CustomerBalance[] = customerIds.map((customerId) => {
    const payments = of(paymentEvents, customerId).map((p) => p.event.data.points);
    const manual = adjustmentsOf(customerId, ['manual']);
    const activity = [...of(visitEvents, customerId), ...of(paymentEvents, customerId), ...of(adjustmentEvents, customerId)].map(
      (p) => p.event.data.occurredAt,
    );
    return {
      customerId,
      available: sum(payments) + sum(of(adjustmentEvents, customerId).map((p) => p.event.data.points)),
      pending: 0,
      lifetimeEarned: sum(payments) + sum(adjustmentsOf(customerId, ['reward', 'cashback'])),
      lifetimeRedeemed: 0 - sum(adjustmentsOf(customerId, ['redemption'])),
      adjustedIn: sum(manual.filter((p) => p > 0)),
      adjustedOut: 0 - sum(manual.filter((p) => p < 0)),
      visitCount: of(visitEvents, customerId).length,
      purchaseCount: payments.length,
      lastActivityAt: max(activity),
      enrolledAt: of(enrolments, customerId)[0]!.event.data.enrolledAt,
      position: max(of(customerEvents, customerId).map((p) => p.position))!,
    };
  });

  const achievements: CustomerAchievements[] = customerIds.map((customerId) => {
    const rewards = of(adjustmentEvents, customerId).filter((p) => p.event.data.kind === 'reward');
    return {
      customerId,
      visits: of(visitEvents, customerId).length,
      level: rewards.length,
      rewardPoints: sum(rewards.map((p) => p.event.data.points)),
      lastVisitAt: max(of(visitEvents, customerId).map((p) => p.event.data.occurredAt)),
      lastRewardAt: max(rewards.map((p) => p.event.data.occurredAt)),
      position: max(of(customerEvents, customerId).map((p) => p.position))!,
    };
  });

  // One entry per customer event, with the running sum of the points moved so far.
  const timeline: TimelineEntry[] = customerEvents.map((p) => {
    const { event } = p;
    const customerId = event.data.customerId;
    const moved = (q: At<CustomerEvent>) => (q.event.type === 'PaymentRecorded' || q.event.type === 'PointsAdjusted' ? q.event.data.points : 0);
    const common = {
      eventId: p.eventId,
      customerId,
      position: p.position,
      type: event.type,
      recordedAt: p.recordedAt,
      actor: p.actor,
      pointsDelta: moved(p),
      balanceAfter: sum(
        of(customerEvents, customerId)
          .filter((q) => q.position <= p.position)
          .map(moved),
      ),
    };
    const none = { locationId: null, amountMinor: null, currency: null };
    switch (event.type) {
      case 'CustomerEnrolled':
        return { ...common, ...none, kind: null, occurredAt: event.data.enrolledAt, reason: null, reference: null, subjectId: customerId };
      case 'VisitCreated': {
        const d = event.data;
        return {
          ...common,
          ...none,
          kind: d.kind,
          occurredAt: d.occurredAt,
          locationId: d.locationId,
          reason: d.notes ?? null,
          reference: d.paymentId ?? null,
          subjectId: d.visitId,
        };
      }
      case 'PaymentRecorded': {
        const d = event.data;
        return {
          ...common,
          kind: d.source,
          occurredAt: d.occurredAt,
          locationId: d.locationId,
          amountMinor: d.amountMinor,
          currency: d.currency,
          reason: null,
          reference: d.purchaseIdentifier,
          subjectId: d.paymentId,
        };
      }
      case 'PointsAdjusted': {
        const d = event.data;
        return {
          ...common,
          ...none,
          kind: d.kind,
          occurredAt: d.occurredAt,
          reason: d.reason ?? null,
          reference: d.reference ?? null,
          subjectId: d.adjustmentId,
        };
      }
      default:
        // Refunds, reversals, activations and voids: not in the generated scenarios yet.
        throw new Error(`the read-model oracle does not model ${event.type} yet`);
    }
  });

  // A visit is with a purchase when a store payment created it (kind purchase, naming the payment)
  // or a later payment names it; the row last changed when the first such later payment came.
  const visits: VisitRow[] = visitEvents.map(({ event, position }) => {
    const d = event.data;
    const bornPaid = d.kind === 'purchase' || d.paymentId !== undefined;
    const laterPayment = paymentEvents.find((p) => p.event.data.visitId === d.visitId && p.position > position);
    return {
      visitId: d.visitId,
      customerId: d.customerId,
      locationId: d.locationId,
      occurredAt: d.occurredAt,
      day: dayAt(position, d.occurredAt),
      kind: d.kind,
      source: d.source,
      withPurchase: bornPaid || laterPayment !== undefined,
      position: bornPaid || laterPayment === undefined ? position : laterPayment.position,
    };
  });

  const customerVisits: CustomerVisitStats[] = [...new Set(visits.map((v) => v.customerId))].map((customerId) => {
    const mine = visits.filter((v) => v.customerId === customerId);
    const withPurchase = mine.filter((v) => v.withPurchase).length;
    return {
      customerId,
      visits: mine.length,
      visitsWithPurchase: withPurchase,
      visitsWithoutPurchase: mine.length - withPurchase,
      firstVisitAt: min(mine.map((v) => v.occurredAt))!,
      lastVisitAt: max(mine.map((v) => v.occurredAt))!,
      position: max(mine.map((v) => v.position))!,
    };
  });

  const locationDays = [...new Set(visits.map((v) => JSON.stringify([v.locationId, v.day])))].map((key) => JSON.parse(key) as [string, string]);
  const locationVisits: LocationDayVisits[] = locationDays.map(([locationId, day]) => {
    const those = visits.filter((v) => v.locationId === locationId && v.day === day);
    return {
      locationId,
      day,
      visits: those.length,
      visitsWithPurchase: those.filter((v) => v.withPurchase).length,
      distinctCustomers: new Set(those.map((v) => v.customerId)).size,
      position: max(those.map((v) => v.position))!,
    };
  });
  const locationCustomers = [...new Set(visits.map((v) => JSON.stringify([v.locationId, v.day, v.customerId])))].map((key) => {
    const [locationId, day, customerId] = JSON.parse(key) as [string, string, string];
    return { locationId, day, customerId };
  });

  const paymentsWithDay = paymentEvents.map((p) => ({ ...p.event.data, day: dayAt(p.position, p.event.data.occurredAt), position: p.position }));
  const paymentKeys = [...new Set(paymentsWithDay.map((p) => JSON.stringify([p.locationId, p.day, p.currency])))].map(
    (key) => JSON.parse(key) as [string, string, string],
  );
  const locationPayments: LocationDayPayments[] = paymentKeys.map(([locationId, day, currency]) => {
    const those = paymentsWithDay.filter((p) => p.locationId === locationId && p.day === day && p.currency === currency);
    return {
      locationId,
      day,
      currency,
      payments: those.length,
      revenueMinor: sum(those.map((p) => p.amountMinor)),
      pointsEarned: sum(those.map((p) => p.points)),
      position: max(those.map((p) => p.position))!,
    };
  });

  return { programs, balances, achievements, timeline, visits, customerVisits, locationVisits, locationPayments, locationCustomers };
}
