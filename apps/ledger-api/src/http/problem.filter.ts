import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { StoreUnavailableError } from '#event-store/event-store.port';
import { httpProblem, ProblemException, storeUnavailableProblem, type Problem } from './problem';

/**
 * Turns anything thrown while handling a request into problem+json. Client errors raised by
 * Fastify itself (malformed JSON, body too large, wrong content type) keep their 4xx status;
 * anything unexpected is a 500 whose detail says nothing about internals (it is logged).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    sendProblem(reply, problemFor(exception, this.logger));
  }
}

export function problemFor(exception: unknown, logger: Logger): Problem {
  if (exception instanceof ProblemException) return exception.problem;
  // Not a bug: the store cannot take it now (logged once by StoreWriteHealth, counted by /metrics).
  if (exception instanceof StoreUnavailableError) return storeUnavailableProblem();
  if (exception instanceof HttpException) {
    // Nest's own messages quote the request line ("Cannot GET /…?email=…"): keep only fixed text.
    const status = exception.getStatus();
    return httpProblem(status, titleFor(status), status === 404 ? 'No route matches this method and path.' : clientErrorDetail(exception, status));
  }
  const status = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return httpProblem(status, titleFor(status), clientErrorDetail(exception, status));
  }
  logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return httpProblem(
    500,
    'Internal error',
    'The request could not be completed. Nothing was written unless a success response was returned earlier for the same Idempotency-Key.',
  );
}

export function sendProblem(reply: FastifyReply, problem: Problem): void {
  if (typeof problem['retryAfterSeconds'] === 'number') void reply.header('retry-after', String(problem['retryAfterSeconds']));
  if (problem.status === 401) void reply.header('www-authenticate', 'Bearer realm="loyalty-ledger"');
  void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
}

function titleFor(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 404:
      return 'Not found';
    case 405:
      return 'Method not allowed';
    case 413:
      return 'Payload too large';
    case 414:
      return 'URI too long';
    case 415:
      return 'Unsupported media type';
    case 503:
      return 'Service unavailable';
    default:
      return 'Client error';
  }
}

/** Fastify's own messages can quote the input (e.g. JSON parse errors): keep only a fixed text. */
function clientErrorDetail(exception: unknown, status: number): string {
  const code = (exception as { code?: unknown })?.code;
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The body is empty but the content type is JSON.';
  if (code === 'FST_ERR_BAD_URL') return 'The URL is not validly percent-encoded.';
  if (status === 400) return 'The body is not valid JSON.';
  if (status === 414) return 'A path segment is longer than allowed.';
  if (status === 413) return 'The body is larger than the limit.';
  if (status === 415) return 'Send the body as application/json.';
  if (status === 503) return 'The service cannot answer now; retry shortly.';
  return 'The request was refused.';
}
