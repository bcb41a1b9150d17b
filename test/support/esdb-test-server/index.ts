/**
 * A wire-compatible EventStoreDB test double: a real gRPC server driven by the real `@eventstore/db-client`
 * over a socket. See README.md in this folder for what it models and what it does not.
 */
import { InMemoryEsdbServer, type EsdbTestServerOptions } from './server';
import type { SubscriptionInfo } from './read';

export type { EsdbTestServerOptions, SubscriptionInfo };

export interface EsdbTestServer {
  readonly port: number;
  /** esdb://127.0.0.1:<port>?tls=false */
  readonly connectionString: string;
  /** Shut down: open calls end with UNAVAILABLE (code 14), new calls fail with code 14. The data stays in memory. */
  stop(): Promise<void>;
  /** Listen again on the SAME port with the SAME in-memory data (to test reconnects). Stops first if running. */
  restart(): Promise<void>;
  /** End every open Read subscription call with status UNAVAILABLE (to test resubscribe with backoff). */
  dropSubscriptions(): void;
  /**
   * Fault injection: the next `n` appends that commit (written, or recognised as idempotent retries) are
   * COMMITTED but the client gets UNAVAILABLE instead of the success response. Rejected appends (wrong
   * expected version, invalid) are answered normally and do not count.
   */
  loseNextAppendAcks(n: number): void;
  /** Append an event to a system stream (stream name and type starting with '$'), as a real server does all the time. */
  appendSystemEvent(): void;
  /** Count of all events stored (including system ones), for tests. */
  readonly eventCount: number;
  /** Open subscription calls with how far each has got (events handed to gRPC, caught up or not). */
  subscriptions(): SubscriptionInfo[];
}

/** Starts a test server on 127.0.0.1 (any free port unless `port` is given). */
export async function startEsdbTestServer(options: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
  const server = new InMemoryEsdbServer(options);
  await server.listen();
  return server;
}
