import { countEventsAfter } from '#event-store/log-progress';
import { Controller, Get, Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import * as E from 'fp-ts/Either';
import { Counter, Gauge } from 'prom-client';
import type { EventStore } from '#event-store/event-store.port';
import type { ReadModelDatabase } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import type { LedgerConfig } from '#runtime/config';
import { Access } from '../http/access';
import { CLOCK, EVENT_STORE, LEDGER_CONFIG, type Clock } from '../ledger/ledger.module';
import { Metrics, MetricsModule } from '../metrics/metrics';
import { READ_MODELS } from '../read-models/read-side';
import { IssueRewardHandler, issueReactions } from './issue-reward.handler';
import { isTransient, REACTIONS_CHECKPOINT, ReactionRunner, type ReactionOutcome, type ReactionRequest } from './reaction-runner';

/**
 * Runs the reaction runner inside the API unless LEDGER_REACTIONS=off, woken by every local
 * append. Its checkpoint lives in the read-model database, next to the projections'. The
 * program rules' commands (rewards at visit thresholds, cashback on payments) go through the
 * CommandBus to their @nestjs/cqrs handler, like every command, and are awaited there: the
 * runner moves its checkpoint only once each has an outcome.
 */
@Injectable()
export class Reactions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Reactions');
  readonly runner: ReactionRunner;
  private unsubscribe: (() => void) | undefined;
  private readonly commands: Counter<'kind' | 'outcome'>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) readonly database: ReadModelDatabase,
    @Inject(LEDGER_CONFIG) readonly config: LedgerConfig,
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.runner = new ReactionRunner(store, database, (requests) => this.dispatch(requests), {
      onRefused: (o) =>
        this.logger.warn(
          `reaction ${o.reaction.key} to event ${o.request.eventId} refused (${E.isLeft(o.result) ? o.result.left._tag : ''}); recorded in reaction_refusals`,
        ),
    });
    const runner = this.runner;
    new Gauge({
      name: 'ledger_reactions_lag_events',
      help: "Events after the reactions' checkpoint (counted, up to 10,000)",
      registers: [metrics.registry],
      async collect() {
        this.set(await countEventsAfter(store, await runner.checkpoint()));
      },
    });
    this.commands = new Counter({
      name: 'ledger_reaction_commands_total',
      help: 'Reaction commands by kind (reward, cashback) and outcome (applied, replayed: issued before, refused, failed: retried)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /** The checkpoint, the store's head, and the events between them. */
  async progress(): Promise<{ checkpoint: bigint; head: bigint; lag: bigint }> {
    const [checkpoint, head] = await Promise.all([this.runner.checkpoint(), this.store.headPosition()]);
    return { checkpoint, head, lag: head > checkpoint ? head - checkpoint : 0n };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.reactions === 'off') return;
    // The read side migrates too; whichever runs first applies the migrations (safe either way).
    await migrate(this.database.db);
    this.unsubscribe = this.store.onAppended?.(() => this.runner.notify());
    this.runner.start();
    this.logger.log('reactions running inline');
  }

  /** Before the read side and the store close: the batch under way finishes (its commands included). */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.runner.stop();
  }

  private async dispatch(requests: readonly ReactionRequest[]): Promise<readonly ReactionOutcome[]> {
    const issued = requests.map((request) => issueReactions(request, (command) => this.commandBus.execute(command), this.clock));
    const outcomes = (await Promise.all(issued)).flat();
    for (const { reaction, result } of outcomes) this.commands.inc({ kind: reaction.command.kind, outcome: outcomeOf(result) });
    return outcomes;
  }
}

const outcomeOf = (result: ReactionOutcome['result']): string => {
  if (E.isRight(result)) return result.right.replayed ? 'replayed' : 'applied';
  return isTransient(result.left) ? 'failed' : 'refused';
};

@ApiTags('reactions')
@Controller('reactions')
export class ReactionsController {
  constructor(@Inject(Reactions) private readonly reactions: Reactions) {}

  @Get()
  @Access('reporter', 'auditor', 'operator')
  @ApiOperation({ summary: "The reactions' checkpoint, the store's head, the lag between them, and how many reaction commands were refused" })
  async status() {
    const { database, config, runner } = this.reactions;
    const [{ checkpoint, head, lag }, refused] = await Promise.all([
      this.reactions.progress(),
      database.db
        .selectFrom('reaction_refusals')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst(),
    ]);
    return {
      name: REACTIONS_CHECKPOINT,
      mode: config.reactions,
      checkpoint: checkpoint.toString(),
      head: head.toString(),
      lag: lag.toString(),
      refused: Number(refused?.n ?? 0),
      ...runner.health,
    };
  }
}

@Module({
  imports: [MetricsModule],
  controllers: [ReactionsController],
  providers: [Reactions, IssueRewardHandler],
})
export class ReactionsModule {}
