/**
 * Lifecycle and fault injection around the in-memory log: a real @grpc/grpc-js server on 127.0.0.1 that
 * serves `Streams` (Read, Append) and `ServerFeatures`, reusing the client's generated service definitions.
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import type { AppendResp } from '@eventstore/db-client/generated/streams_pb';
import { handleAppend, type AppendCall, type PendingAppend } from './append';
import { handleRead, type ReadCall, type ResponseSink, type Subscription, type SubscriptionInfo } from './read';
import { EventLog } from './store';
import { rpcError, type RpcError } from './wire';

export interface EsdbTestServerOptions {
  /** Port to listen on, 0 or absent for any free port. restart() reuses the port chosen. */
  readonly port?: number;
  /** System events ($-prefixed stream and type) written at start, as a real node always has some. Default 3. */
  readonly systemEventsAtStart?: number;
  /** Position of the first record. Default 1,024; set it above 2^53 to prove positions never pass through a JS number. */
  readonly firstPosition?: bigint;
  /** The server's MaxAppendSize (bytes of data, metadata and type per append). Default 1,048,576, as KurrentDB. */
  readonly maxAppendSize?: number;
}

const SYSTEM_STREAM = '$stats-127.0.0.1:2113';
const SYSTEM_EVENT_TYPE = '$statsCollected';
/** After this long a graceful shutdown gives way to a forced one (a client that never reads holds calls open). */
const GRACEFUL_SHUTDOWN_MS = 500;

export class InMemoryEsdbServer {
  private readonly log: EventLog;
  private readonly maxAppendSize: number;
  private readonly subscriptionsOpen = new Set<Subscription>();
  private readonly readsOpen = new Set<ResponseSink>();
  private readonly appendsOpen = new Set<PendingAppend>();
  private server: Server | undefined;
  private boundPort: number;
  private acksToLose = 0;

  constructor(options: EsdbTestServerOptions) {
    this.log = new EventLog(options.firstPosition ?? 1_024n);
    this.maxAppendSize = options.maxAppendSize ?? 1_048_576;
    this.boundPort = options.port ?? 0;
    for (let i = 0; i < (options.systemEventsAtStart ?? 3); i += 1) this.appendSystemEvent();
  }

  get port(): number {
    return this.boundPort;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.boundPort}?tls=false`;
  }

  get eventCount(): number {
    return this.log.all.length;
  }

  subscriptions(): SubscriptionInfo[] {
    return [...this.subscriptionsOpen].map(({ subscriptionId, target, eventsSent, caughtUp }) => ({
      subscriptionId,
      target,
      eventsSent,
      caughtUp,
    }));
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = new Server();
    server.addService(StreamsService, {
      read: (call: ReadCall) => this.read(call),
      append: (call: AppendCall, respond: sendUnaryData<AppendResp>) => this.append(call, respond),
      delete: unimplemented('Delete'),
      tombstone: unimplemented('Tombstone'),
      batchAppend: (call: { emit(event: 'error', error: RpcError): boolean }) =>
        call.emit('error', rpcError(status.UNIMPLEMENTED, 'BatchAppend is not modelled by the test server')),
    });
    // UNIMPLEMENTED makes the client assume an unknown (old) server version and use plain Append.
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: ServerUnaryCall<Empty, SupportedMethods>, respond: sendUnaryData<SupportedMethods>) =>
        respond(rpcError(status.UNIMPLEMENTED, 'GetSupportedMethods is not implemented')),
    });
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.boundPort}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
  }

  /** Ends every open call with UNAVAILABLE, then closes the listener and all connections. Data stays. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const unavailable = () => rpcError(status.UNAVAILABLE, 'Server is shutting down');
    for (const read of this.readsOpen) read.fail(unavailable()); // subscriptions included
    for (const append of this.appendsOpen) append.abort(unavailable());
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, GRACEFUL_SHUTDOWN_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  dropSubscriptions(): void {
    for (const subscription of this.subscriptionsOpen) {
      subscription.sink.fail(rpcError(status.UNAVAILABLE, 'Subscription dropped by the server (test fault)'));
    }
  }

  loseNextAppendAcks(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('loseNextAppendAcks: n must be a non-negative integer');
    this.acksToLose = n;
  }

  appendSystemEvent(): void {
    const data = Buffer.from(JSON.stringify({ 'proc-id': process.pid, 'sys-timestamp': new Date().toISOString() }));
    this.log.append(
      SYSTEM_STREAM,
      { kind: 'any' },
      [{ id: randomUUID(), type: SYSTEM_EVENT_TYPE, isJson: true, data, customMetadata: new Uint8Array() }],
      new Date(),
    );
  }

  private read(call: ReadCall): void {
    const sink = handleRead(call, this.log, {
      opened: (subscription) => this.subscriptionsOpen.add(subscription),
      closed: (subscription) => this.subscriptionsOpen.delete(subscription),
    });
    this.readsOpen.add(sink);
    void sink.closed.then(() => this.readsOpen.delete(sink));
  }

  private append(call: AppendCall, respond: sendUnaryData<AppendResp>): void {
    const pending = handleAppend(call, respond, {
      log: this.log,
      maxAppendSize: this.maxAppendSize,
      loseAck: () => {
        if (this.acksToLose === 0) return false;
        this.acksToLose -= 1;
        return true;
      },
    });
    this.appendsOpen.add(pending);
    void pending.finished.then(() => this.appendsOpen.delete(pending));
  }
}

function unimplemented(method: string) {
  return (_call: unknown, respond: (error: RpcError) => void) => respond(rpcError(status.UNIMPLEMENTED, `${method} is not modelled by the test server`));
}
