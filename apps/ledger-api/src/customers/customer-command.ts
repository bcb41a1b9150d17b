import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { CustomerState } from '../../../../libs/ledger-domain/src/customer/customer';
import { Uuid } from '../../../../libs/ledger-domain/src/shared/codecs';
import type { CommandError, CommandOutcome } from '../ledger/command-runner';
import type { Accepted } from '../http/accepted';

/** Path parameters of every `/customers/{customerId}/…` command route. */
export const CustomerPathC = t.type({ customerId: Uuid });

/** Maps a successful command outcome to the view a route answers with. */
export const toAccepted =
  <Ev, View>(view: (outcome: CommandOutcome<CustomerState, Ev>) => View) =>
  (outcome: E.Either<CommandError, CommandOutcome<CustomerState, Ev>>): E.Either<CommandError, Accepted<View>> =>
    E.map((o: CommandOutcome<CustomerState, Ev>) => ({ view: view(o), replayed: o.replayed }))(outcome);

export const balanceOf = (state: CustomerState): number => (state.status === 'Enrolled' ? state.balance.available : 0);
