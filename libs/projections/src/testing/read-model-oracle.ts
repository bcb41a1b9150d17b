import type { CustomerEvent } from '#ledger-domain/customer/customer';
import type { PointsAdjusted } from '#ledger-domain/customer/adjust-points';
import type { CustomerEnrolled } from '#ledger-domain/customer/enrol-customer';
import type { PaymentRecorded } from '#ledger-domain/customer/record-payment';
import type { VisitCreated } from '#ledger-domain/customer/record-visit';
import type { CashbackReversed, PaymentRefunded } from '#ledger-domain/customer/refund-payment';
import type { PointsVoided } from '#ledger-domain/customer/void-points';
import type { PointsExpired } from '#ledger-domain/customer/expire-points';
import type { TierChanged } from '#ledger-domain/customer/evaluate-tier';
import type { ProgramConfigured } from '#ledger-domain/program/program';
import type { CustomerAchievements } from '../customer-achievements.projection';
import type { CustomerBalance } from '../customer-balances.projection';
import type { TimelineEntry } from '../customer-timeline.projection';
import type { CustomerTier, TierChangeRow } from '../customer-tiers.projection';
import type { ProgramRow } from '../project-batch';
import type { LotMovement, MovementKind, PointsLot } from '../points-lots.projection';
import type { LedgerEvent, Projected } from '../projected-event';
import type { CustomerVisitStats, LocationDayPayments, LocationDayVisits, VisitRow } from '../visit-reports.projection';

/**
 * The test oracle for the read models: what every table must hold after a log, worked out
 * from the whole log at once, table by table, as docs/read-models.md defines the columns
 * (sums, counts, minimum and maximum over the events, days from Intl in the timezone of the
 * version in force at the event's position, running sums for balances after an entry, a lot's
 * remaining points as its points less what the events took from it). It shares no code with the
 * projections or the domain's fold (no evolve, no `balanceEffect`, no lot helpers, no `dayIn`,
 * no position guards, no row mappers), so a slip in those shows up as a difference instead of
 * being copied into the expected result. Slow on purpose (quadratic lookups): it is for
 * histories of hundreds of events.
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
  readonly lots: readonly PointsLot[];
  /** In log order: by position, then `seq`. */
  readonly movements: readonly LotMovement[];
  /** By customer. */
  readonly tiers: readonly CustomerTier[];
  /** In log order. */
  readonly tierChanges: readonly TierChangeRow[];
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

  // The balances, as docs/read-models.md defines an entry's effect: `points_delta` on the net
  // available balance (available − owed), `pending_delta` on the pending one.
  const moves = customerEvents.map((p) => ({ at: p, ...movement(p.event) }));
  const movesOf = (customerId: string, upTo?: bigint) =>
    moves.filter((m) => m.at.event.data.customerId === customerId && (upTo === undefined || m.at.position <= upTo));
  const netOf = (customerId: string, upTo?: bigint) => sum(movesOf(customerId, upTo).map((m) => m.net));
  const pendingOf = (customerId: string, upTo?: bigint) => sum(movesOf(customerId, upTo).map((m) => m.pending));
  const refundEvents = customerEvents.filter((p): p is At<PaymentRefunded> => p.event.type === 'PaymentRefunded');
  const reversalEvents = customerEvents.filter(
    (p): p is At<PaymentRefunded | CashbackReversed> => p.event.type === 'PaymentRefunded' || p.event.type === 'CashbackReversed',
  );
  const voidEvents = customerEvents.filter((p): p is At<PointsVoided> => p.event.type === 'PointsVoided');
  const expiryEvents = customerEvents.filter((p): p is At<PointsExpired> => p.event.type === 'PointsExpired');

  const balances: CustomerBalance[] = customerIds.map((customerId) => {
    const payments = of(paymentEvents, customerId).map((p) => p.event.data.points);
    const manual = adjustmentsOf(customerId, ['manual', 'opening']);
    const activity = [
      ...of(visitEvents, customerId),
      ...of(paymentEvents, customerId),
      ...of(adjustmentEvents, customerId),
      ...of(refundEvents, customerId),
    ].map((p) => p.event.data.occurredAt);
    const net = netOf(customerId);
    return {
      customerId,
      available: Math.max(0, net),
      pending: pendingOf(customerId),
      owed: Math.max(0, 0 - net),
      lifetimeEarned: sum(payments) + sum(adjustmentsOf(customerId, ['reward', 'cashback', 'earned'])),
      lifetimeRedeemed: 0 - sum(adjustmentsOf(customerId, ['redemption'])),
      adjustedIn: sum(manual.filter((p) => p > 0)),
      adjustedOut: 0 - sum(manual.filter((p) => p < 0)),
      lifetimeReversed:
        sum(of(reversalEvents, customerId).map((p) => p.event.data.pointsReversed)) + sum(of(voidEvents, customerId).map((p) => p.event.data.points)),
      lifetimeWrittenOff: sum(of(reversalEvents, customerId).map((p) => p.event.data.writtenOff)),
      lifetimeExpired: sum(of(expiryEvents, customerId).map((p) => p.event.data.points)),
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

  // One entry per customer event, with the running sums of the balances' moves so far.
  const timeline: TimelineEntry[] = moves.map(({ at: p, net: pointsDelta, pending: pendingDelta }) => {
    const { event } = p;
    const customerId = event.data.customerId;
    const netAfter = netOf(customerId, p.position);
    const common = {
      eventId: p.eventId,
      customerId,
      position: p.position,
      type: event.type,
      recordedAt: p.recordedAt,
      actor: p.actor,
      pointsDelta,
      balanceAfter: Math.max(0, netAfter),
      pendingDelta,
      pendingAfter: pendingOf(customerId, p.position),
      owedAfter: Math.max(0, 0 - netAfter),
    };
    // What an entry of this kind says; the columns it does not name are null.
    const entry = (
      says: Pick<TimelineEntry, 'kind' | 'occurredAt' | 'subjectId'> &
        Partial<Pick<TimelineEntry, 'locationId' | 'amountMinor' | 'currency' | 'reason' | 'reference'>>,
    ): TimelineEntry => ({ ...common, locationId: null, amountMinor: null, currency: null, reason: null, reference: null, ...says });
    switch (event.type) {
      case 'CustomerEnrolled':
        return entry({ kind: null, occurredAt: event.data.enrolledAt, subjectId: customerId });
      case 'VisitCreated': {
        const d = event.data;
        return entry({
          kind: d.kind,
          occurredAt: d.occurredAt,
          locationId: d.locationId,
          reason: d.notes ?? null,
          reference: d.paymentId ?? null,
          subjectId: d.visitId,
        });
      }
      case 'PaymentRecorded': {
        const d = event.data;
        return entry({
          kind: d.source,
          occurredAt: d.occurredAt,
          locationId: d.locationId,
          amountMinor: d.amountMinor,
          currency: d.currency,
          reference: d.purchaseIdentifier,
          subjectId: d.paymentId,
        });
      }
      case 'PointsAdjusted': {
        const d = event.data;
        return entry({ kind: d.kind, occurredAt: d.occurredAt, reason: d.reason ?? null, reference: d.reference ?? null, subjectId: d.adjustmentId });
      }
      case 'PaymentRefunded': {
        const d = event.data;
        return entry({
          kind: d.refundedBeforeMinor + d.amountMinor === d.paymentAmountMinor ? 'full' : 'partial',
          occurredAt: d.occurredAt,
          locationId: d.locationId,
          amountMinor: d.amountMinor,
          currency: d.currency,
          reason: d.reason ?? null,
          reference: d.refundIdentifier,
          subjectId: d.refundId,
        });
      }
      case 'CashbackReversed':
        return entry({ kind: null, occurredAt: event.data.occurredAt, reference: event.data.cashbackId, subjectId: event.data.reversalId });
      case 'PointsActivated': {
        const d = event.data;
        return entry({ kind: d.early ? 'early' : 'due', occurredAt: d.occurredAt, reason: d.reason ?? null, subjectId: d.paymentId });
      }
      case 'PointsVoided':
        return entry({ kind: null, occurredAt: event.data.occurredAt, reason: event.data.reason, subjectId: event.data.paymentId });
      case 'PointsExpired': {
        const d = event.data;
        return entry({ kind: d.pending ? 'pending' : null, occurredAt: d.occurredAt, subjectId: d.lotId });
      }
      case 'TierChanged': {
        const d = event.data;
        return entry({ kind: d.reason, occurredAt: d.occurredAt, reference: d.to, subjectId: d.customerId });
      }
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

  // Payments on the payment's day, refunds on the refund's own day: both at the payment's location, in its currency.
  const paymentsWithDay = paymentEvents.map((p) => ({ ...p.event.data, day: dayAt(p.position, p.event.data.occurredAt), position: p.position }));
  const refundsWithDay = refundEvents.map((p) => ({ ...p.event.data, day: dayAt(p.position, p.event.data.occurredAt), position: p.position }));
  const paymentKeys = [...new Set([...paymentsWithDay, ...refundsWithDay].map((p) => JSON.stringify([p.locationId, p.day, p.currency])))].map(
    (key) => JSON.parse(key) as [string, string, string],
  );
  const locationPayments: LocationDayPayments[] = paymentKeys.map(([locationId, day, currency]) => {
    const here = (p: { locationId: string; day: string; currency: string }) => p.locationId === locationId && p.day === day && p.currency === currency;
    const those = paymentsWithDay.filter(here);
    const refunds = refundsWithDay.filter(here);
    return {
      locationId,
      day,
      currency,
      payments: those.length,
      revenueMinor: sum(those.map((p) => p.amountMinor)),
      pointsEarned: sum(those.map((p) => p.points)),
      refunds: refunds.length,
      refundedMinor: sum(refunds.map((r) => r.amountMinor)),
      position: max([...those, ...refunds].map((p) => p.position))!,
    };
  });

  const perCustomer = customerIds.map((customerId) =>
    lotsOf(
      customerEvents.filter((p) => p.event.data.customerId === customerId),
      dayAt,
    ),
  );
  const lots = perCustomer.flatMap((c) => c.lots);
  const movements = perCustomer.flatMap((c) => c.movements).sort((a, b) => (a.position !== b.position ? (a.position < b.position ? -1 : 1) : a.seq - b.seq));

  // Tier changes: one row per TierChanged; up when the tier reached ranks above the one left in
  // the tier list of the program version the evaluation used (no tier ranks below every tier).
  const tierEvents = customerEvents.filter((p): p is At<TierChanged> => p.event.type === 'TierChanged');
  const rankIn = (version: number, tierId: string | null): number => {
    const list = programEvents.find((p) => p.event.data.version === version)?.event.data.tiers ?? [];
    return tierId === null ? -1 : list.findIndex((tier) => tier.tierId === tierId);
  };
  const tierChanges: TierChangeRow[] = tierEvents.map(({ event, position, recordedAt }) => ({
    position,
    customerId: event.data.customerId,
    fromTierId: event.data.from,
    toTierId: event.data.to,
    direction: rankIn(event.data.programVersion, event.data.to) > rankIn(event.data.programVersion, event.data.from) ? 'up' : 'down',
    reason: event.data.reason,
    qualifyingPoints: event.data.qualifyingPoints,
    occurredAt: event.data.occurredAt,
    recordedAt,
    day: dayAt(position, event.data.occurredAt),
  }));
  const tiers: CustomerTier[] = customerIds.flatMap((customerId) => {
    const last = tierChanges.filter((c) => c.customerId === customerId).at(-1);
    return last === undefined
      ? []
      : [{ customerId, tierId: last.toTierId, qualifyingPoints: last.qualifyingPoints, since: last.occurredAt, position: last.position }];
  });

  return {
    programs,
    balances,
    achievements,
    timeline,
    visits,
    customerVisits,
    locationVisits,
    locationPayments,
    locationCustomers,
    lots,
    movements,
    tiers,
    tierChanges,
  };
}

/**
 * An entry's effect on the balances, as the docs define `points_delta` (net available) and
 * `pending_delta`: earned points are pending when the event says until when, available
 * otherwise; an activation moves points from pending to available; a void cancels pending
 * points; of the points a reversal takes back, those taken while still pending leave the
 * pending balance, those written off were never taken, and the rest leave the available one
 * (drawn from lots or owed).
 */
function movement(event: CustomerEvent): { net: number; pending: number } {
  switch (event.type) {
    case 'PaymentRecorded':
      return event.data.activatesAt === undefined ? { net: event.data.points, pending: 0 } : { net: 0, pending: event.data.points };
    case 'PointsAdjusted':
      return event.data.points > 0 && event.data.activatesAt !== undefined ? { net: 0, pending: event.data.points } : { net: event.data.points, pending: 0 };
    case 'PaymentRefunded':
    case 'CashbackReversed': {
      const d = event.data;
      return { net: 0 - (d.pointsReversed - d.fromPending - d.writtenOff), pending: 0 - d.fromPending };
    }
    case 'PointsActivated':
      return { net: event.data.points, pending: 0 - event.data.points };
    case 'PointsVoided':
      return { net: 0, pending: 0 - event.data.points };
    case 'PointsExpired':
      return event.data.pending ? { net: 0, pending: 0 - event.data.points } : { net: 0 - event.data.points, pending: 0 };
    default:
      return { net: 0, pending: 0 };
  }
}

/**
 * One customer's `points_lots` and `points_movements`, as the docs define them: every earning
 * with points opens a lot (id: the payment, or the adjustment), expiring at the `expiresAt` it
 * recorded; `remaining` is its points less what later events took from it (as they record it: a
 * spend's, reversal's, void's or expiry's draws, a reversal's pending points from the reversed
 * earning's own lot; a spend recorded without draws took from the available lots with points
 * left, the earliest expiry first, those that never expire last, then the earliest `earned_at`,
 * then lot id) and less what paid the debt when it became available (at earning, or at
 * activation: while the net balance was below zero). Each of those changes is a movement row, in
 * the order the docs give (an earning, then what of it paid the debt; draws in recorded order,
 * one row per lot; an activation per lot: out of pending, into available, then what paid the debt).
 */
function lotsOf(events: readonly At<CustomerEvent>[], dayAt: (position: bigint, instant: string) => string): { lots: PointsLot[]; movements: LotMovement[] } {
  interface Working {
    lot: PointsLot;
    taken: number;
    expired: number;
  }
  const lots: Working[] = [];
  const movements: LotMovement[] = [];
  const left = (w: Working) => w.lot.points - w.taken;
  const find = (lotId: string) => lots.find((w) => w.lot.lotId === lotId && left(w) > 0);
  let net = 0;
  for (const p of events) {
    const { event, position } = p;
    const customerId = event.data.customerId;
    const occurredAt = event.type === 'CustomerEnrolled' ? event.data.enrolledAt : event.data.occurredAt;
    let seq = 0;
    const move = (w: Working, kind: MovementKind, pending: boolean, points: number) => {
      if (points === 0) return;
      movements.push({
        position,
        seq: seq++,
        customerId,
        lotId: w.lot.lotId,
        source: w.lot.source,
        kind,
        pending,
        points,
        occurredAt,
        recordedAt: p.recordedAt,
        day: dayAt(position, occurredAt),
        expiresAt: w.lot.expiresAt,
        lastValidDay: w.lot.lastValidDay,
      });
    };
    /** Draws, one row per lot (first appearance order), each taking at most what the lot has left. */
    const takeAll = (draws: readonly { lotId: string; points: number }[], kind: MovementKind) => {
      const merged: { lotId: string; points: number }[] = [];
      for (const d of draws) {
        const same = merged.find((m) => m.lotId === d.lotId);
        if (same === undefined) merged.push({ ...d });
        else same.points += d.points;
      }
      for (const d of merged) {
        const w = find(d.lotId);
        if (w === undefined || d.points === 0) continue;
        const taken = Math.min(d.points, left(w));
        move(w, kind, w.lot.activatesAt !== null, 0 - taken);
        w.taken += taken;
        if (kind === 'expired') w.expired += taken;
        w.lot = { ...w.lot, position };
      }
    };
    const open = (
      lotId: string,
      source: PointsLot['source'],
      paymentId: string | null,
      earnedAt: string,
      points: number,
      activatesAt: string | undefined,
      expiresAt: string | undefined,
    ) => {
      if (points <= 0) return;
      const repaid = activatesAt === undefined ? Math.min(points, Math.max(0, 0 - net)) : 0;
      const lastValidDay = expiresAt === undefined ? null : dayAt(position, new Date(new Date(expiresAt).getTime() - 1).toISOString());
      const w: Working = {
        lot: {
          customerId,
          lotId,
          source,
          paymentId,
          earnedAt,
          activatesAt: activatesAt ?? null,
          points,
          remaining: 0,
          position,
          expiresAt: expiresAt ?? null,
          lastValidDay,
          expired: 0,
        },
        taken: repaid,
        expired: 0,
      };
      lots.push(w);
      move(w, source === 'adjustment' ? 'credited' : 'earned', activatesAt !== undefined, points);
      move(w, 'repaid', false, 0 - repaid);
    };
    switch (event.type) {
      case 'PaymentRecorded': {
        const d = event.data;
        open(d.paymentId, 'payment', d.paymentId, d.occurredAt, d.points, d.activatesAt, d.expiresAt);
        break;
      }
      case 'PointsAdjusted': {
        const d = event.data;
        const kind = d.kind === 'redemption' ? 'spent' : 'debited';
        if (d.points > 0) {
          const source = d.kind === 'cashback' ? 'cashback' : d.kind === 'reward' ? 'reward' : 'adjustment';
          open(d.adjustmentId, source, d.kind === 'cashback' ? (d.reference ?? null) : null, d.occurredAt, d.points, d.activatesAt, d.expiresAt);
        } else if (d.lots !== undefined) {
          takeAll(d.lots, kind);
        } else {
          // Spending order: the earliest expiry first, lots that never expire last; then earliest earned; then lot id.
          const rank = (w: Working) => [w.lot.expiresAt === null ? 1 : 0, w.lot.expiresAt ?? '', w.lot.earnedAt, w.lot.lotId] as const;
          const available = lots
            .filter((w) => w.lot.activatesAt === null && left(w) > 0)
            .sort((a, b) => {
              const [x, y] = [rank(a), rank(b)];
              for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
              return 0;
            });
          let toTake = 0 - d.points;
          const draws: { lotId: string; points: number }[] = [];
          for (const w of available) {
            const taken = Math.min(toTake, left(w));
            if (taken > 0) draws.push({ lotId: w.lot.lotId, points: taken });
            toTake -= taken;
          }
          takeAll(draws, kind);
        }
        break;
      }
      case 'PaymentRefunded':
      case 'CashbackReversed': {
        const d = event.data;
        const own = event.type === 'PaymentRefunded' ? event.data.paymentId : event.data.cashbackId;
        takeAll([...(d.fromPending > 0 ? [{ lotId: own, points: d.fromPending }] : []), ...d.lots], 'reversed');
        break;
      }
      case 'PointsVoided':
        takeAll(event.data.lots, 'voided');
        break;
      case 'PointsExpired':
        takeAll([{ lotId: event.data.lotId, points: event.data.points }], 'expired');
        break;
      case 'PointsActivated': {
        let owedNow = Math.max(0, 0 - net);
        for (const draw of event.data.lots) {
          const w = find(draw.lotId);
          if (w === undefined) continue;
          const repaid = Math.min(draw.points, owedNow);
          owedNow -= repaid;
          move(w, 'activated', true, 0 - left(w));
          move(w, 'activated', false, left(w));
          move(w, 'repaid', false, 0 - repaid);
          w.taken += repaid;
          w.lot = { ...w.lot, activatesAt: null, position };
        }
        break;
      }
      default:
        break;
    }
    net += movement(event).net;
  }
  return { lots: lots.map((w) => ({ ...w.lot, remaining: left(w), expired: w.expired })), movements };
}
