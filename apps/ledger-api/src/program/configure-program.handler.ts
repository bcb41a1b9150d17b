import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import {
  DEFAULT_PROGRAM_ID,
  DEFAULT_PROGRAM_SETTINGS,
  decideProgram,
  PROGRAM_SETTINGS_PROPS,
  type ProgramSettings,
  type ProgramState,
} from '#ledger-domain/program/program';
import { expiryOf, pendingDaysOf, reversalShortfallOf, type Expiry, type ReversalShortfall } from '#ledger-domain/program/lifecycle-settings';
import { tiersOf, tierWindowOf, type Tier, type TierWindow } from '#ledger-domain/program/tiers';
import { strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import type { Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { ProgramStreams } from '../ledger/ledger.module';
import { programStream } from '#runtime/streams';

/** PUT /program body: any subset of the settings; fields left out keep their current value. */
export const ProgramSettingsPatchC = annotate(strictObject('program settings', {}, PROGRAM_SETTINGS_PROPS), {
  properties: {
    currency: { description: 'ISO 4217 code; payments must be in it' },
    pointsPerUnit: { description: 'points per 1.00 of currency, decimal string > 0, ≤ 1000' },
    timezone: { description: 'IANA timezone for day boundaries' },
    negativeBalance: { description: '"allow" lets manual adjustments overdraw' },
    visitRewards: {
      description:
        'Replaces the visit reward rules ([] removes them). Every `everyVisits`-th visit the rule counts earns `points` (PointsAdjusted kind reward). ruleIds are distinct across both lists.',
    },
    cashback: {
      description:
        'Replaces the cashback rules ([] removes them). floor(amount × percent / 100 × the payment’s pointsPerUnit) points (PointsAdjusted kind cashback); never for a manual payment. ruleIds are distinct across both lists.',
    },
  },
});
export type ProgramSettingsPatch = t.TypeOf<typeof ProgramSettingsPatchC>;

export interface ProgramView extends ProgramSettings {
  readonly programId: string;
  /** Always present in a view: an empty list when the program has no such rules. */
  readonly visitRewards: NonNullable<ProgramSettings['visitRewards']>;
  readonly cashback: NonNullable<ProgramSettings['cashback']>;
  /** Always present in a view, with its default when the program never set it. */
  readonly pendingDays: number;
  readonly reversalShortfall: ReversalShortfall;
  readonly expiry: Expiry;
  readonly tiers: readonly Tier[];
  readonly tierWindow: TierWindow;
  readonly version: number;
  /** Global position of the change, for read-your-writes (as a decimal string: it is a BigInt). */
  readonly position: string;
}

export class ConfigureProgramCommand extends Command<E.Either<CommandError, Accepted<ProgramView>>> {
  constructor(
    readonly patch: ProgramSettingsPatch,
    readonly expectedVersion: number | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ConfigureProgramCommand)
export class ConfigureProgramHandler implements ICommandHandler<ConfigureProgramCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ patch, expectedVersion, context }: ConfigureProgramCommand) {
    const decide = (state: ProgramState) =>
      decideProgram(
        {
          type: 'ConfigureProgram',
          programId: DEFAULT_PROGRAM_ID,
          settings: { ...currentSettings(state), ...patch },
          ...(expectedVersion !== undefined && { expectedVersion }),
          now: context.now,
        },
        state,
      );
    const outcome = await this.runner.run(this.programs, programStream(DEFAULT_PROGRAM_ID), context, decide);
    return E.map((o: { state: ProgramState; position: bigint; replayed: boolean }) => ({
      view: programView(o.state, o.position),
      replayed: o.replayed,
    }))(outcome);
  }
}

const currentSettings = (state: ProgramState): ProgramSettings => (state.status === 'Configured' ? state.settings : DEFAULT_PROGRAM_SETTINGS);

export function programView(state: ProgramState, position: bigint): ProgramView {
  const settings = currentSettings(state);
  return {
    programId: DEFAULT_PROGRAM_ID,
    version: state.status === 'Configured' ? state.version : 0,
    ...settings,
    visitRewards: settings.visitRewards ?? [],
    cashback: settings.cashback ?? [],
    pendingDays: pendingDaysOf(settings),
    reversalShortfall: reversalShortfallOf(settings),
    expiry: expiryOf(settings),
    tiers: tiersOf(settings),
    tierWindow: tierWindowOf(settings),
    position: position.toString(),
  };
}
