import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventStore } from '#event-store/event-store.port';
import { createApp } from '../../apps/ledger-api/src/app';
import type { LedgerConfig } from '#runtime/config';
import { tempDir } from './temp-dir';
import { parseApiKeys } from '#runtime/api-keys';
import { testStore, testStoreKind, type TestStoreKind } from './test-store';

/** The secret of the admin key every test ledger starts with (its name: `back-office`). */
export const TEST_ADMIN_SECRET = 'test-admin-secret-0123456789abcdef';

/**
 * A JSON body as the tests read it: any shape, inspected by the assertions themselves (what the
 * API promises is pinned by those assertions and by the OpenAPI test, not by a type here).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpResult<T = Json> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface RunningLedger {
  readonly baseUrl: string;
  readonly app: NestFastifyApplication;
  readonly dataDir: string;
  /** Environment for a child process (the CLI, the projector) to find the same data and store. */
  readonly childEnv: Record<string, string>;
  /** A second handle on the same store, for asserting what was (not) written. */
  readonly store: EventStore;
  request<T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult<T>>;
  /** Stops the API (and, unless `keepData`, deletes the data directory). */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data directory (restart tests). */
  readonly dataDir?: string;
  readonly clock?: () => Date;
  readonly demoProgram?: boolean;
  /** Wraps the API's event store, e.g. to hide multi-stream appends as EventStoreDB would. */
  readonly wrapStore?: (store: EventStore) => EventStore;
  readonly rateLimitPerSecond?: number;
  /** Capture the request logs (JSON lines); without it they are off. */
  readonly logStream?: NodeJS.WritableStream;
  /** Extra keys as `name:role:secret`. */
  readonly apiKeys?: readonly string[];
  /** PostgreSQL for the read models (default: SQLite in the data directory). */
  readonly readDbUrl?: string;
  readonly projector?: 'inline' | 'off';
  /** The store of record (default: LEDGER_TEST_STORE, else embedded). */
  readonly storeKind?: TestStoreKind;
  readonly reactions?: 'inline' | 'off';
  readonly lifecycle?: 'inline' | 'off';
  readonly lifecycleIntervalMs?: number;
}

/**
 * Starts the real API on a real SQLite file in a temp directory, listening on a random
 * loopback port, and talks to it over HTTP with fetch.
 */
export async function startLedger(options: StartOptions = {}): Promise<RunningLedger> {
  const dir = options.dataDir === undefined ? tempDir('ledger-e2e-') : { path: options.dataDir, cleanup: () => undefined };
  const storage = await testStore(options.storeKind ?? testStoreKind(), dir.path, { owner: options.dataDir === undefined });
  const config: LedgerConfig = {
    port: 0,
    host: '127.0.0.1',
    dataDir: dir.path,
    demoProgram: options.demoProgram ?? true,
    readDbUrl: options.readDbUrl,
    projector: options.projector ?? 'inline',
    reactions: options.reactions ?? 'inline',
    lifecycle: options.lifecycle ?? 'inline',
    // Fast, so tests that move the clock see activations without waiting long.
    lifecycleIntervalMs: options.lifecycleIntervalMs ?? 200,
    // One admin key, named like the back-office user the tests play; more via `apiKeys`.
    apiKeys: parseApiKeys([`back-office:admin:${TEST_ADMIN_SECRET}`, ...(options.apiKeys ?? [])].join(',')),
    environment: 'development',
    // Tests fire thousands of requests from one key on purpose; the rate-limit test sets its own.
    rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
    logFormat: 'json',
    store: storage.config,
  };
  const wrapped = options.wrapStore?.(storage.open());
  const app = await createApp(config, {
    logger: ['error'],
    requestLogLevel: options.logStream === undefined ? 'silent' : 'info',
    ...(options.logStream && { logStream: options.logStream }),
    ...(options.clock && { clock: options.clock }),
    ...(wrapped && { store: wrapped }),
  });
  // A deep accept queue: fault tests open thousands of connections at once, and an overflowing
  // queue answers with resets that say nothing about the ledger.
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const store = storage.open();

  return {
    baseUrl,
    app,
    dataDir: dir.path,
    childEnv: {
      LEDGER_DATA_DIR: dir.path,
      ...(config.store.kind === 'eventstoredb' && { LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: config.store.connectionString }),
      ...(config.readDbUrl !== undefined && { LEDGER_READ_DB_URL: config.readDbUrl }),
    },
    store,
    async request(method, path, body, headers = {}) {
      // As the admin key unless the test says otherwise (another key, or `authorization: ''` for none).
      const withAuth: Record<string, string> = { authorization: `Bearer ${TEST_ADMIN_SECRET}`, ...headers };
      if (withAuth['authorization'] === '') delete withAuth['authorization'];
      const init: RequestInit = { method, headers: withAuth };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl}${path}`, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return { status: response.status, headers: response.headers, body: parsed as Json };
    },
    async close({ keepData = false } = {}) {
      await app.close();
      await store.close();
      await storage.release({ keepData });
      if (!keepData) dir.cleanup();
    },
  };
}

/** Enrols a customer with a unique e-mail and returns its id. */
export async function enrolCustomer(ledger: RunningLedger, fields: Record<string, unknown> = {}): Promise<string> {
  const email = `customer-${Math.random().toString(36).slice(2)}@example.com`;
  const response = await ledger.request('POST', '/customers', { email, ...fields });
  if (response.status !== 201) throw new Error(`enrolment failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.customerId as string;
}
