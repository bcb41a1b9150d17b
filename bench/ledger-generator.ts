import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '#event-store/event-store.port';
import { chainEvents, emptyChain } from '#event-store/hash-chain';
import { DEFAULT_PROGRAM_ID } from '#ledger-domain/program/program';
import { accountStream, programStream } from '#runtime/streams';

/**
 * A realistic generated ledger for benchmarks and crash tests: a program, then per customer an
 * enrolment and a mix of visits (40 %), store payments with their purchase visit or attached
 * to an earlier visit (35 %), manual adjustments (10 %) and redemptions (15 %) at 25
 * locations over 90 days, never overdrawn. Deterministic for a seed, apart from the ids.
 * Written one append per customer (group commit batches them), hash-chained like the API's.
 */
export async function generateLedger(
  store: EventStore,
  options: { events: number; customers: number; seed?: number; timezone?: string },
): Promise<{ events: number; seconds: number }> {
  const { events: EVENTS, customers: CUSTOMERS } = options;
  const started = performance.now();
  const meta = (at: string) => ({ recordedAt: at, actor: 'bench', commandId: randomUUID() });
  await store.appendToStream(
    programStream(DEFAULT_PROGRAM_ID),
    'no_stream',
    chainEvents(programStream(DEFAULT_PROGRAM_ID), emptyChain, [
      {
        id: randomUUID(),
        type: 'ProgramConfigured',
        data: {
          programId: 'default',
          version: 1,
          effectiveFrom: '2026-01-01T00:00:00.000Z',
          currency: 'USD',
          pointsPerUnit: '1',
          timezone: options.timezone ?? 'Europe/Berlin',
          negativeBalance: 'deny',
        },
        metadata: meta('2026-01-01T00:00:00.000Z'),
      },
    ]),
  );
  const perCustomer = Math.max(1, Math.floor(EVENTS / CUSTOMERS) - 1);
  let random = options.seed ?? 42;
  const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
  let written = 1;
  const pending: Promise<unknown>[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customerId = randomUUID();
    const events: NewEvent[] = [];
    const enrolledAt = new Date(Date.UTC(2026, 6, 1) + Math.floor(next() * 86400000)).toISOString();
    events.push({ id: randomUUID(), type: 'CustomerEnrolled', data: { customerId, enrolledAt, email: `bench-${c}@example.com` }, metadata: meta(enrolledAt) });
    let balance = 0;
    const visits: string[] = [];
    while (events.length < perCustomer + 1) {
      const roll = next();
      const at = new Date(Date.UTC(2026, 7, 1) + Math.floor(next() * 90 * 86400000)).toISOString();
      const locationId = `store-${Math.floor(next() * 25)}`;
      if (roll < 0.4) {
        const visitId = randomUUID();
        visits.push(visitId);
        events.push({
          id: randomUUID(),
          type: 'VisitCreated',
          data: { visitId, customerId, locationId, occurredAt: at, kind: 'browse', source: 'manual' },
          metadata: meta(at),
        });
      } else if (roll < 0.75) {
        const amountMinor = 500 + Math.floor(next() * 20000);
        const points = Math.floor(amountMinor / 100);
        const paymentId = randomUUID();
        const attach = visits.length > 0 && next() < 0.3 ? visits[Math.floor(next() * visits.length)] : undefined;
        const visitId = attach ?? randomUUID();
        if (attach === undefined) {
          events.push({
            id: randomUUID(),
            type: 'VisitCreated',
            data: { visitId, customerId, locationId, occurredAt: at, kind: 'purchase', source: 'scan', paymentId },
            metadata: meta(at),
          });
        }
        events.push({
          id: randomUUID(),
          type: 'PaymentRecorded',
          data: {
            paymentId,
            customerId,
            locationId,
            amountMinor,
            currency: 'USD',
            purchaseIdentifier: `R-${c}-${events.length}`,
            occurredAt: at,
            source: 'scan',
            points,
            pointsPerUnit: '1',
            programVersion: 1,
            visitId,
          },
          metadata: meta(at),
        });
        balance += points;
      } else if (roll < 0.85) {
        const points = Math.floor(next() * 40) - 10 || 5;
        if (balance + points < 0) continue;
        balance += points;
        events.push({
          id: randomUUID(),
          type: 'PointsAdjusted',
          data: { adjustmentId: randomUUID(), customerId, kind: 'manual', points, reason: 'bench correction', occurredAt: at },
          metadata: meta(at),
        });
      } else {
        if (balance < 10) continue;
        const points = 1 + Math.floor(next() * Math.min(balance, 200));
        balance -= points;
        events.push({
          id: randomUUID(),
          type: 'PointsAdjusted',
          data: { adjustmentId: randomUUID(), customerId, kind: 'redemption', points: -points, occurredAt: at },
          metadata: meta(at),
        });
      }
    }
    written += events.length;
    const stream = accountStream(customerId);
    pending.push(store.appendToStream(stream, 'no_stream', chainEvents(stream, emptyChain, events)));
    if (pending.length >= 2000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return { events: written, seconds: (performance.now() - started) / 1000 };
}

/**
 * A customer with `count` events (enrolment, then alternating payments and redemptions), every
 * id counted rather than random, so that two builds replaying it can be shown to answer the same bytes.
 */
export async function heavyCustomer(store: EventStore, count: number): Promise<string> {
  let ids = 0;
  const counted = () => `7e570000-0000-4000-8000-${(ids++).toString(16).padStart(12, '0')}`;
  const customerId = counted();
  // Recorded when it happened, as the API records a live event, so both time bases can be cut at an instant.
  const meta = (recordedAt: string) => ({ recordedAt, actor: 'bench', commandId: counted() });
  const events: NewEvent[] = [
    {
      id: counted(),
      type: 'CustomerEnrolled',
      data: { customerId, enrolledAt: '2026-01-01T00:00:00.000Z', email: 'heavy@example.com' },
      metadata: meta('2026-01-01T00:00:00.000Z'),
    },
  ];
  for (let i = 1; i < count; i++) {
    const at = new Date(Date.UTC(2026, 0, 2) + i * 60_000).toISOString();
    events.push(
      i % 2 === 1
        ? {
            id: counted(),
            type: 'PaymentRecorded',
            data: {
              paymentId: counted(),
              customerId,
              locationId: 'store-1',
              amountMinor: 1000,
              currency: 'USD',
              purchaseIdentifier: `H-${i}`,
              occurredAt: at,
              source: 'online',
              points: 10,
              pointsPerUnit: '1',
              programVersion: 1,
            },
            metadata: meta(at),
          }
        : {
            id: counted(),
            type: 'PointsAdjusted',
            data: { adjustmentId: counted(), customerId, kind: 'redemption', points: -5, occurredAt: at },
            metadata: meta(at),
          },
    );
  }
  const stream = accountStream(customerId);
  await store.appendToStream(stream, 'no_stream', chainEvents(stream, emptyChain, events));
  return customerId;
}
