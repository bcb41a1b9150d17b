import type { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import type { EventStore } from '#event-store/event-store.port';
import type { ProgramSnapshot } from '#ledger-domain/program/program';
import { tiersOf, tierWindowOf } from '#ledger-domain/program/tiers';
import { dayIn } from '#ledger-domain/shared/calendar';
import type { ReadModelDatabase } from '#read-models/database';
import { advanceCheckpoint, CheckpointMoved, readCheckpoint } from '#read-models/projector';
import { dueActivations, dueExpirations, type DueActivation, type DueExpiration } from '#read-models/queries';
import { customerIdOf } from '#runtime/streams';
import type { CommandContext } from '../ledger/command-context';
import { lifecycleCommandId } from '../ledger/ids';
import { ActivatePointsCommand } from './activate-points.handler';
import { EvaluateTierCommand } from './evaluate-tier.handler';
import { ExpirePointsCommand } from './expire-points.handler';
import type { Duty, IssuedCommand } from './lifecycle-runner';

/** Who the lifecycle runner's events are recorded as. */
export const LIFECYCLE_ACTOR = 'system:lifecycle';

/** The tier duty's checkpoint row in `projection_checkpoints`: how far it has read the log. */
export const TIER_CHECKPOINT = 'lifecycle-tiers';

export interface LifecycleWiring {
  readonly database: ReadModelDatabase;
  readonly store: EventStore;
  readonly bus: CommandBus;
  readonly programs: { current(): Promise<ProgramSnapshot | undefined> };
  /** Server time for `recordedAt` (the runner's as-of may be earlier: `ledger lifecycle run --until`). */
  readonly now: () => Date;
}

/** The runner's duties, in the order a pass does them: activations, then expiries (of points now available too), then tiers. */
export function lifecycleDuties(wiring: LifecycleWiring): Duty<never>[] {
  return [activationDuty(wiring), expiryDuty(wiring), tierEventDuty(wiring), tierSweepDuty(wiring)] as Duty<never>[];
}

const contextFor = (commandId: string, now: Date): CommandContext => ({ commandId, correlationId: commandId, actor: LIFECYCLE_ACTOR, now });

function issuedAs(subject: string, result: Promise<IssuedCommand['result']>): Promise<IssuedCommand> {
  return result.then((r) => ({ subject, result: r }));
}

/** Pending points whose `activatesAt` has passed: one command per payment, its id from the payment. */
export function activationDuty({ database, bus, now }: LifecycleWiring): Duty<DueActivation> {
  return {
    action: 'activate',
    find: (asOf, limit, after) => dueActivations(database.db, asOf.toISOString(), limit, after),
    issue: (items, asOf) =>
      Promise.all(
        items.map((due) =>
          issuedAs(
            due.paymentId,
            bus.execute(
              new ActivatePointsCommand(
                due.customerId,
                due.paymentId,
                { early: false, asOf },
                contextFor(lifecycleCommandId('activate', due.paymentId), now()),
              ),
            ),
          ),
        ),
      ),
  };
}

/**
 * Lots whose `expiresAt` has passed: one command per customer and page (many lots, one append),
 * its id from the lots it names.
 */
export function expiryDuty({ database, bus, now }: LifecycleWiring): Duty<DueExpiration> {
  return {
    action: 'expire',
    find: (asOf, limit, after) => dueExpirations(database.db, asOf.toISOString(), limit, after),
    issue: (items, asOf) => {
      const byCustomer = new Map<string, string[]>();
      for (const due of items) byCustomer.set(due.customerId, [...(byCustomer.get(due.customerId) ?? []), due.lotId]);
      return Promise.all(
        [...byCustomer].map(([customerId, lotIds]) => {
          const subject =
            lotIds.length === 1
              ? lotIds[0]!
              : createHash('sha256')
                  .update([...lotIds].sort().join('\u0000'))
                  .digest('hex');
          return issuedAs(
            subject,
            bus.execute(new ExpirePointsCommand(customerId, lotIds, asOf, contextFor(lifecycleCommandId('expire', `${customerId}:${subject}`), now()))),
          );
        }),
      );
    },
  };
}

interface TierCandidate {
  readonly customerId: string;
  /** The position of the event that moved the customer's qualifying points. */
  readonly position: bigint;
}

/** Events that move qualifying points: a customer with one is evaluated promptly (an upgrade, or a reversal's step down). */
const QUALIFYING_EVENTS = new Set(['PaymentRecorded', 'PointsActivated', 'PaymentRefunded', 'PointsVoided']);

/**
 * Tier evaluations prompted by the log: reads the events after its own checkpoint, and evaluates
 * each customer whose qualifying points moved; the checkpoint moves once every evaluation has an
 * outcome (at least once, applied once: the command id is from the customer and the event).
 */
export function tierEventDuty({ database, store, bus, programs, now }: LifecycleWiring): Duty<TierCandidate> {
  let page: { from: bigint; to: bigint } | undefined;
  return {
    action: 'tier',
    async find(_asOf, limit) {
      const program = await programs.current();
      for (;;) {
        const from = await readCheckpoint(database.db, TIER_CHECKPOINT);
        const events = await store.readAll({ after: from, maxCount: limit * 4 });
        if (events.length === 0) return [];
        const last = new Map<string, bigint>();
        if (program !== undefined && tiersOf(program.settings).length > 0) {
          for (const event of events) {
            const customerId = customerIdOf(event.streamName);
            if (customerId !== undefined && QUALIFYING_EVENTS.has(event.type)) last.set(customerId, event.position);
          }
        }
        page = { from, to: events[events.length - 1]!.position };
        if (last.size > 0) return [...last].map(([customerId, position]) => ({ customerId, position }));
        // Nothing to evaluate in this page: move past it at once.
        await moveCheckpoint(database, page);
      }
    },
    issue: (items, asOf) =>
      Promise.all(
        items.map((c) =>
          issuedAs(
            c.customerId,
            bus.execute(new EvaluateTierCommand(c.customerId, asOf, contextFor(lifecycleCommandId('tier', `${c.customerId}@${c.position}`), now()))),
          ),
        ),
      ),
    async settle() {
      if (page !== undefined) await moveCheckpoint(database, page);
    },
  };
}

async function moveCheckpoint(database: ReadModelDatabase, page: { from: bigint; to: bigint }): Promise<void> {
  try {
    await database.db.transaction().execute(async (trx) => {
      if (!(await advanceCheckpoint(trx, TIER_CHECKPOINT, page.from, page.to))) throw new CheckpointMoved();
    });
  } catch (error) {
    // Another runner moved it first: its evaluations were these too.
    if (!(error instanceof CheckpointMoved)) throw error;
  }
}

interface SweepItem {
  readonly customerId: string;
  readonly day: string;
}

/**
 * Once per local day, under a window that moves with time (rolling days, calendar year): every
 * customer is evaluated, so a window that emptied steps them down (one tier a day). The command
 * id is from the customer and the day: a second sweep that day (a restart, another runner) is a
 * replay.
 */
export function tierSweepDuty({ database, bus, programs, now }: LifecycleWiring): Duty<SweepItem> {
  let sweptDay: string | undefined;
  return {
    action: 'tier',
    async find(asOf, limit, after) {
      const program = await programs.current();
      if (program === undefined || tiersOf(program.settings).length === 0 || tierWindowOf(program.settings) === 'lifetime') return [];
      const day = dayIn(program.settings.timezone, asOf.toISOString());
      if (sweptDay === day && after === undefined) return [];
      const rows = await database.db
        .selectFrom('customer_balances')
        .select('customer_id')
        .$if(after !== undefined, (q) => q.where('customer_id', '>', after!.customerId))
        .orderBy('customer_id')
        .limit(limit)
        .execute();
      if (rows.length < limit) sweptDay = day;
      return rows.map((r) => ({ customerId: r.customer_id, day }));
    },
    issue: (items, asOf) =>
      Promise.all(
        items.map((s) =>
          issuedAs(
            s.customerId,
            bus.execute(new EvaluateTierCommand(s.customerId, asOf, contextFor(lifecycleCommandId('tier', `${s.customerId}:${s.day}`), now()))),
          ),
        ),
      ),
  };
}
