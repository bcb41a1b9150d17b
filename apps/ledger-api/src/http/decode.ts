import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { reportErrors } from '#ledger-domain/shared/codecs';
import type { CommandError } from '../ledger/command-runner';
import { invalidInputProblem, ProblemException, toProblem } from './problem';

/** Decodes an HTTP input with its codec, or ends the request with a 400 naming each bad field. */
export function decodeOrThrow<A>(codec: t.Decoder<unknown, A>, input: unknown): A {
  const decoded = codec.decode(input === undefined ? {} : input);
  if (E.isLeft(decoded)) throw new ProblemException(invalidInputProblem(reportErrors(decoded.left)));
  return decoded.right;
}

/** Unwraps a command's outcome, or ends the request with the problem for its error. */
export function orThrow<A>(outcome: E.Either<CommandError, A>): A {
  if (E.isLeft(outcome)) throw new ProblemException(toProblem(outcome.left));
  return outcome.right;
}
