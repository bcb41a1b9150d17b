import pg from 'pg';
import type { EventStore } from '#event-store/event-store.port';
import { ReadSide } from '../../apps/ledger-api/src/read-models/read-side';
import { startLedger, TEST_ADMIN_SECRET, type HttpResult, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';
import { freshPostgresDatabase } from '../support/postgres';

/**
 * GET /health/live and GET /health/ready: no key, no rate limit, terminus's body when up, and
 * problem+json naming the failing check (without the cause's internals) when a dependency is down.
 */

/** What the store's headPosition does: answer, fail the way a lost connection does, or never answer. */
type StoreFault = 'none' | 'failing' | 'hanging';

/** A secret-looking cause: none of it may reach the unauthenticated caller. */
const CAUSE = 'connect ECONNREFUSED 10.9.8.7:2113 (esdb://admin:changeit@10.9.8.7:2113)';

function withFaultyHead(store: EventStore, fault: () => StoreFault): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'headPosition') {
        return () => {
          const now = fault();
          if (now === 'failing') return Promise.reject(new Error(CAUSE));
          if (now === 'hanging') return new Promise<bigint>(() => {});
          return target.headPosition();
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const noKey = { authorization: '' };

function expectNotReady(response: HttpResult, failing: string, message: RegExp): void {
  expectProblem(response, 503, 'not-ready');
  expect(response.body.error).toEqual({ [failing]: { status: 'down', message: expect.stringMatching(message) } });
  expect(response.body.details[failing]).toEqual(response.body.error[failing]);
  expect(response.body.detail).toBe(`Not ready: ${failing} is down.`);
  expect(response.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
  expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|changeit|esdb:|postgres:|ledger_test_|\.sqlite|\bat \w+ \(/);
}

describe('health endpoints', () => {
  let fault: StoreFault = 'none';
  let ledger: RunningLedger;
  beforeAll(async () => {
    // One key at 1 request/s (bursts of 2), so the key is soon over its rate.
    ledger = await startLedger({ wrapStore: (store) => withFaultyHead(store, () => fault), rateLimitPerSecond: 1 });
  });
  afterEach(() => {
    fault = 'none';
  });
  afterAll(async () => {
    await ledger.close();
  });

  it("answers liveness with 200 and terminus's body, without a key", async () => {
    const live = await ledger.request('GET', '/health/live', undefined, noKey);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^application\/json/);
    expect(live.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    expect(live.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('answers readiness with 200 when the event store and the read models answer, with the projection for information', async () => {
    const ready = await ledger.request('GET', '/health/ready', undefined, noKey);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      info: ready.body.details,
      error: {},
      details: {
        eventStore: { status: 'up' },
        eventStoreWrites: { status: 'up' },
        readModels: { status: 'up', projection: { projector: 'inline', healthy: true, lag: expect.stringMatching(/^\d+$/) } },
        chainIntegrity: { status: 'up', state: 'intact', quarantined: 0 },
      },
    });
  });

  it('is 503 naming eventStore when the store fails, without quoting the cause; liveness stays 200', async () => {
    fault = 'failing';
    expectNotReady(await ledger.request('GET', '/health/ready', undefined, noKey), 'eventStore', /^unreachable or failing/);
    // The read models still answer: reported up, only their lag is unknown while the store is down.
    const again = await ledger.request('GET', '/health/ready', undefined, noKey);
    expect(again.body.info).toEqual({
      eventStoreWrites: { status: 'up' },
      readModels: { status: 'up', projection: { projector: 'inline', healthy: true } },
      chainIntegrity: { status: 'up', state: 'intact', quarantined: 0 },
    });
    expect((await ledger.request('GET', '/health/live', undefined, noKey)).status).toBe(200);
    fault = 'none';
    expect((await ledger.request('GET', '/health/ready', undefined, noKey)).status).toBe(200);
  });

  it('is 503 naming eventStore when the store does not answer within the timeout', async () => {
    fault = 'hanging';
    const started = Date.now();
    expectNotReady(await ledger.request('GET', '/health/ready', undefined, noKey), 'eventStore', /^no answer within 1000 ms$/);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('answers while the key that calls them is over its rate, and does not use up its budget', async () => {
    const key = { authorization: `Bearer ${TEST_ADMIN_SECRET}` };
    let limited: HttpResult | undefined;
    for (let i = 0; i < 5 && limited === undefined; i++) {
      const response = await ledger.request('GET', '/program', undefined, key);
      if (response.status === 429) limited = response;
    }
    expect(limited?.status).toBe(429);
    for (let i = 0; i < 20; i++) {
      for (const path of ['/health/live', '/health/ready']) {
        expect(`${path} ${(await ledger.request('GET', path, undefined, i % 2 === 0 ? noKey : key)).status}`).toBe(`${path} 200`);
      }
    }
  });

  it('is documented in OpenAPI as needing no key', async () => {
    const document = (await ledger.request('GET', '/docs-json', undefined, noKey)).body;
    for (const path of ['/health/live', '/health/ready']) {
      const operation = document.paths[path]?.get;
      expect(operation).toEqual(expect.objectContaining({ security: [], tags: ['health'] }));
      expect(Object.keys(operation.responses).sort()).toEqual(['200', '503']);
    }
  });
});

describe('readiness when the read-model database is gone', () => {
  it('is 503 naming readModels when the SQLite read models are closed; liveness stays 200', async () => {
    const ledger = await startLedger();
    try {
      expect((await ledger.request('GET', '/health/ready', undefined, noKey)).status).toBe(200);
      await ledger.app.get(ReadSide).database.close();
      expectNotReady(await ledger.request('GET', '/health/ready', undefined, noKey), 'readModels', /^unreachable or failing/);
      expect((await ledger.request('GET', '/health/live', undefined, noKey)).status).toBe(200);
    } finally {
      await ledger.close();
    }
  });

  it('is 503 naming readModels while PostgreSQL refuses connections, and 200 again once it accepts them', async () => {
    const database = await freshPostgresDatabase();
    const name = new URL(database.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env['LEDGER_TEST_PG_URL'] });
    await admin.connect();
    const ledger = await startLedger({ readDbUrl: database.url });
    try {
      expect((await ledger.request('GET', '/health/ready', undefined, noKey)).status).toBe(200);
      // As good as unreachable: no new connections, and the open ones are cut.
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      expectNotReady(await ledger.request('GET', '/health/ready', undefined, noKey), 'readModels', /^unreachable or failing/);
      expect((await ledger.request('GET', '/health/live', undefined, noKey)).status).toBe(200);

      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      const ready = await ledger.request('GET', '/health/ready', undefined, noKey);
      expect({ status: ready.status, readModels: ready.body.details?.readModels?.status }).toEqual({ status: 200, readModels: 'up' });
    } finally {
      await ledger.close();
      await admin.end();
      await database.drop();
    }
  });
});
