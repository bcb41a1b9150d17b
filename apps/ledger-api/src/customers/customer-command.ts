import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { CustomerState } from '#ledger-domain/customer/customer';
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

/** Maps a successful command outcome to the view a route answers with. */
export const toAccepted =
  <Ev, View>(view: (outcome: CommandOutcome<CustomerState, Ev>) => View) =>
  (outcome: E.Either<CommandError, CommandOutcome<CustomerState, Ev>>): E.Either<CommandError, Accepted<View>> =>
    E.map((o: CommandOutcome<CustomerState, Ev>) => ({ view: view(o), replayed: o.replayed }))(outcome);

export const balanceOf = (state: CustomerState): number => (state.status === 'Enrolled' ? state.balance.available : 0);

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
  const { customerId } = decodeOrThrow(CustomerPathC, http.params);
  const decoded = decodeOrThrow(bodyCodec, http.body);
  const context = commandContextFor(http.request, decoded, now);
  return respond(http.reply, orThrow(await bus.execute(command(customerId, decoded, context))));
}
