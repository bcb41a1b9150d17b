import { Controller, Get, Inject, Injectable, Logger, Module, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { sql } from 'kysely';
import type { EventStore } from '#event-store/event-store.port';
import type { LedgerConfig } from '#runtime/config';
import { Public } from '../http/access';
import { ProblemException } from '../http/problem';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/ledger.module';
import { Quarantine } from '../ledger/quarantine';
import { StoreWriteHealth } from '../ledger/store-health';
import type { StoreFailureReason } from '#event-store/event-store.port';
import { ReadSide } from '../read-models/read-side';
import { notReadyProblem } from './not-ready';

/**
 * How long a readiness check waits for a dependency. Below the usual 1-3 s probe timeouts of
 * Docker and Kubernetes, so the probe gets our 503 naming the check rather than its own timeout.
 */
export const READINESS_TIMEOUT_MS = 1_000;

class TimedOut extends Error {}

/** The promise's value, or TimedOut after `ms` (the promise itself is left to settle on its own). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimedOut()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The checks behind `GET /health/ready`. Each answers up or down with a fixed message: the real
 * cause (which may name hosts, users or files) goes to the log, never to the unauthenticated caller.
 */
@Injectable()
export class ReadinessChecks {
  private readonly logger = new Logger('Health');
  /** Checks currently failing, so a dependency that stays down is logged once, not every probe. */
  private readonly failing = new Set<string>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadSide) private readonly readSide: ReadSide,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(HealthIndicatorService) private readonly indicator: HealthIndicatorService,
    @Inject(StoreWriteHealth) private readonly writes: StoreWriteHealth,
    @Inject(Quarantine) private readonly quarantine: Quarantine,
  ) {}

  /**
   * Writes work: down from a write the store refused as unavailable until one succeeds. While down,
   * each probe tries a tiny write of its own (the embedded store's `probeWrite`), so a replica
   * taken out of rotation comes back by itself; a store without one (EventStoreDB, whose failures
   * are an unreachable server) counts as back once it answers a read.
   */
  async eventStoreWrites(): Promise<HealthIndicatorResult<'eventStoreWrites'>> {
    const check = this.indicator.check('eventStoreWrites');
    const failing = this.writes.failing;
    if (failing === undefined) return check.up();
    try {
      if (this.store.probeWrite !== undefined) await within(this.store.probeWrite(), READINESS_TIMEOUT_MS);
      else {
        await within(this.store.headPosition(), READINESS_TIMEOUT_MS);
        this.writes.succeeded();
      }
      return check.up();
    } catch {
      // The cause was logged when writes began failing.
      return check.down({ message: `writes failing: ${FAILURE_TEXT[this.writes.failing?.reason ?? failing.reason]}` });
    }
  }

  /**
   * Hash-chain integrity of the streams loaded for commands. Never down: a quarantined stream
   * refuses its own commands, and one forged customer must not take every replica out of
   * rotation. Reported as degraded, with how many streams are quarantined (never which).
   */
  chainIntegrity(): HealthIndicatorResult<'chainIntegrity'> {
    const quarantined = this.quarantine.size;
    return this.indicator.check('chainIntegrity').up({ state: quarantined === 0 ? 'intact' : 'degraded', quarantined });
  }

  /** The store of record answers `headPosition()` (both adapters implement it cheaply). */
  async eventStore(): Promise<HealthIndicatorResult<'eventStore'>> {
    const check = this.indicator.check('eventStore');
    try {
      await within(this.store.headPosition(), READINESS_TIMEOUT_MS);
      this.recovered('eventStore');
      return check.up();
    } catch (error) {
      return check.down({ message: this.failed('eventStore', error) });
    }
  }

  /**
   * The read-model database answers `select 1`. Also reports how far the projection is behind
   * and, when it runs inside this process, whether the projector is healthy. That part is
   * information only: lag never makes the API unready (see README, "Health").
   */
  async readModels(): Promise<HealthIndicatorResult<'readModels'>> {
    const check = this.indicator.check('readModels');
    try {
      await within(sql`select 1`.execute(this.readSide.database.db), READINESS_TIMEOUT_MS);
    } catch (error) {
      return check.down({ message: this.failed('readModels', error) });
    }
    this.recovered('readModels');
    return check.up({ projection: await this.projection() });
  }

  private async projection(): Promise<Record<string, unknown>> {
    const inline = this.config.projector === 'inline';
    const about: Record<string, unknown> = inline ? { projector: 'inline', healthy: this.readSide.projector.health.ok } : { projector: 'separate process' };
    try {
      const [head, checkpoint] = await within(Promise.all([this.store.headPosition(), this.readSide.checkpoint()]), READINESS_TIMEOUT_MS);
      // A decimal string, like every position and lag the API reports (BigInt never becomes a JS number).
      about['lag'] = (head > checkpoint ? head - checkpoint : 0n).toString();
    } catch {
      // The store's own check says why; the lag is simply unknown this time.
    }
    return about;
  }

  private failed(name: string, error: unknown): string {
    const message = error instanceof TimedOut ? `no answer within ${READINESS_TIMEOUT_MS} ms` : 'unreachable or failing (the service log has the cause)';
    if (!this.failing.has(name)) {
      this.failing.add(name);
      this.logger.warn(`readiness check ${name} is down: ${error instanceof TimedOut ? message : error instanceof Error ? error.message : String(error)}`);
    }
    return message;
  }

  private recovered(name: string): void {
    if (this.failing.delete(name)) this.logger.log(`readiness check ${name} is up again`);
  }
}

const FAILURE_TEXT: Record<StoreFailureReason, string> = { full: 'disk full', locked: 'database locked', io: 'I/O error', unreachable: 'store unreachable' };

const UP_DETAILS = {
  eventStore: { status: 'up' },
  eventStoreWrites: { status: 'up' },
  readModels: { status: 'up', projection: { projector: 'inline', healthy: true, lag: '0' } },
  chainIntegrity: { status: 'up', state: 'intact', quarantined: 0 },
};
const UP_EXAMPLE = { status: 'ok', info: UP_DETAILS, error: {}, details: UP_DETAILS };

/**
 * Probes for orchestrators and load balancers, without an API key and outside the per-key rate
 * limit (the access guard lets public routes through before it counts anything).
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(ReadinessChecks) private readonly checks: ReadinessChecks,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Liveness: the process answers. Checks no dependency, so a database blip never gets the API restarted.',
    security: [],
  })
  @ApiResponse({ status: 200, description: 'alive', schema: { example: { status: 'ok', info: {}, error: {}, details: {} } } })
  @ApiResponse({ status: 503, description: 'shutting down (application/problem+json)' })
  live(): Promise<HealthCheckResult> {
    return this.answer([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: the event store answers (headPosition) and the read-model database answers (select 1), each within 1 s. ' +
      'readModels.projection reports the projector and its lag for information; lag never makes the API unready.',
    security: [],
  })
  @ApiResponse({ status: 200, description: "ready: terminus's body", schema: { example: UP_EXAMPLE } })
  @ApiResponse({
    status: 503,
    description: "not ready: application/problem+json with terminus's info, error and details; error names each failing check",
    schema: {
      example: {
        type: 'https://loyalty-ledger.dev/problems/not-ready',
        title: 'Not ready',
        status: 503,
        detail: 'Not ready: eventStore is down.',
        info: { readModels: { status: 'up', projection: { projector: 'inline', healthy: true } } },
        error: { eventStore: { status: 'down', message: 'no answer within 1000 ms' } },
        details: {
          eventStore: { status: 'down', message: 'no answer within 1000 ms' },
          readModels: { status: 'up', projection: { projector: 'inline', healthy: true } },
        },
      },
    },
  })
  ready(): Promise<HealthCheckResult> {
    return this.answer([
      () => this.checks.eventStore(),
      () => this.checks.eventStoreWrites(),
      () => this.checks.readModels(),
      () => Promise.resolve(this.checks.chainIntegrity()),
    ]);
  }

  /**
   * Terminus throws ServiceUnavailableException with its result as the response; the global
   * filter would turn that into a bare 503. Answer a problem that keeps the result instead.
   */
  private async answer(checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw new ProblemException(notReadyProblem(error.getResponse() as HealthCheckResult));
      throw error;
    }
  }
}

/** `GET /health/live` and `GET /health/ready` (@nestjs/terminus). */
@Module({
  // Terminus's own logger would print every failed probe; ReadinessChecks logs each change once.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessChecks],
})
export class HealthModule {}
