import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import type { LedgerConfig } from '#runtime/config';

/**
 * How the API writes its logs. JSON lines for machines (log shippers, `jq`); readable lines for a
 * person at a terminal. Both carry the same content and the same redactions.
 */
export type LogFormat = 'json' | 'pretty';

/**
 * Readable on a terminal, JSON everywhere else: when stdout is not a terminal (a pipe, a file, a
 * container's log driver), in production whatever the setting, and when `LEDGER_LOG_FORMAT=json`.
 * `LEDGER_LOG_FORMAT=pretty` asks for readable lines without a terminal (outside production).
 */
export function resolveLogFormat(config: Pick<LedgerConfig, 'logFormat' | 'environment'>, stdoutIsTerminal: boolean): LogFormat {
  if (config.environment === 'production' || config.logFormat === 'json') return 'json';
  if (config.logFormat === 'pretty') return 'pretty';
  return stdoutIsTerminal ? 'pretty' : 'json';
}

/**
 * Nest's own logger, in its JSON or its console format. On a terminal the framework's start-up
 * chatter (one line per module and per route) is left out, so the lines a person needs (the
 * address, the data directory, a first-start admin secret) are not buried; JSON keeps them all.
 */
export function applicationLogger(format: LogFormat, logLevels: LogLevel[]): ConsoleLogger {
  return format === 'json' ? new ConsoleLogger({ json: true, logLevels }) : new StartupQuietLogger({ logLevels, colors: process.stdout.isTTY === true });
}

const FRAMEWORK_START_UP = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

class StartupQuietLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    if (FRAMEWORK_START_UP.has(String(rest[rest.length - 1]))) return;
    super.log(message, ...rest);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path word of ours (`customers`, `history.csv`): never a person's e-mail, phone or name. */
const ROUTE_WORD = /^[a-z][a-z-]{0,40}(\.csv|\.json)?$/;

interface LoggedRequest {
  readonly id?: unknown;
  readonly method?: string;
  readonly url?: string;
  readonly routeOptions?: { readonly url?: string | undefined };
  readonly params?: unknown;
}

/**
 * The path as logged: the route template with each parameter that is an id (a UUID) filled in and
 * any other left as `:name`, so a personal datum put in a path (`/customers/someone@example.com`)
 * never reaches the logs. Unmatched paths keep route words and UUIDs only; the query string never.
 */
export function loggedPath(req: LoggedRequest): string {
  const template = req.routeOptions?.url;
  if (template !== undefined) {
    const params = (req.params ?? {}) as Record<string, unknown>;
    return template.replace(/:([A-Za-z0-9_]+)/g, (whole, name: string) => {
      const value = params[name];
      return typeof value === 'string' && UUID.test(value) ? value : whole;
    });
  }
  return (req.url ?? '')
    .split('?')[0]!
    .split('/')
    .map((part) => (part === '' || UUID.test(part) || ROUTE_WORD.test(part) ? part : ':redacted'))
    .join('/');
}

/**
 * Request logs: one line per request with a request id, method, route template, path (ids only,
 * see loggedPath; never the query string, which may hold an e-mail or phone), status and time.
 * Secrets, contact details and idempotency keys are redacted wherever they appear. `pretty`
 * renders the same record through pino-pretty.
 */
export function requestLogger(level: pino.LevelWithSilent, format: LogFormat = 'json', stream: NodeJS.WritableStream = process.stdout): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'ledger-api' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["idempotency-key"]', '*.email', '*.phone', '*.secret', 'email', 'phone', 'authorization'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: LoggedRequest) => ({ id: req.id, method: req.method, route: req.routeOptions?.url ?? 'unmatched', path: loggedPath(req) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  if (format === 'json') return pino(options, stream as pino.DestinationStream);
  const pretty = pinoPretty({
    destination: stream,
    sync: true,
    colorize: (stream as { isTTY?: boolean }).isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,reqId,req,res,responseTime',
    // Fastify logs a request as two records tied by reqId: "GET /path" and "200 in 6 ms".
    messageFormat: (log, messageKey) => {
      const req = log['req'] as { method?: string; path?: string } | undefined;
      const res = log['res'] as { statusCode?: number } | undefined;
      const id = typeof log['reqId'] === 'string' ? ` (request ${log['reqId'].slice(0, 8)})` : '';
      if (req !== undefined) return `${req.method ?? ''} ${req.path ?? ''}${id}`;
      if (res !== undefined) return `${res.statusCode ?? ''} in ${Math.round(Number(log['responseTime'] ?? 0))} ms${id}`;
      return `${String(log[messageKey] ?? '')}${id}`;
    },
  });
  return pino(options, pretty);
}
