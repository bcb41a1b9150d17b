import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ApiKey } from '#runtime/api-keys';
import { commandContextFor, PLACEHOLDER_ACTOR } from './command-context.factory';
import { ProblemException, type Problem } from './problem';

/**
 * `commandContextFor` on real Fastify requests (`inject`): routes with path parameters, parsed
 * JSON bodies and real headers, each answering with the context it built (or the problem).
 */

const NOW = new Date('2026-11-23T10:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The context as JSON carries it (`now` as text). */
interface ContextJson {
  readonly commandId: string;
  readonly correlationId: string;
  readonly actor: string;
  readonly now: string;
  readonly idempotencyKey?: string;
  readonly requestFingerprint?: string;
}
type Answer = { readonly status: number; readonly context: ContextJson; readonly problem?: undefined } | { readonly status: number; readonly problem: Problem };

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify();
  // Stands in for the access guard, which puts the request's API key on the request.
  app.addHook('preHandler', (request, _reply, done) => {
    const name = request.headers['x-test-key-name'];
    if (typeof name === 'string') (request as FastifyRequest & { apiKey?: ApiKey }).apiKey = { name, role: 'operator', secretSha256: '0'.repeat(64) };
    done();
  });
  const answer = (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return reply.send({ context: commandContextFor(request, request.body, NOW) });
    } catch (error) {
      if (error instanceof ProblemException) return reply.code(error.problem.status).send({ problem: error.problem });
      throw error;
    }
  };
  app.post('/customers/:customerId/visits', answer);
  app.put('/customers/:customerId/visits', answer);
  app.post('/customers/:customerId/payments', answer);
  await app.ready();
});
afterAll(() => app.close());

const VISIT = { locationId: 'loc-bondi', occurredAt: '2026-11-23T09:58:00.000Z', kind: 'browse', source: 'scan' };

async function send(
  headers: Record<string, string> = {},
  { method = 'POST', url = '/customers/cus-1/visits', body = VISIT }: { method?: 'POST' | 'PUT'; url?: string; body?: object } = {},
): Promise<Answer> {
  const response = await app.inject({ method, url, headers, payload: body });
  return { status: response.statusCode, ...response.json<{ context: ContextJson } | { problem: Problem }>() };
}
async function contextOf(headers: Record<string, string> = {}, request: Parameters<typeof send>[1] = {}): Promise<ContextJson> {
  const answer = await send(headers, request);
  if (answer.problem !== undefined) throw new Error(`expected a context, got ${answer.status} ${JSON.stringify(answer.problem)}`);
  return answer.context;
}
const keyed = (key: string, request: Parameters<typeof send>[1] = {}) => contextOf({ 'idempotency-key': key }, request);

describe('commandContextFor', () => {
  describe('command id', () => {
    it('is derived from the Idempotency-Key: the same key is the same command, another key another', async () => {
      const [first, again, other] = await Promise.all([keyed('order-1'), keyed('order-1'), keyed('order-2')]);
      // Known answer (UUID v5 layout over SHA-1 of "idempotency-key\0order-1", from sha1sum): a
      // retry sent across a deploy must still be recognised as the same command.
      expect(first.commandId).toBe('0852d7c6-ac17-5090-bee8-383425aeb1dc');
      expect(again.commandId).toBe(first.commandId);
      expect(other.commandId).not.toBe(first.commandId);
      expect(first).toMatchObject({ idempotencyKey: 'order-1', now: NOW.toISOString() });
    });

    it('names the command by the key alone: the same key on another route is the same command, with another fingerprint', async () => {
      const visit = await keyed('order-1');
      const payment = await keyed('order-1', { url: '/customers/cus-1/payments' });
      expect(payment.commandId).toBe(visit.commandId);
      expect(payment.requestFingerprint).not.toBe(visit.requestFingerprint);
    });

    it('is fresh and random for every request without a key, which carries no key and no fingerprint', async () => {
      const contexts = await Promise.all([contextOf(), contextOf(), contextOf()]);
      expect(new Set(contexts.map((c) => c.commandId)).size).toBe(3);
      for (const context of contexts) {
        expect(context.commandId).toMatch(UUID);
        expect(context.commandId[14]).toBe('4');
        expect(context).not.toHaveProperty('idempotencyKey');
        expect(context).not.toHaveProperty('requestFingerprint');
      }
    });
  });

  describe('request fingerprint', () => {
    it('is SHA-256 of method, route, path parameters and the canonical body (known answer)', async () => {
      // printf '%s' 'POST /customers/:customerId/visits\n{"customerId":"cus-1"}\n<canonical body>' | sha256sum
      expect((await keyed('order-1')).requestFingerprint).toBe('3df5aa7119bebd1e8f740f40af1b4c9cd2f57a3accf388f53b95241fd38add76');
    });

    it('does not depend on the key order of the body', async () => {
      const reordered = { source: 'scan', kind: 'browse', occurredAt: '2026-11-23T09:58:00.000Z', locationId: 'loc-bondi' };
      expect((await keyed('k', { body: reordered })).requestFingerprint).toBe((await keyed('k')).requestFingerprint);
    });

    it.each<[string, Parameters<typeof send>[1]]>([
      ['another body', { body: { ...VISIT, kind: 'service' } }],
      ['a body with one more field', { body: { ...VISIT, notes: 'x' } }],
      ['another path parameter', { url: '/customers/cus-2/visits' }],
      ['another method', { method: 'PUT' }],
      ['another route', { url: '/customers/cus-1/payments' }],
    ])('differs for %s', async (_what, request) => {
      const [base, changed] = await Promise.all([keyed('k'), keyed('k', request)]);
      expect(base.requestFingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(changed.requestFingerprint).not.toBe(base.requestFingerprint);
    });
  });

  describe('actor', () => {
    it("is the name of the request's API key", async () => {
      expect((await contextOf({ 'x-test-key-name': 'till-bondi-1' })).actor).toBe('till-bondi-1');
    });

    it('is the placeholder for a request without one', async () => {
      expect((await contextOf()).actor).toBe(PLACEHOLDER_ACTOR);
    });
  });

  describe('correlation id', () => {
    it('is the X-Correlation-Id header when it is 1 to 200 visible ASCII characters', async () => {
      expect((await contextOf({ 'x-correlation-id': 'saga-42' })).correlationId).toBe('saga-42');
      expect((await contextOf({ 'x-correlation-id': '~'.repeat(200) })).correlationId).toBe('~'.repeat(200));
    });

    it.each([
      ['missing', {}],
      ['empty', { 'x-correlation-id': '' }],
      ['with a space', { 'x-correlation-id': 'saga 42' }],
      ['too long', { 'x-correlation-id': 'c'.repeat(201) }],
    ])('is a fresh id when the header is %s', async (_what, headers: Record<string, string>) => {
      const [first, second] = await Promise.all([contextOf(headers), contextOf(headers)]);
      expect(first.correlationId).toMatch(UUID);
      expect(second.correlationId).not.toBe(first.correlationId);
    });
  });

  describe('a malformed Idempotency-Key', () => {
    it.each([
      ['empty', ''],
      ['with a space', 'order 1'],
      ['with a tab', 'order\t1'],
      ['longer than 200 characters', 'k'.repeat(201)],
    ])('is a 400 problem naming the header when it is %s', async (_what, key) => {
      expect(await send({ 'idempotency-key': key })).toEqual({
        status: 400,
        problem: {
          type: 'https://loyalty-ledger.dev/problems/bad-request',
          title: 'Invalid Idempotency-Key',
          status: 400,
          detail: 'Idempotency-Key must be 1 to 200 visible ASCII characters.',
          errors: [{ path: 'header.Idempotency-Key', message: 'expected 1 to 200 visible ASCII characters' }],
        },
      });
    });

    it('is accepted up to 200 visible ASCII characters, punctuation included', async () => {
      const key = `!${'k'.repeat(198)}~`;
      expect(await keyed(key)).toMatchObject({ idempotencyKey: key, commandId: expect.stringMatching(UUID) as string });
    });
  });
});
