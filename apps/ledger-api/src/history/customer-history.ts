import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { Access } from '../http/access';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import * as t from 'io-ts';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { balanceEffect, evolveCustomer, initialCustomerState, lotsMoved, type CustomerEvent } from '#ledger-domain/customer/customer';
import type { Lot, LotDraw } from '#ledger-domain/customer/lots';
import { entriesAsOf, occurredAtOf, recordedAtOf, runningBalances, type BalancesAfter, type Basis } from '#audit/as-of';
import { Instant, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { CustomerPathC } from '../customers/customer-command';
import { ParamsFrom, QueryFrom } from '../docs/from-codec';
import { decodeOrThrow } from '../http/decode';
import { ProblemException, toProblem } from '../http/problem';
import { EVENT_STORE } from '../ledger/ledger.module';
import { accountStream } from '#runtime/streams';

/** One ledger entry as an auditor reads it: the event's own fields plus its effect on the balance. */
export interface HistoryEntry {
  readonly type: CustomerEvent['type'];
  /** Business time: when it happened (enrolment, visit, payment) or when the adjustment was made. */
  readonly occurredAt: string;
  /** Server time at which the ledger recorded it. */
  readonly recordedAt: string;
  /** Effect on the (net) available balance. */
  readonly pointsDelta: number;
  readonly pendingDelta: number;
  /** The balances after this entry: available (never below zero), pending, owed. */
  readonly balanceAfter: number;
  readonly pendingAfter: number;
  readonly owedAfter: number;
  /** The lots this entry drew from, activated or voided (an earning opens the lot named by its own id). */
  readonly lotsMoved: readonly LotDraw[];
  readonly eventId: string;
  readonly revision: string;
  readonly position: string;
  readonly commandId: string | null;
  readonly actor: string | null;
  readonly [field: string]: unknown;
}

export interface CustomerHistory {
  readonly customerId: string;
  /** The instant the history is taken at (null: now, everything recorded). */
  readonly asOf: string | null;
  readonly basis: HistoryBasis;
  /** The balances at `asOf` on that basis. */
  readonly balance: number;
  readonly pending: number;
  readonly owed: number;
  /**
   * The lots with points left at `asOf`: which points were pending then (`activatesAt`) and which
   * were available. On the recorded basis, what the ledger held at that instant.
   */
  readonly lots: readonly Lot[];
  /** The tier held at `asOf` (its `TierChanged` entries are among the entries); null: none. */
  readonly tier: { readonly tierId: string; readonly since: string } | null;
  readonly entries: readonly HistoryEntry[];
}

/**
 * - recorded: what the ledger said at `asOf`: only events recorded by then, in log order;
 * - occurred: what we now know had happened by `asOf`: events whose business time is at or
 *   before it, including ones recorded later with a backdated time, in business-time order.
 */
export type HistoryBasis = Basis;

/** Replays a customer's stream from the event store itself (not the cache, not a projection). */
export async function replayHistory(
  store: EventStore,
  customerId: string,
  view: { asOf?: string; basis?: HistoryBasis } = {},
): Promise<CustomerHistory | undefined> {
  const { events } = await store.readStream(accountStream(customerId));
  if (events.length === 0) return undefined;
  const basis = view.basis ?? 'recorded';
  const selected = entriesAsOf(events, basis, view.asOf === undefined ? undefined : Date.parse(view.asOf));
  const running = runningBalances();
  let after: BalancesAfter = { available: 0, pending: 0, owed: 0 };
  let state = initialCustomerState();
  const entries = selected.map(({ stored, event }) => {
    after = running(event);
    state = evolveCustomer(state, event);
    return toEntry(stored, event, after);
  });
  const lots = state.status === 'Enrolled' ? state.lots : [];
  const tier = state.status === 'Enrolled' ? (state.tier ?? null) : null;
  return { customerId, asOf: view.asOf ?? null, basis, balance: after.available, pending: after.pending, owed: after.owed, lots, tier, entries };
}

function toEntry(stored: RecordedEvent, event: CustomerEvent, after: BalancesAfter): HistoryEntry {
  const effect = balanceEffect(event);
  const meta = stored.metadata;
  // Object.assign rather than a spread into a large literal: this runs once per event of a replay.
  return Object.assign({}, event.data, {
    type: event.type,
    occurredAt: occurredAtOf(event),
    recordedAt: recordedAtOf(stored),
    pointsDelta: effect.available,
    pendingDelta: effect.pending,
    balanceAfter: after.available,
    pendingAfter: after.pending,
    owedAfter: after.owed,
    lotsMoved: lotsMoved(event),
    eventId: stored.id,
    revision: stored.revision.toString(),
    position: stored.position.toString(),
    commandId: typeof meta['commandId'] === 'string' ? meta['commandId'] : null,
    actor: typeof meta['actor'] === 'string' ? meta['actor'] : null,
  });
}

export const HistoryQueryC = annotate(strictObject('history query', {}, { asOf: Instant, basis: t.keyof({ recorded: null, occurred: null }) }), {
  properties: {
    asOf: { description: 'ISO 8601 instant with offset; default: now' },
    basis: { default: 'recorded', description: 'recorded: what the ledger said then; occurred: what we now know had happened by then' },
  },
});

@ApiTags('history')
@Controller('customers/:customerId/history')
export class HistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Access('auditor')
  @ApiOperation({ summary: "The customer's ledger replayed from the event store, with the running balance; as of any instant, on recorded or business time" })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(HistoryQueryC)
  @ApiResponse({
    status: 200,
    description:
      '{customerId, asOf, basis, balance, pending, owed, lots: [{lotId, source, earnedAt, remaining, activatesAt, paymentId, expiresAt}], tier: {tierId, since} | null, entries:[{type, occurredAt, recordedAt, pointsDelta, balanceAfter, …}] (TierChanged entries with from, to, qualifyingPoints, reason)}',
  })
  async history(@Param() params: unknown, @Query() query: unknown): Promise<CustomerHistory> {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const { asOf, basis } = decodeOrThrow(HistoryQueryC, query);
    const history = await replayHistory(this.store, customerId, { ...(asOf !== undefined && { asOf }), ...(basis !== undefined && { basis }) });
    if (history === undefined) throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    return history;
  }
}
