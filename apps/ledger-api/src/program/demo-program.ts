import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import * as E from 'fp-ts/Either';
import type { LedgerConfig } from '#runtime/config';
import { CLOCK, LEDGER_CONFIG, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { deterministicUuid } from '../ledger/ids';
import { ConfigureProgramCommand } from './configure-program.handler';

/**
 * On first start (no program yet) configures the demo program: USD, 1 point per 1.00, UTC,
 * negative balances denied. A store that already has a program is left alone. The command id
 * is fixed, so two replicas starting at once configure it once.
 */
@Injectable()
export class DemoProgram implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoProgram');

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoProgram || (await this.programs.current()) !== undefined) return;
    const commandId = deterministicUuid('demo-program', 'v1');
    const context = { commandId, correlationId: commandId, actor: 'system:first-start', now: this.clock() };
    const outcome = await this.commandBus.execute(new ConfigureProgramCommand({}, undefined, context));
    if (E.isLeft(outcome)) throw new Error(`could not configure the demo program: ${outcome.left._tag}`);
    this.logger.log(
      `Configured the demo program (version ${outcome.right.view.version}): ${outcome.right.view.currency}, ${outcome.right.view.pointsPerUnit} point(s) per unit`,
    );
  }
}
