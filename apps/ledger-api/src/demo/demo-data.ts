import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import type { EventStore } from '#event-store/event-store.port';
import { accountStream } from '#runtime/streams';
import { AdjustPointsBodyC, AdjustPointsCommand } from '../adjustments/adjust-points.handler';
import { EnrolCustomerBodyC, EnrolCustomerCommand } from '../customers/enrol-customer.handler';
import type { CommandContext } from '../ledger/command-context';
import type { CommandError } from '../ledger/command-runner';
import { deterministicUuid, entityId } from '../ledger/ids';
import { CLOCK, EVENT_STORE, ProgramStreams, type Clock } from '../ledger/ledger.module';
import type { Accepted } from '../http/accepted';
import { RecordPaymentBodyC, RecordPaymentCommand } from '../payments/record-payment.handler';
import { RedeemPointsBodyC, RedeemPointsCommand } from '../redemptions/redeem-points.handler';
import { RefundPaymentBodyC, RefundPaymentCommand } from '../refunds/refund-payment.handler';
import { RecordVisitBodyC, RecordVisitCommand } from '../visits/record-visit.handler';
import { demoPlan, type DemoAction, type DemoCustomer } from './demo-plan';

/** The actor recorded on every demo event. */
export const DEMO_ACTOR = 'system:demo-data';
/** Customers written side by side (each customer's own actions stay in order). */
const PARALLEL_CUSTOMERS = 6;

export interface DemoSummary {
  readonly customers: number;
  /** Commands that wrote events now. */
  readonly written: number;
  /** Commands found already written (a second start, or one resumed after an interruption). */
  readonly replayed: number;
  /** Commands the ledger refused (logged), e.g. an e-mail another customer already has. */
  readonly refused: number;
}

/** The action recorded at the plan's anchor (the first enrolment), and the anchor. */
interface Anchored {
  readonly key: string;
  readonly at: Date;
}

/** The command id of a demo action: fixed by its key, so that sending it again is a replay. */
export const demoCommandId = (key: string): string => deterministicUuid('demo-data', 'v1', key);

/**
 * Writes the demo data set (demo-plan.ts) through the command bus, exactly as the HTTP routes
 * would (same codecs, same handlers), with command ids derived from each action's key. A second
 * run answers every command from the ledger and writes nothing.
 */
@Injectable()
export class DemoData {
  private readonly logger = new Logger('DemoData');

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async load(): Promise<DemoSummary> {
    if ((await this.programs.current()) === undefined) {
      this.logger.warn(
        'LEDGER_DEMO_DATA: no program is configured (LEDGER_DEMO_PROGRAM=false?), so no demo data was written; configure one with PUT /program.',
      );
      return { customers: 0, written: 0, replayed: 0, refused: 0 };
    }
    const anchor = await this.anchor();
    const plan = demoPlan(anchor);
    // The first customer's enrolment is recorded at the anchor itself: the next start reads it back.
    const anchored = { key: plan[0]!.actions[0]!.key, at: anchor };
    const totals = { customers: 0, written: 0, replayed: 0, refused: 0 };
    const queue = [...plan];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const outcome = await this.writeCustomer(next, anchored);
        totals.customers += outcome.enrolled ? 1 : 0;
        totals.written += outcome.written;
        totals.replayed += outcome.replayed;
        totals.refused += outcome.refused;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_CUSTOMERS }, worker));
    this.logger.log(
      totals.written === 0
        ? `Demo data present: ${totals.customers} customers, nothing written (${totals.replayed} commands already in the ledger)`
        : `Demo data: ${totals.customers} customers, ${totals.written} commands written, ${totals.replayed} already there, ${totals.refused} refused`,
    );
    return totals;
  }

  /**
   * The instant the plan is laid out from: when the first demo customer was enrolled (so a second
   * start, or one resuming an interrupted run, rebuilds the very same plan), else now.
   */
  private async anchor(): Promise<Date> {
    const first = demoPlan(new Date(0))[0]!.actions[0]!;
    const customerId = entityId(demoCommandId(first.key), 'customer');
    const { events } = await this.store.readStream(accountStream(customerId), { maxCount: 1 });
    const recordedAt = events[0]?.metadata['recordedAt'];
    return typeof recordedAt === 'string' ? new Date(recordedAt) : this.clock();
  }

  private async writeCustomer(customer: DemoCustomer, anchored: Anchored): Promise<{ enrolled: boolean; written: number; replayed: number; refused: number }> {
    const counts = { enrolled: false, written: 0, replayed: 0, refused: 0 };
    let customerId: string | undefined;
    const payments = new Map<string, string>();
    for (const action of customer.actions) {
      const outcome = await this.send(action, customerId, payments, anchored);
      if (E.isLeft(outcome)) {
        counts.refused += 1;
        this.logger.debug?.(`demo ${action.key} (${action.kind}) refused: ${outcome.left._tag}`);
        if (action.kind === 'enrol') return counts; // e.g. the e-mail belongs to a real customer: leave this one out
        continue;
      }
      if (outcome.right.replayed) counts.replayed += 1;
      else counts.written += 1;
      const view = outcome.right.view as { customerId?: string; paymentId?: string };
      if (action.kind === 'enrol') {
        customerId = view.customerId;
        counts.enrolled = true;
      }
      if (action.kind === 'payment' && view.paymentId !== undefined) payments.set(action.key, view.paymentId);
    }
    return counts;
  }

  private async send(
    action: DemoAction,
    customerId: string | undefined,
    payments: ReadonlyMap<string, string>,
    anchored: Anchored,
  ): Promise<E.Either<CommandError, Accepted<unknown>>> {
    const commandId = demoCommandId(action.key);
    const now = action.key === anchored.key ? anchored.at : this.clock();
    const context: CommandContext = { commandId, correlationId: commandId, actor: DEMO_ACTOR, now };
    if (action.kind === 'enrol') return this.commandBus.execute(new EnrolCustomerCommand(decoded(EnrolCustomerBodyC, action.body), context));
    if (customerId === undefined) throw new Error(`demo ${action.key}: no customer`);
    switch (action.kind) {
      case 'visit':
        return this.commandBus.execute(new RecordVisitCommand(customerId, decoded(RecordVisitBodyC, action.body), context));
      case 'payment':
        return this.commandBus.execute(new RecordPaymentCommand(customerId, decoded(RecordPaymentBodyC, action.body), context));
      case 'adjust':
        return this.commandBus.execute(new AdjustPointsCommand(customerId, decoded(AdjustPointsBodyC, action.body), context));
      case 'redeem':
        return this.commandBus.execute(new RedeemPointsCommand(customerId, decoded(RedeemPointsBodyC, action.body), context));
      case 'refund': {
        const paymentId = payments.get(action.paymentKey);
        if (paymentId === undefined) return E.left({ _tag: 'PaymentNotFound', paymentId: action.paymentKey });
        return this.commandBus.execute(new RefundPaymentCommand(customerId, paymentId, decoded(RefundPaymentBodyC, action.body), context));
      }
    }
  }
}

/** A body as the route would decode it (trimmed, normalised); the plan is wrong if it does not decode. */
function decoded<A>(codec: t.Decoder<unknown, A>, body: unknown): A {
  const result = codec.decode(body);
  if (E.isLeft(result)) throw new Error(`demo data: a body does not decode (${JSON.stringify(body)})`);
  return result.right;
}
