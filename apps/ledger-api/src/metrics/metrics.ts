import { countEventsAfter } from '#event-store/log-progress';
import { Controller, Get, Inject, Injectable, Module, Res, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStore } from '#event-store/event-store.port';
import { Access } from '../http/access';
import { EVENT_STORE } from '../ledger/ledger.module';
import { Quarantine } from '../ledger/quarantine';
import { StoreWriteHealth } from '../ledger/store-health';
import { categoryOf } from '#runtime/streams';
import { ReadSide } from '../read-models/read-side';

/**
 * Prometheus metrics at `GET /metrics`: requests (commands and queries) by route template,
 * method and status, with latency; group-commit batch sizes; projection checkpoint and lag;
 * and the process defaults (memory, event-loop lag, GC).
 */
@Injectable()
export class Metrics implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'ledger_http_requests_total',
    help: 'HTTP requests by route template, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status class',
    labelNames: ['route', 'method', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly batches = new Histogram({
    name: 'ledger_append_batch_size',
    help: 'Appends committed together in one transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  private readonly storeWriteFailures = new Counter({
    name: 'ledger_event_store_write_failures_total',
    help: 'Writes the event store refused as unavailable, by reason (full, locked, io, unreachable)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly chainBreaks = new Counter({
    name: 'ledger_chain_breaks_total',
    help: 'Streams found with a broken hash chain when loaded for a command, by kind of break and stream category (the log names the stream)',
    labelNames: ['kind', 'category'] as const,
    registers: [this.registry],
  });
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadSide) readSide: ReadSide,
    @Inject(StoreWriteHealth) private readonly writes: StoreWriteHealth,
    @Inject(Quarantine) private readonly quarantine: Quarantine,
  ) {
    new Gauge({
      name: 'ledger_quarantined_streams',
      help: 'Streams whose commands are refused because their hash chain is broken',
      registers: [this.registry],
      collect() {
        this.set(quarantine.size);
      },
    });
    new Gauge({
      name: 'ledger_event_store_writes_failing',
      help: '1 while event store writes fail (readiness is down), else 0',
      registers: [this.registry],
      collect() {
        this.set(writes.failing === undefined ? 0 : 1);
      },
    });
    new Gauge({
      name: 'ledger_projection_lag_events',
      help: 'Events after the read-model checkpoint (counted, up to 10,000)',
      registers: [this.registry],
      async collect() {
        this.set(await countEventsAfter(store, await readSide.checkpoint()));
      },
    });
    new Gauge({
      name: 'ledger_event_store_head_position',
      help: 'Global position of the latest event',
      registers: [this.registry],
      async collect() {
        this.set(Number(await store.headPosition()));
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'ledger_process_' });
  }

  onApplicationBootstrap(): void {
    const off = this.store.onAppended?.((appends) => this.batches.observe(appends));
    if (off !== undefined) this.unsubscribes.push(off);
    this.unsubscribes.push(
      this.writes.onFailure((reason) => this.storeWriteFailures.inc({ reason })),
      this.quarantine.onBreak((found) => this.chainBreaks.inc({ kind: found.kind, category: categoryOf(found.streamName) })),
    );
  }

  onApplicationShutdown(): void {
    for (const off of this.unsubscribes.splice(0)) off();
  }

  /** Counts every response, errors and unknown routes included (as `unmatched`). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      this.requests.inc({ route, method: request.method, status: String(status) });
      this.latency.observe({ route, method: request.method, outcome: `${Math.floor(status / 100)}xx` }, reply.elapsedTime / 1000);
      done();
    });
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get()
  @Access('reporter', 'auditor', 'operator')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    await reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

@Module({ controllers: [MetricsController], providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
