import type { CustomerEvent } from '#ledger-domain/customer/customer';
import type { PaymentRecorded } from '#ledger-domain/customer/record-payment';
import type { VisitCreated } from '#ledger-domain/customer/record-visit';
import type { ProgramConfigured } from '#ledger-domain/program/program';
import type { LedgerEvent, Projected } from '../projected-event';

/**
 * A realistic, deterministic (seeded) history of a loyalty program, shaped exactly like the
 * events the domain writes: one command = one append to one stream. Used by the pure
 * idempotency spec (as `Projected` events) and by the integration suite (appended to a real
 * event store).
 *
 * What it contains: a program configured in Australia/Sydney, customers enrolling over time,
 * browse/service visits, in-store payments (a `VisitCreated` of kind purchase plus the
 * `PaymentRecorded` naming it, in one append), payments attached later to an existing browse
 * visit (sometimes twice to the same visit), online payments (no visit), manual adjustments
 * both ways, redemptions that never overdraw, backdated business times, times around midnight
 * in Sydney and New York, half-way through a program change to America/New_York with a
 * different earning ratio, and what the program's rules issue in reaction: a visit reward on
 * every 4th visit of a customer and 5 % cashback on online payments (each in its own append, as
 * the reaction runner writes them; no random draws, so the rest of the history does not move).
 */

export interface ScenarioCommand {
  readonly streamName: string;
  readonly events: readonly LedgerEvent[];
  readonly eventIds: readonly string[];
  readonly recordedAt: string;
  readonly actor: string;
}

export interface ScenarioOptions {
  readonly seed?: number;
  readonly customers?: number;
  readonly steps?: number;
  readonly locations?: readonly string[];
}

export const SCENARIO_PROGRAM_STREAM = 'loyaltyProgram-default';
export const accountStreamOf = (customerId: string) => `loyaltyAccount-${customerId}`;

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

export function generateScenario(options: ScenarioOptions = {}): ScenarioCommand[] {
  const random = prng(options.seed ?? 42);
  const customerCount = options.customers ?? 6;
  const steps = options.steps ?? 120;
  const locations = options.locations ?? ['loc-sydney-cbd', 'loc-bondi', 'loc-manly'];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  let idCounter = 0;
  const nextId = () => `00000000-0000-4000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;
  let serial = 0;
  const nextSerial = () => ++serial;

  // Business times: 2026-11-20 .. 2026-11-25, biased to the hours around local midnight in
  // Sydney (13:00Z, AEDT = UTC+11) and New York (05:00Z, EST = UTC-5).
  const hours = [12, 13, 13, 14, 4, 5, 5, 6, 22, 23, 0, 9];
  const businessTime = () => {
    const day = int(20, 25);
    const hour = pick(hours);
    const minute = int(0, 59);
    return `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
  };
  let clock = Date.parse('2026-11-20T00:00:00.000Z');
  const recordedAt = () => {
    clock += int(1, 600) * 1000;
    return new Date(clock).toISOString();
  };

  const commands: ScenarioCommand[] = [];
  const push = (streamName: string, events: LedgerEvent[], actor = 'staff:alice') =>
    commands.push({ streamName, events, eventIds: events.map(() => nextId()), recordedAt: recordedAt(), actor });

  let program = { version: 1, pointsPerUnit: 1, ratio: '1', timezone: 'Australia/Sydney' };
  const configure = () => {
    const event: ProgramConfigured = {
      type: 'ProgramConfigured',
      data: {
        programId: 'default',
        version: program.version,
        effectiveFrom: new Date(clock).toISOString(),
        currency: 'USD',
        pointsPerUnit: program.ratio,
        timezone: program.timezone,
        negativeBalance: 'allow',
      },
    };
    push(SCENARIO_PROGRAM_STREAM, [event], 'admin:root');
  };
  configure();

  interface Customer {
    readonly id: string;
    balance: number;
    readonly browseVisits: string[];
    readonly visits: string[];
    readonly visitEvents: VisitCreated[];
  }
  const customers: Customer[] = [];
  const enrol = () => {
    const id = `cus-${String(customers.length + 1).padStart(3, '0')}`;
    const customer: Customer = { id, balance: 0, browseVisits: [], visits: [], visitEvents: [] };
    customers.push(customer);
    push(accountStreamOf(id), [{ type: 'CustomerEnrolled', data: { customerId: id, enrolledAt: businessTime(), email: `${id}@example.com` } }]);
  };
  for (let i = 0; i < Math.ceil(customerCount / 2); i++) enrol();

  const payment = (customer: Customer, data: Partial<PaymentRecorded['data']> & { source: PaymentRecorded['data']['source'] }): PaymentRecorded => {
    const amountMinor = int(150, 12_000);
    const points = Math.floor((amountMinor / 100) * program.pointsPerUnit);
    customer.balance += points;
    const paymentId = `pay-${nextSerial()}`;
    return {
      type: 'PaymentRecorded',
      data: {
        paymentId,
        customerId: customer.id,
        locationId: pick(locations),
        amountMinor,
        currency: 'USD',
        purchaseIdentifier: `R-${paymentId}`,
        occurredAt: businessTime(),
        points,
        pointsPerUnit: program.ratio,
        programVersion: program.version,
        ...data,
      },
    };
  };

  const issue = (customer: Customer, kind: 'reward' | 'cashback', points: number, reference: string, occurredAt: string) => {
    customer.balance += points;
    push(
      accountStreamOf(customer.id),
      [
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: `${kind}-${nextSerial()}`,
            customerId: customer.id,
            kind,
            points,
            reason: `${kind} for ${reference}`,
            reference,
            ruleId: `${kind}-rule`,
            programVersion: program.version,
            occurredAt,
          },
        },
      ],
      'system:reactions',
    );
  };
  const visited = (customer: Customer, visit: VisitCreated) => {
    customer.visitEvents.push(visit);
    if (customer.visitEvents.length % 4 === 0) issue(customer, 'reward', 40, visit.data.visitId, visit.data.occurredAt);
  };

  for (let step = 0; step < steps; step++) {
    if (step === Math.floor(steps / 2)) {
      program = { version: 2, pointsPerUnit: 2, ratio: '2', timezone: 'America/New_York' };
      configure();
    }
    if (customers.length < customerCount && random() < 0.08) enrol();
    const customer = pick(customers);
    const stream = accountStreamOf(customer.id);
    const roll = random();
    if (roll < 0.28) {
      // A visit without a purchase (yet).
      const visitId = `vis-${nextSerial()}`;
      const visit: VisitCreated = {
        type: 'VisitCreated',
        data: {
          visitId,
          customerId: customer.id,
          locationId: pick(locations),
          occurredAt: businessTime(),
          kind: pick(['browse', 'service', 'event', 'pickup'] as const),
          source: pick(['manual', 'scan'] as const),
          ...(random() < 0.3 && { notes: 'asked about the new range' }),
        },
      };
      customer.browseVisits.push(visitId);
      customer.visits.push(visitId);
      push(stream, [visit]);
      visited(customer, visit);
    } else if (roll < 0.5) {
      // An in-store payment without visitId: the visit of kind purchase comes with it.
      const visitId = `vis-${nextSerial()}`;
      const paid = payment(customer, { source: pick(['manual', 'scan'] as const), visitId });
      const visit: VisitCreated = {
        type: 'VisitCreated',
        data: {
          visitId,
          customerId: customer.id,
          locationId: paid.data.locationId,
          occurredAt: paid.data.occurredAt,
          kind: 'purchase',
          source: paid.data.source,
          paymentId: paid.data.paymentId,
        },
      };
      customer.visits.push(visitId);
      push(stream, [visit, paid], 'till:42');
      visited(customer, visit);
    } else if (roll < 0.66 && customer.visits.length > 0) {
      // A payment attached to an existing visit (often a browse visit, sometimes one already paid).
      const visitId = customer.browseVisits.length > 0 && random() < 0.75 ? pick(customer.browseVisits) : pick(customer.visits);
      push(stream, [payment(customer, { source: 'scan', visitId })], 'till:42');
    } else if (roll < 0.76) {
      // Online: a payment, not a visit; 5 % cashback when it comes to a point or more.
      const paid = payment(customer, { source: 'online' });
      push(stream, [paid], 'web');
      const cashback = Math.floor((paid.data.amountMinor * 5 * program.pointsPerUnit) / 10_000);
      if (cashback > 0) issue(customer, 'cashback', cashback, paid.data.paymentId, paid.data.occurredAt);
    } else if (roll < 0.88) {
      const points = random() < 0.6 ? int(1, 200) : -int(1, 150);
      customer.balance += points;
      push(stream, [
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: `adj-${nextSerial()}`,
            customerId: customer.id,
            kind: 'manual',
            points,
            occurredAt: businessTime(),
            reason: points > 0 ? 'goodwill' : 'clawback',
          },
        },
      ]);
    } else if (customer.balance > 0) {
      const spent = int(1, customer.balance);
      customer.balance -= spent;
      const redemption: CustomerEvent = {
        type: 'PointsAdjusted',
        data: {
          adjustmentId: `red-${nextSerial()}`,
          customerId: customer.id,
          kind: 'redemption',
          points: -spent,
          occurredAt: businessTime(),
          reference: `voucher-${serial}`,
          ...(random() < 0.5 && { reason: 'voucher' }),
        },
      };
      push(stream, [redemption], 'web');
    }
  }
  return commands;
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
