import * as E from 'fp-ts/Either';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { programAt, type Reaction, type ReactionContext } from '#ledger-domain/reactions/react';
import { emptyVisitTally } from '#ledger-domain/reactions/visit-tally';
import { toProjected } from '#projections/projected-event';
import { CatchUpLoop } from '#read-models/catch-up-loop';
import type { ReadModelDatabase } from '#read-models/database';
import { CheckpointMoved, advanceCheckpoint, readCheckpoint } from '#read-models/projector';
import { positionText, type ReadModelTables } from '#read-models/tables';
import type { CommandError } from '../ledger/command-runner';
import { ProgramHistory, VisitTallies } from './reaction-inputs';

/** The reactions' checkpoint row in `projection_checkpoints`. */
export const REACTIONS_CHECKPOINT = 'reactions';

/** One persisted event the program's rules may react to, with what they need to decide. */
export interface ReactionRequest {
  readonly eventId: string;
  readonly streamName: string;
  readonly position: bigint;
  /** The triggering request's correlation id, carried on to the reaction's events. */
  readonly correlationId: string | undefined;
  readonly event: CustomerEvent;
  readonly context: ReactionContext;
}

/** What became of one command a reaction issued. */
export interface ReactionOutcome {
  readonly request: ReactionRequest;
  readonly reaction: Reaction;
  readonly commandId: string;
  /** The command's outcome; `replayed` when it had been applied before (a re-run). */
  readonly result: E.Either<CommandError, { readonly replayed: boolean }>;
}

/** Hands requests to whatever issues their commands (the CommandBus in the API) and resolves once every command has an outcome. */
export type DispatchReactions = (requests: readonly ReactionRequest[]) => Promise<readonly ReactionOutcome[]>;

export interface ReactionRunnerOptions {
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly gatherMs?: number;
  /** Told about each refused command (the API logs it). */
  readonly onRefused?: (outcome: ReactionOutcome) => void;
}

/** Failures of the machinery (a retry may succeed), as opposed to business refusals. */
export const isTransient = (error: CommandError): boolean => error._tag === 'Contention' || error._tag === 'CommandTimedOut';

/**
 * Reads the persisted event log in global order after its own checkpoint, asks the program's
 * rules what to issue for each visit and payment, waits until every issued command has an
 * outcome, and only then moves its checkpoint (compare-and-set, in the read-model database).
 *
 * - At least once: a crash or restart anywhere before the checkpoint moved re-reads the batch
 *   and issues its commands again; each command id is derived from the triggering event and the
 *   rule, so a repeat is recognised by the command loop and applied once (exactly-once effect).
 * - Business refusals (unknown customer, unknown visit, …) would be refused every time: they are
 *   written to `reaction_refusals` in the checkpoint's transaction and the runner moves on.
 * - Transient failures (contention, deadline, store or database errors) fail the batch: nothing
 *   moves, the loop retries with backoff, and the commands already applied are then no-ops.
 */
export class ReactionRunner {
  private readonly programs: ProgramHistory;
  private readonly tallies: VisitTallies;
  private readonly loop: CatchUpLoop;
  private readonly batchSize: number;

  constructor(
    private readonly store: EventStore,
    private readonly database: ReadModelDatabase,
    private readonly dispatch: DispatchReactions,
    private readonly options: ReactionRunnerOptions = {},
  ) {
    this.programs = new ProgramHistory(store);
    this.tallies = new VisitTallies(store);
    this.batchSize = options.batchSize ?? 500;
    this.loop = new CatchUpLoop(() => this.step(), { pollIntervalMs: options.pollIntervalMs ?? 500, gatherMs: options.gatherMs ?? 5 });
  }

  checkpoint(): Promise<bigint> {
    return readCheckpoint(this.database.db, REACTIONS_CHECKPOINT);
  }

  /** Reacts to one batch. Returns how many events were read (0: caught up). */
  async step(): Promise<number> {
    for (;;) {
      const from = await this.checkpoint();
      const page = await this.store.readAll({ after: from, maxCount: this.batchSize });
      if (page.length === 0) return 0;
      await this.programs.refresh();
      const requests: ReactionRequest[] = [];
      for (const stored of page) {
        const request = await this.requestFor(stored);
        if (request !== undefined) requests.push(request);
      }
      const outcomes = requests.length === 0 ? [] : await this.dispatch(requests);
      const transient = outcomes.find((o) => E.isLeft(o.result) && isTransient(o.result.left));
      if (transient !== undefined && E.isLeft(transient.result)) {
        throw new Error(`reaction command ${transient.commandId} was not written (${transient.result.left._tag}); the batch will be retried`);
      }
      const refused = outcomes.filter((o) => E.isLeft(o.result));
      try {
        await this.database.db.transaction().execute(async (trx) => {
          if (!(await advanceCheckpoint(trx, REACTIONS_CHECKPOINT, from, page[page.length - 1]!.position))) throw new CheckpointMoved();
          if (refused.length > 0)
            await trx
              .insertInto('reaction_refusals')
              .values(refused.map(refusalRow))
              .onConflict((oc) => oc.doNothing())
              .execute();
        });
      } catch (error) {
        // Another runner (a second API process) moved it first: its commands were ours too.
        if (error instanceof CheckpointMoved) continue;
        throw error;
      }
      for (const outcome of refused) this.options.onRefused?.(outcome);
      return page.length;
    }
  }

  /** Reacts until the log is exhausted. */
  async catchUp(): Promise<bigint> {
    while ((await this.step()) > 0) {
      /* next batch */
    }
    return this.checkpoint();
  }

  start(): void {
    this.loop.start();
  }

  notify(): void {
    this.loop.notify();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  get health(): { ok: boolean; error?: string } {
    return this.loop.health;
  }

  /** A request for a visit or a payment when the program in force at its position has rules for it. */
  private async requestFor(stored: RecordedEvent): Promise<ReactionRequest | undefined> {
    const projected = toProjected(stored);
    if (projected === undefined || projected.event.type === 'ProgramConfigured') return undefined;
    const event = projected.event;
    this.tallies.observe(stored.streamName, stored.revision, event);
    const program = programAt(this.programs.history, stored.position);
    const rules = program?.settings;
    const wanted = (event.type === 'VisitCreated' && rules?.visitRewards !== undefined) || (event.type === 'PaymentRecorded' && rules?.cashback !== undefined);
    if (!wanted) return undefined;
    const visits = event.type === 'VisitCreated' ? await this.tallies.at(stored.streamName, stored.revision) : emptyVisitTally;
    const correlationId = stored.metadata['correlationId'];
    return {
      eventId: stored.id,
      streamName: stored.streamName,
      position: stored.position,
      correlationId: typeof correlationId === 'string' ? correlationId : undefined,
      event,
      context: { program, visits },
    };
  }
}

const refusalRow = (outcome: ReactionOutcome): ReadModelTables['reaction_refusals'] => {
  const error = E.isLeft(outcome.result) ? outcome.result.left : undefined;
  return {
    command_id: outcome.commandId,
    trigger_event_id: outcome.request.eventId,
    trigger_position: positionText(outcome.request.position),
    customer_id: outcome.reaction.command.customerId,
    rule_id: outcome.reaction.command.ruleId,
    kind: outcome.reaction.command.kind,
    error: error?._tag ?? 'unknown',
    detail: JSON.stringify(error ?? null),
    recorded_at: new Date().toISOString(),
  };
};
