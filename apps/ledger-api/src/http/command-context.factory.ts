import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../ledger/command-context';
import { canonicalJson, digestHex } from '#event-store/hash-chain';
import { commandIdFor } from '../ledger/ids';
import { apiKeyOf } from './access';
import { httpProblem, ProblemException } from './problem';

/** Never used behind the access guard (every command has a key); kept for requests built without one. */
export const PLACEHOLDER_ACTOR = 'unknown';

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Builds the command context of a request: its command id (derived from `Idempotency-Key`
 * when present, so a retry is the same command), correlation id, actor and server time.
 * The request fingerprint covers method, path and the decoded body, so the same key with a
 * different request is told apart from a retry.
 */
export function commandContextFor(request: FastifyRequest, body: unknown, now: Date): CommandContext {
  const key = idempotencyKeyOf(request);
  const correlation = header(request, 'x-correlation-id');
  const context: CommandContext = {
    commandId: commandIdFor(key),
    correlationId: correlation !== undefined && KEY.test(correlation) ? correlation : randomUUID(),
    actor: apiKeyOf(request)?.name ?? PLACEHOLDER_ACTOR,
    now,
  };
  if (key === undefined) return context;
  const fingerprint = digestHex(
    'sha256',
    `${request.method} ${request.routeOptions.url ?? request.url}\n${JSON.stringify(request.params ?? {})}\n${canonicalJson(body)}`,
  );
  return { ...context, idempotencyKey: key, requestFingerprint: fingerprint };
}

/** The request's `Idempotency-Key`, if any; one that is not 1 to 200 visible ASCII characters is a 400. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = header(request, 'idempotency-key');
  if (key !== undefined && !KEY.test(key)) {
    throw new ProblemException({
      ...httpProblem(400, 'Invalid Idempotency-Key', 'Idempotency-Key must be 1 to 200 visible ASCII characters.'),
      errors: [{ path: 'header.Idempotency-Key', message: 'expected 1 to 200 visible ASCII characters' }],
    });
  }
  return key;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export { canonicalJson };
