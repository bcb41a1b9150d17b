import type * as E from 'fp-ts/Either';
import type { AppendResult, EventStore, StreamAppend, WrongExpectedRevision } from '#event-store/event-store.port';

/**
 * A ledger append with its reservation claims: atomically where the store can (the embedded
 * store's multi-stream append), otherwise claims first, as the command runner does (a crash in
 * between leaves a claim the same command's retry resumes). Right: the ledger append's result.
 */
export async function appendTogether(
  store: EventStore,
  claims: readonly StreamAppend[],
  ledger: StreamAppend,
): Promise<E.Either<WrongExpectedRevision, AppendResult>> {
  if (claims.length === 0) return store.appendToStream(ledger.streamName, ledger.expected, ledger.events);
  if (store.appendToStreams !== undefined) {
    const all = await store.appendToStreams([...claims, ledger]);
    return all._tag === 'Left' ? all : { _tag: 'Right', right: all.right[all.right.length - 1]! };
  }
  for (const claim of claims) {
    const claimed = await store.appendToStream(claim.streamName, claim.expected, claim.events);
    if (claimed._tag === 'Left') return claimed;
  }
  return store.appendToStream(ledger.streamName, ledger.expected, ledger.events);
}
