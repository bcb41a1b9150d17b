import * as E from 'fp-ts/Either';
import type { EventStore, JsonObject, NewEvent, StreamAppend } from '#event-store/event-store.port';
import type { LedgerError } from '#ledger-domain/shared/errors';
import { chainEvents, type ChainKey } from '#event-store/hash-chain';
import type { ChainBreakKind } from '#event-store/chain-check';
import type { Quarantine } from './quarantine';
import { EVENT_SCHEMA_VERSION, type CommandContext } from './command-context';
import { eventId } from './ids';
import { appendTogether } from './append-together';
import { KeyedLock } from './keyed-lock';
import type { Reservation, Reservations } from './reservations';
import type { DomainEvent, LoadedStream, StreamRepository } from './stream-repository';

/**
 * Failures of the machinery rather than of the business rules. `LedgerIntegrity`: the stream's
 * hash chain (or the program's) is broken, so nothing is decided on it. Store failures are not
 * here: they reject (StoreUnavailableError), so that whoever retries (a client, the reaction
 * runner's batch) does, and the HTTP layer maps them once.
 */
export type ApplicationError =
  | { readonly _tag: 'Contention'; readonly streamName: string }
  | { readonly _tag: 'CommandTimedOut' }
  | { readonly _tag: 'LedgerIntegrity'; readonly streamName: string; readonly revision: bigint; readonly kind: ChainBreakKind };

/** How the runner chains what it appends, and where it learns of broken chains. */
export interface ChainOptions {
  /** LEDGER_CHAIN_KEY: events are hashed with HMAC-SHA256 under it. */
  readonly key?: ChainKey | undefined;
  readonly quarantine?: Quarantine | undefined;
}

export type CommandError = LedgerError | ApplicationError;

export interface CommandOutcome<S, Ev> {
  /** Events this command appended (or, on an idempotent replay, had appended the first time). */
  readonly events: readonly Ev[];
  readonly state: S;
  /** Global position of the command's last event; of the stream's last event when it appended none. */
  readonly position: bigint;
  /** True when this answer was replayed for a repeated Idempotency-Key. */
  readonly replayed: boolean;
}

/**
 * Rules that span streams (uniqueness): given the decided events, either refuse, or name the
 * appends to other streams (reservation claims) that must be written with the ledger events.
 */
export type Guard<S, Ev> = (events: readonly Ev[], loaded: LoadedStream<S>) => Promise<E.Either<LedgerError, readonly StreamAppend[]>>;

const MAX_ATTEMPTS = 30;
/**
 * A command older than this is abandoned before it appends. Reservations rely on it: a
 * reservation whose owner has not completed within twice this time can never complete.
 */
export const COMMAND_DEADLINE_MS = 30_000;

/**
 * The one command-handling loop: load the stream, replay a repeated command's answer, decide,
 * pass the guard, append with the expected revision; on a conflict, load again and re-decide.
 * Commands on the same stream are queued per process, so conflicts only come from other
 * processes.
 */
export class CommandRunner {
  private readonly locks = new KeyedLock();

  constructor(
    private readonly store: EventStore,
    private readonly clock: () => Date,
    private readonly reservations: Reservations,
    private readonly chain: ChainOptions = {},
  ) {}

  run<S, Ev extends DomainEvent>(
    repository: StreamRepository<S, Ev>,
    streamName: string,
    context: CommandContext,
    decide: (state: S) => E.Either<LedgerError, readonly Ev[]>,
    guard?: Guard<S, Ev>,
  ): Promise<E.Either<CommandError, CommandOutcome<S, Ev>>> {
    return this.locks.run(streamName, () => this.attempt(repository, streamName, context, decide, guard));
  }

  private async attempt<S, Ev extends DomainEvent>(
    repository: StreamRepository<S, Ev>,
    streamName: string,
    context: CommandContext,
    decide: (state: S) => E.Either<LedgerError, readonly Ev[]>,
    guard: Guard<S, Ev> | undefined,
  ): Promise<E.Either<CommandError, CommandOutcome<S, Ev>>> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await repository.load(streamName);

      // 0. Never build on a broken chain, not even an idempotent replay's answer (it comes from those events).
      const broken = loaded.integrity ?? this.chain.quarantine?.refusal(streamName);
      if (broken !== undefined) return E.left({ _tag: 'LedgerIntegrity', streamName: broken.streamName, revision: broken.revision, kind: broken.kind });

      // 1. The same command again (Idempotency-Key retry, or a retry after a lost response).
      const prior = loaded.commands.get(context.commandId);
      if (prior !== undefined) {
        if (prior.requestFingerprint !== context.requestFingerprint) return E.left({ _tag: 'IdempotencyKeyReused' });
        const first = await repository.replay(streamName, prior);
        return E.right({ events: first.events, state: first.stateAfter, position: prior.position, replayed: true });
      }

      // 2. Decide on the current state.
      const decision = decide(loaded.state);
      if (E.isLeft(decision)) return decision;
      const events = decision.right;
      if (events.length === 0) return E.right({ events, state: loaded.state, position: loaded.position, replayed: false });

      // 3. Rules that span streams: the Idempotency-Key itself, then the command's own (uniqueness).
      const keyClaim = await this.claimIdempotencyKey(streamName, context);
      if (E.isLeft(keyClaim)) return keyClaim;
      let claims: readonly StreamAppend[] = keyClaim.right;
      if (guard !== undefined) {
        const guarded = await guard(events, loaded);
        if (E.isLeft(guarded)) return guarded;
        claims = [...claims, ...guarded.right];
      }

      // 4. Append at the revision we decided on, with the claims.
      if (this.clock().getTime() - context.now.getTime() > COMMAND_DEADLINE_MS) return E.left({ _tag: 'CommandTimedOut' });
      const envelopes = chainEvents(
        streamName,
        loaded.chain,
        events.map((event, index) => envelope(event, streamName, index, context)),
        this.chain.key,
      );
      const ledgerAppend: StreamAppend = { streamName, expected: loaded.revision === 'no_stream' ? 'no_stream' : loaded.revision, events: envelopes };
      const appended = await appendTogether(this.store, claims, ledgerAppend);
      if (E.isRight(appended)) {
        const recorded = envelopes.map((e, i) => ({
          ...e,
          streamName,
          revision: appended.right.nextRevision - BigInt(envelopes.length - 1 - i),
          // Positions within one append are consecutive in the embedded store but need not be elsewhere;
          // only the last one is reported, and only the last one is used.
          position: appended.right.position,
        }));
        const next = repository.fold(loaded, recorded, { written: events });
        repository.remember(streamName, next);
        return E.right({ events, state: next.state, position: appended.right.position, replayed: false });
      }
      // Someone else appended first (another process, or a rival claim): load again and re-decide,
      // after a short random pause so that two processes racing for one stream fall out of step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(25, 2 * attempt)));
    }
    return E.left({ _tag: 'Contention', streamName });
  }

  /**
   * A key is bound to the first request sent with it, whatever stream that request wrote to: the
   * same key with another request (another body, route or customer) is refused, even where
   * the stream it targets has never seen the key.
   */
  private async claimIdempotencyKey(streamName: string, context: CommandContext): Promise<E.Either<LedgerError, readonly StreamAppend[]>> {
    const key = context.idempotencyKey;
    if (key === undefined) return E.right([]);
    const fingerprint = context.requestFingerprint ?? '';
    const honoured = async (holder: Reservation) =>
      (await this.store.readStream(holder.ownerStream)).events.some((e) => e.metadata['commandId'] === holder.commandId);
    const claimed = await this.reservations.claim('idempotency-key', key, { ownerStream: streamName, reference: fingerprint }, context, honoured);
    if (E.isLeft(claimed)) return E.left({ _tag: 'IdempotencyKeyReused' });
    return E.right(claimed.right === undefined ? [] : [claimed.right]);
  }

  /**
   * Ledger events and claims together: atomically where the store can, otherwise claims first.
   * In the sequential case a crash between the two leaves a claim without ledger events, which
   * the same command's retry resumes and a rival takes over after the reservation lease.
   */
}

/** Wraps a domain event with the metadata every stored event carries. */
export function envelope(event: DomainEvent, streamName: string, index: number, context: CommandContext): NewEvent {
  const metadata: Record<string, string | number> = {
    commandId: context.commandId,
    correlationId: context.correlationId,
    causationId: context.causationId ?? context.commandId,
    actor: context.actor,
    recordedAt: context.now.toISOString(),
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
  if (context.requestFingerprint !== undefined) metadata['requestFingerprint'] = context.requestFingerprint;
  if (context.idempotencyKey !== undefined) metadata['idempotencyKey'] = context.idempotencyKey;
  return {
    id: eventId(context.commandId, streamName, index),
    type: event.type,
    data: event.data as JsonObject,
    metadata,
  };
}
