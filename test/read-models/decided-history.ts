import * as E from 'fp-ts/Either';
import { evolveCustomer, initialCustomerState, type CustomerState } from '#ledger-domain/customer/customer';
import { decideCustomer, type CustomerCommand } from '#ledger-domain/customer/customer.decider';
import {
  decideProgram,
  DEFAULT_PROGRAM_ID,
  evolveProgram,
  initialProgramState,
  type ProgramSettings,
  type ProgramSnapshot,
  type ProgramState,
} from '#ledger-domain/program/program';
import { accountStreamOf, SCENARIO_PROGRAM_STREAM, type ScenarioCommand } from '#projections/testing/ledger-scenario';

/**
 * A hand-written history decided by the real deciders, one append per command (as the API
 * writes them): for suites whose expected figures are worked out by hand. A refusal throws:
 * these histories are meant to be accepted as written.
 */
export class DecidedHistory {
  readonly commands: ScenarioCommand[] = [];
  private program: ProgramState = initialProgramState();
  private readonly states = new Map<string, CustomerState>();
  private ids = 0;

  constructor(private readonly idPrefix: string) {}

  get snapshot(): ProgramSnapshot | undefined {
    return this.program.status === 'Configured' ? { version: this.program.version, settings: this.program.settings } : undefined;
  }

  state(customerId: string): CustomerState {
    return this.states.get(customerId) ?? initialCustomerState();
  }

  configure(settings: ProgramSettings, now: string): this {
    const decided = decideProgram({ type: 'ConfigureProgram', programId: DEFAULT_PROGRAM_ID, settings, now: new Date(now) }, this.program);
    if (E.isLeft(decided)) throw new Error(decided.left._tag);
    decided.right.forEach((e) => (this.program = evolveProgram(this.program, e)));
    this.push(SCENARIO_PROGRAM_STREAM, [...decided.right], now, 'admin:root');
    return this;
  }

  /** Decides a customer command at `recordedAt` (the command's own `now` is its business clock). */
  decide(command: CustomerCommand, recordedAt: string, actor = 'staff:alice'): this {
    const state = this.state(command.customerId);
    const decided = decideCustomer(command, state);
    if (E.isLeft(decided)) throw new Error(`${command.type}: ${decided.left._tag}`);
    this.states.set(command.customerId, decided.right.reduce(evolveCustomer, state));
    this.push(accountStreamOf(command.customerId), [...decided.right], recordedAt, actor);
    return this;
  }

  private push(streamName: string, events: ScenarioCommand['events'], recordedAt: string, actor: string): void {
    this.commands.push({
      streamName,
      events,
      eventIds: events.map(() => `${this.idPrefix}-0000-4000-8000-${(++this.ids).toString(16).padStart(12, '0')}`),
      recordedAt,
      actor,
    });
  }
}
