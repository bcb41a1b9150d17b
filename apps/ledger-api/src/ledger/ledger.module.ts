import { Global, Inject, Injectable, Logger, Module, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '#event-store/event-store.port';
import { evolveCustomer, initialCustomerState, type CustomerEvent, type CustomerState } from '#ledger-domain/customer/customer';
import { stateAfterDecision } from '#ledger-domain/customer/customer.decider';
import { decodeCustomerEvent, decodeProgramEvent } from '#ledger-domain/stored-events';
import {
  DEFAULT_PROGRAM_ID,
  evolveProgram,
  initialProgramState,
  type ProgramEvent,
  type ProgramSnapshot,
  type ProgramState,
} from '#ledger-domain/program/program';
import type { LedgerConfig } from '#runtime/config';
import { connectEventStore } from '#runtime/wiring';
import { CommandRunner } from './command-runner';
import { Reservations } from './reservations';
import { StreamRepository, type StreamModel } from './stream-repository';
import { programStream } from '#runtime/streams';
import { Quarantine, type ChainIntegrity } from './quarantine';
import { monitoredStore, StoreWriteHealth } from './store-health';

export const EVENT_STORE = Symbol('EVENT_STORE');
/** The command path's chain check: the policy from the configuration, and the quarantine. */
export const CHAIN_INTEGRITY = Symbol('CHAIN_INTEGRITY');
export const CLOCK = Symbol('CLOCK');
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

export type Clock = () => Date;

/** How a customer's account stream is decoded and folded. */
export const CUSTOMER_STREAM_MODEL: StreamModel<CustomerState, CustomerEvent> = {
  name: 'customer',
  decode: decodeCustomerEvent,
  evolve: evolveCustomer,
  initialState: initialCustomerState,
  decided: stateAfterDecision,
};

@Injectable()
export class CustomerStreams extends StreamRepository<CustomerState, CustomerEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Optional() @Inject(CHAIN_INTEGRITY) integrity?: ChainIntegrity) {
    super(store, CUSTOMER_STREAM_MODEL, 10_000, integrity);
  }
}

/**
 * How many streams a pass over most customers keeps (the lifecycle runner's, an import's): each
 * customer is touched about once, so a bigger cache only holds states that will not be asked for
 * again (memory, and garbage-collector time: the 10,000 of the shared cache cost a lifecycle pass
 * a fifth of its speed), and a shared one would lose the API's hot customers to them. A load reads
 * whatever a cache lacks, so two caches over one store never go stale.
 */
export const BULK_STREAM_CACHE = 512;

/**
 * The lifecycle runner's customer streams: its own small cache (see BULK_STREAM_CACHE) for the
 * customers it finds cold, and the API's for those hot there (a tier evaluation prompted by the
 * payment just recorded), so neither is loaded from scratch.
 */
@Injectable()
export class LifecycleStreams extends StreamRepository<CustomerState, CustomerEvent> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CustomerStreams) customers: CustomerStreams,
    @Optional() @Inject(CHAIN_INTEGRITY) integrity?: ChainIntegrity,
  ) {
    super(store, CUSTOMER_STREAM_MODEL, BULK_STREAM_CACHE, integrity, customers);
  }
}

@Injectable()
export class ProgramStreams extends StreamRepository<ProgramState, ProgramEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Optional() @Inject(CHAIN_INTEGRITY) integrity?: ChainIntegrity) {
    // ledgerWide: the program decides what every payment earns, so a break here stops every command.
    super(store, { name: 'program', ledgerWide: true, decode: decodeProgramEvent, evolve: evolveProgram, initialState: initialProgramState }, 16, integrity);
  }

  /** The program as commands see it now; read through to the store, so every replica sees a change at once. */
  async current(): Promise<ProgramSnapshot | undefined> {
    const { state } = await this.load(programStream(DEFAULT_PROGRAM_ID));
    return state.status === 'Configured' ? { version: state.version, settings: state.settings } : undefined;
  }
}

@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** The write side's shared machinery: the store, the clock, the command loop, reservations. */
@Global()
@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig, overrides: { store?: EventStore; clock?: Clock } = {}) {
    return {
      module: LedgerModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: StoreWriteHealth, useValue: new StoreWriteHealth() },
        {
          provide: EVENT_STORE,
          useFactory: async (health: StoreWriteHealth): Promise<EventStore> =>
            monitoredStore(overrides.store ?? (await connectEventStore(config, { warn: (message) => new Logger('EventStore').warn(message) })), health),
          inject: [StoreWriteHealth],
        },
        { provide: CLOCK, useValue: overrides.clock ?? (() => new Date()) },
        { provide: Quarantine, useValue: new Quarantine() },
        {
          provide: CHAIN_INTEGRITY,
          useFactory: (quarantine: Quarantine): ChainIntegrity => ({
            policy: { key: config.chain?.key, unkeyedBefore: config.chain?.unkeyedBefore, acceptUnhashedPrefix: config.chain?.acceptUnhashedPrefix },
            quarantine,
          }),
          inject: [Quarantine],
        },
        {
          provide: Reservations,
          useFactory: (store: EventStore, clock: Clock) => new Reservations(store, clock, config.chain?.key),
          inject: [EVENT_STORE, CLOCK],
        },
        {
          provide: CommandRunner,
          useFactory: (store: EventStore, clock: Clock, reservations: Reservations, quarantine: Quarantine) =>
            new CommandRunner(store, clock, reservations, { key: config.chain?.key, quarantine }),
          inject: [EVENT_STORE, CLOCK, Reservations, Quarantine],
        },
        CustomerStreams,
        LifecycleStreams,
        ProgramStreams,
        EventStoreLifecycle,
      ],
      exports: [
        LEDGER_CONFIG,
        EVENT_STORE,
        CLOCK,
        CHAIN_INTEGRITY,
        Quarantine,
        StoreWriteHealth,
        CommandRunner,
        Reservations,
        CustomerStreams,
        LifecycleStreams,
        ProgramStreams,
      ],
    };
  }
}
