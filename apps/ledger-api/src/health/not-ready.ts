import type { HealthCheckResult } from '@nestjs/terminus';
import type { Problem } from '../http/problem';

/**
 * A failed readiness (or a shutting-down) check as problem+json: RFC 7807's members, and
 * terminus's `info`, `error` and `details` unchanged, so a monitor sees which check failed.
 * terminus's own `status` ("error") gives way to the HTTP status, as RFC 7807 wants. The check
 * messages are fixed texts written by the health slice: nothing here quotes an exception.
 */
export function notReadyProblem(result: HealthCheckResult): Problem {
  const down = Object.keys(result.error ?? {});
  const detail =
    result.status === 'shutting_down'
      ? 'The service is shutting down.'
      : down.length > 0
        ? `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`
        : 'Not ready.';
  return {
    type: 'https://loyalty-ledger.dev/problems/not-ready',
    title: result.status === 'shutting_down' ? 'Shutting down' : 'Not ready',
    status: 503,
    detail,
    info: result.info ?? {},
    error: result.error ?? {},
    details: result.details,
  };
}
