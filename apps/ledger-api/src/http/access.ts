import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { keyFor, type ApiKey, type Role } from '#runtime/api-keys';
import type { RateLimiter } from '#runtime/rate-limit';
import { httpProblem, ProblemException } from './problem';

export const API_KEYS = Symbol('API_KEYS');
export const RATE_LIMITER = Symbol('RATE_LIMITER');
const ACCESS = 'ledger:access';

/**
 * Which roles may call a route (admin always may). A route without this decorator is admin-only:
 * forgetting it locks a route down rather than opening it.
 */
export const Access = (...roles: readonly Exclude<Role, 'admin'>[]) => SetMetadata(ACCESS, roles);
/** No key needed (API documentation). */
export const Public = () => SetMetadata(ACCESS, 'public');

/** The key a request was made with; its name is the actor recorded on the events it writes. */
export const apiKeyOf = (request: FastifyRequest): ApiKey | undefined => (request as FastifyRequest & { apiKey?: ApiKey }).apiKey;

/**
 * `Authorization: Bearer <secret>` on every route but the public ones: 401 without a valid key,
 * 403 for the wrong role, 429 (with Retry-After) when the key is over its rate.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(API_KEYS) private readonly keys: readonly ApiKey[],
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter | null,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const allowed = this.reflector.getAllAndOverride<readonly Role[] | 'public' | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (allowed === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(request.headers.authorization ?? '');
    const key = match === null ? undefined : keyFor(this.keys, match[1]!);
    if (key === undefined) {
      throw new ProblemException({
        ...httpProblem(401, 'Unauthorized', 'Send a valid API key as "Authorization: Bearer <secret>".'),
        type: 'https://loyalty-ledger.dev/problems/unauthorized',
      });
    }
    if (key.role !== 'admin' && !(allowed ?? []).includes(key.role)) {
      throw new ProblemException({
        ...httpProblem(403, 'Forbidden', `The ${key.role} role may not use this route.`),
        type: 'https://loyalty-ledger.dev/problems/forbidden',
      });
    }
    const wait = this.limiter?.take(key.name) ?? 0;
    if (wait > 0) {
      throw new ProblemException({
        ...httpProblem(429, 'Too many requests', `This key is over its request rate; retry in ${wait} s.`),
        type: 'https://loyalty-ledger.dev/problems/rate-limited',
        retryAfterSeconds: wait,
      });
    }
    (request as FastifyRequest & { apiKey?: ApiKey }).apiKey = key;
    return true;
  }
}
