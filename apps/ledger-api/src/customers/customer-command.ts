import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { balanceView, type CustomerState } from '#ledger-domain/customer/customer';
import { Uuid } from '#ledger-domain/shared/codecs';
import type { Command, CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../ledger/command-context';
import type { CommandError, CommandOutcome } from '../ledger/command-runner';
import { commandContextFor } from '../http/command-context.factory';
import { decodeOrThrow, orThrow } from '../http/decode';
import { respond, type Accepted } from '../http/accepted';

/** Path parameters of every `/customers/{customerId}/…` command route. */
export const CustomerPathC = t.type({ customerId: Uuid });
/** Path parameters of every `/customers/{customerId}/payments/{paymentId}/…` command route. */
export const PaymentPathC = t.type({ customerId: Uuid, paymentId: Uuid });

/** Maps a successful command outcome to the view a route answers with. */
export const toAccepted =
  <Ev, View>(view: (outcome: CommandOutcome<CustomerState, Ev>) => View) =>
  (outcome: E.Either<CommandError, CommandOutcome<CustomerState, Ev>>): E.Either<CommandError, Accepted<View>> =>
    E.map((o: CommandOutcome<CustomerState, Ev>) => ({ view: view(o), replayed: o.replayed }))(outcome);

/**
 * The balances every command answer carries: `balance`, the available points (never below
 * zero), and `pending` and `owed` (see `balanceView`).
 */
export interface BalancesView {
  readonly balance: number;
  readonly pending: number;
  readonly owed: number;
}

export function balancesOf(state: CustomerState): BalancesView {
  if (state.status !== 'Enrolled') return { balance: 0, pending: 0, owed: 0 };
  const { available, pending, owed } = balanceView(state.balance);
  return { balance: available, pending, owed };
}

/**
 * The body of every `POST /customers/{customerId}/…` route: decode the path and the body, build
 * the command context, run the command, and answer (marking an idempotent replay).
 */
export async function runCustomerCommand<Body, View>(
  http: { readonly request: FastifyRequest; readonly reply: FastifyReply; readonly params: unknown; readonly body: unknown },
  bodyCodec: t.Decoder<unknown, Body>,
  bus: CommandBus,
  now: Date,
  command: (customerId: string, body: Body, context: CommandContext) => Command<E.Either<CommandError, Accepted<View>>>,
): Promise<View> {
  return runCommandAt(http, CustomerPathC, bodyCodec, bus, now, ({ customerId }, body, context) => command(customerId, body, context));
}

/** The same for routes under a payment (`/customers/{customerId}/payments/{paymentId}/…`). */
export async function runPaymentCommand<Body, View>(
  http: { readonly request: FastifyRequest; readonly reply: FastifyReply; readonly params: unknown; readonly body: unknown },
  bodyCodec: t.Decoder<unknown, Body>,
  bus: CommandBus,
  now: Date,
  command: (path: t.TypeOf<typeof PaymentPathC>, body: Body, context: CommandContext) => Command<E.Either<CommandError, Accepted<View>>>,
): Promise<View> {
  return runCommandAt(http, PaymentPathC, bodyCodec, bus, now, command);
}

async function runCommandAt<Path, Body, View>(
  http: { readonly request: FastifyRequest; readonly reply: FastifyReply; readonly params: unknown; readonly body: unknown },
  pathCodec: t.Decoder<unknown, Path>,
  bodyCodec: t.Decoder<unknown, Body>,
  bus: CommandBus,
  now: Date,
  command: (path: Path, body: Body, context: CommandContext) => Command<E.Either<CommandError, Accepted<View>>>,
): Promise<View> {
  const path = decodeOrThrow(pathCodec, http.params);
  const decoded = decodeOrThrow(bodyCodec, http.body);
  const context = commandContextFor(http.request, decoded, now);
  return respond(http.reply, orThrow(await bus.execute(command(path, decoded, context))));
}
