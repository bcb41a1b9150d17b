import * as E from 'fp-ts/Either';
import type { LedgerError } from '../shared/errors';

/**
 * Given/when/then for Either-returning deciders (after Emmett's DeciderSpecification):
 * `given(pastEvents).when(command).then(expectedEvents)` or `.thenFails(tag, …)`.
 */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => E.Either<LedgerError, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

export const DeciderSpecification = {
  for<Command, Event, State>(decider: Decider<Command, Event, State>) {
    return (given: readonly Event[]) => ({
      when: (command: Command) => {
        const state = given.reduce(decider.evolve, decider.initialState());
        const result = decider.decide(command, state);
        return {
          then(expected: readonly Event[]): void {
            if (E.isLeft(result)) throw new Error(`expected events, got error ${JSON.stringify(result.left)}`);
            expect(result.right).toEqual(expected);
          },
          thenNothingHappened(): void {
            if (E.isLeft(result)) throw new Error(`expected no events, got error ${JSON.stringify(result.left)}`);
            expect(result.right).toEqual([]);
          },
          thenFails<T extends LedgerError['_tag']>(tag: T, details: Partial<Extract<LedgerError, { _tag: T }>> = {}): void {
            if (E.isRight(result)) throw new Error(`expected ${tag}, got events ${JSON.stringify(result.right)}`);
            expect(result.left).toMatchObject({ _tag: tag, ...details });
          },
          /** The state after the decided events, for assertions on what evolve made of them. */
          thenState(assert: (state: State) => void): void {
            if (E.isLeft(result)) throw new Error(`expected events, got error ${JSON.stringify(result.left)}`);
            assert(result.right.reduce(decider.evolve, state));
          },
        };
      },
    });
  },
};
