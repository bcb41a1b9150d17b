import { Logger, type LogLevel } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type pino from 'pino';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { problemFor, sendProblem } from './http/problem.filter';
import { httpParserProblem, shuttingDownProblem, type Problem } from './http/problem';
import { refuseDuplicateKeys } from './http/json-body';
import { acceptImportBodies } from './imports/imports.controller';
import { flagQuarantinedReads } from './http/integrity-flag';
import { CustomerStreams } from './ledger/ledger.module';
import { Quarantine } from './ledger/quarantine';
import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventStore } from '#event-store/event-store.port';
import { AppModule } from './app.module';
import type { LedgerConfig } from '#runtime/config';
import { mountOpenApi } from './docs/openapi';
import { mountConsole } from './console/console-static';
import { DemoData } from './demo/demo-data';
import { Metrics } from './metrics/metrics';
import { applicationLogger, requestLogger, type LogFormat } from './logging';
import type { Clock } from './ledger/ledger.module';

/** Largest accepted request body. Commands are small; anything near this is a mistake or abuse. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppOptions {
  readonly store?: EventStore;
  readonly clock?: Clock;
  readonly logger?: false | LogLevel[];
  /** Where request logs go (JSON lines); default stdout. */
  readonly logStream?: NodeJS.WritableStream;
  /** Request log level; `silent` turns request logs off. */
  readonly requestLogLevel?: pino.LevelWithSilent;
  /** JSON lines (default) or readable lines for a terminal (see `resolveLogFormat`). */
  readonly logFormat?: LogFormat;
}

/** Writes a problem straight to the socket: the parser failed, so there is no request to reply to. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem: Problem = httpParserProblem(error.code);
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
        `Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Builds the HTTP application (not yet listening). Shared by `main.ts`, the tests and the benchmark. */
export async function createApp(config: LedgerConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const logger = new Logger('HTTP');
  const adapter = new FastifyAdapter({
    loggerInstance: requestLogger(options.requestLogLevel ?? 'info', options.logFormat, options.logStream),
    // Our own request id for every request (a caller's header is not trusted into the logs).
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    // Errors of Fastify's router (bad percent-encoding, over-long parameters) happen before Nest
    // sees the request: answer them as problem+json too, without quoting the URL.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, problemFor(error, logger)),
    // Errors of Node's HTTP parser (bad chunked framing, Content-Length with Transfer-Encoding,
    // a NUL in a header, headers over 16 KiB) never become a request: answer on the socket.
    clientErrorHandler: answerClientError,
    // Fastify's own 503 while closing is plain JSON: the onRequest hook below answers problem+json.
    return503OnClosing: false,
  });
  const overrides = { ...(options.store && { store: options.store }), ...(options.clock && { clock: options.clock }) };
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, overrides), adapter, {
    logger: applicationLogger(options.logFormat ?? 'json', options.logger === false ? [] : (options.logger ?? ['log', 'warn', 'error'])),
    abortOnError: false,
    // Fastify's own JSON parser only: Nest's would add form-encoded bodies, which no route takes.
    bodyParser: false,
  });
  // Commands are JSON only: without these parsers a form or text body is a 415, not a lookalike object.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  refuseDuplicateKeys(fastify);
  acceptImportBodies(fastify);
  // During shutdown, requests still arriving on open connections get a problem and the connection closes.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!closing) {
      done();
      return;
    }
    void reply.header('connection', 'close');
    sendProblem(reply, shuttingDownProblem());
  });
  flagQuarantinedReads(fastify, app.get(CustomerStreams), app.get(Quarantine));
  // Nest routes Fastify's own errors (bad JSON, body too large, wrong content type) and unknown
  // routes through the global ProblemFilter, so every error leaves as problem+json.
  app.get(Metrics).instrument(fastify);
  mountOpenApi(app);
  // The back-office console (apps/ledger-console), public static files at /console.
  mountConsole(app);
  app.enableShutdownHooks();
  await app.init();
  // After init, so the demo program (configured on bootstrap) is in place; before listening.
  if (config.demoData === true) await app.get(DemoData).load();
  return app;
}
