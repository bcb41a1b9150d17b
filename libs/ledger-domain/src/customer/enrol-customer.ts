import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { LedgerError } from '../shared/errors';
import { checkNotInFuture } from '../shared/time';
import type { CustomerState } from './customer';

/** Enrol a customer, identified by e-mail and/or phone (already normalised by the codec). */
export interface EnrolCustomer {
  readonly type: 'EnrolCustomer';
  readonly customerId: string;
  readonly email?: string;
  readonly phone?: string;
  readonly name?: string;
  /** A migrated enrolment's business time (UTC instant, from the old system); default `now`. */
  readonly enrolledAt?: string;
  readonly now: Date;
}

export const CustomerEnrolledDataC = t.intersection([
  t.type({ customerId: t.string, enrolledAt: t.string }),
  t.partial({ email: t.string, phone: t.string, name: t.string }),
]);
export interface CustomerEnrolled {
  readonly type: 'CustomerEnrolled';
  readonly data: t.TypeOf<typeof CustomerEnrolledDataC>;
}

export function enrolCustomer(command: EnrolCustomer, state: CustomerState): E.Either<LedgerError, readonly CustomerEnrolled[]> {
  if (state.status === 'Enrolled') return E.left({ _tag: 'CustomerAlreadyEnrolled', customerId: state.customerId });
  if (command.email === undefined && command.phone === undefined) {
    return E.left({ _tag: 'InvalidInput', errors: [{ path: 'email', message: 'expected an e-mail or a phone number (at least one)' }] });
  }
  const enrolledAt = command.enrolledAt ?? command.now.toISOString();
  const notInFuture = checkNotInFuture(enrolledAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  const { customerId, email, phone, name } = command;
  return E.right([
    {
      type: 'CustomerEnrolled',
      data: {
        customerId,
        enrolledAt,
        ...(email !== undefined && { email }),
        ...(phone !== undefined && { phone }),
        ...(name !== undefined && { name }),
      },
    },
  ]);
}
