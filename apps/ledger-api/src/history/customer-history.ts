import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import * as E from 'fp-ts/Either';
import type { EventStore, RecordedEvent } from '../../../../libs/event-store/src/event-store.port';
import { pointsDelta, type CustomerEvent } from '../../../../libs/ledger-domain/src/customer/customer';
import { CustomerEventC } from '../../../../libs/ledger-domain/src/customer/customer.decider';
import { reportErrors } from '../../../../libs/ledger-domain/src/shared/codecs';
import { CustomerPathC } from '../customers/customer-command';
import { decodeOrThrow } from '../http/decode';
import { ProblemException, toProblem } from '../http/problem';
import { EVENT_STORE } from '../ledger/ledger.module';
import { CorruptStreamError } from '../ledger/stream-repository';
import { accountStream } from '../ledger/streams';

/** One ledger entry as an auditor reads it: the event's own fields plus its effect on the balance. */
export interface HistoryEntry {
  readonly type: CustomerEvent['type'];
  /** Business time: when it happened (enrolment, visit, payment) or when the adjustment was made. */
  readonly occurredAt: string;
  /** Server time at which the ledger recorded it. */
  readonly recordedAt: string;
  readonly pointsDelta: number;
  readonly balanceAfter: number;
  readonly eventId: string;
  readonly revision: string;
  readonly position: string;
  readonly commandId: string | null;
  readonly actor: string | null;
  readonly [field: string]: unknown;
}

export interface CustomerHistory {
  readonly customerId: string;
  readonly balance: number;
  readonly entries: readonly HistoryEntry[];
}

/** Replays a customer's stream from the event store itself (not the cache, not a projection). */
export async function replayHistory(store: EventStore, customerId: string): Promise<CustomerHistory | undefined> {
  const { events } = await store.readStream(accountStream(customerId));
  if (events.length === 0) return undefined;
  let balance = 0;
  const entries = events.map((stored) => {
    const event = decodeStored(stored);
    balance += pointsDelta(event);
    return toEntry(stored, event, balance);
  });
  return { customerId, balance, entries };
}

function decodeStored(stored: RecordedEvent): CustomerEvent {
  const decoded = CustomerEventC.decode({ type: stored.type, data: stored.data });
  if (E.isLeft(decoded)) {
    throw new CorruptStreamError(stored.streamName, stored.revision, reportErrors(decoded.left).map((e) => `${e.path}: ${e.message}`).join('; '));
  }
  return decoded.right;
}

function toEntry(stored: RecordedEvent, event: CustomerEvent, balanceAfter: number): HistoryEntry {
  const meta = stored.metadata;
  const recordedAt = typeof meta['recordedAt'] === 'string' ? meta['recordedAt'] : '';
  const occurredAt = event.type === 'CustomerEnrolled' ? event.data.enrolledAt : event.data.occurredAt;
  return {
    ...event.data,
    type: event.type,
    occurredAt,
    recordedAt,
    pointsDelta: pointsDelta(event),
    balanceAfter,
    eventId: stored.id,
    revision: stored.revision.toString(),
    position: stored.position.toString(),
    commandId: typeof meta['commandId'] === 'string' ? meta['commandId'] : null,
    actor: typeof meta['actor'] === 'string' ? meta['actor'] : null,
  };
}

@ApiTags('history')
@Controller('customers/:customerId/history')
export class HistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({ summary: "The customer's ledger replayed from the event store, oldest first, with the running balance" })
  @ApiResponse({ status: 200, description: '{customerId, balance, entries:[{type, occurredAt, recordedAt, pointsDelta, balanceAfter, …}]}' })
  async history(@Param() params: unknown): Promise<CustomerHistory> {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const history = await replayHistory(this.store, customerId);
    if (history === undefined) throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    return history;
  }
}
