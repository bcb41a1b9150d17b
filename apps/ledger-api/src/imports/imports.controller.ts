import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { Controller, Get, HttpCode, Inject, Injectable, Param, Post, Query, Req, Res, type OnApplicationShutdown } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import { strictObject, Uuid } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import type { LedgerConfig } from '#runtime/config';
import { ParamsFrom, QueryFrom } from '../docs/from-codec';
import { apiKeyOf } from '../http/access';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { idempotencyKeyOf } from '../http/command-context.factory';
import { decodeOrThrow } from '../http/decode';
import { httpProblem, ProblemException, toProblem } from '../http/problem';
import { deterministicUuid } from '../ledger/ids';
import { LEDGER_CONFIG } from '../ledger/ledger.module';
import type { ImportEngine, ImportReport } from './import-engine';
import type { ImportFormat } from './import-records';
import { Importer } from './run-import';

/** The largest file `POST /imports` takes (larger: `ledger import` on the host reads any size). */
export const IMPORT_BODY_LIMIT_BYTES = 512 * 1024 * 1024;

/** What `POST /imports` reads, by content type. */
const FORMATS: Record<string, ImportFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/ndjson': 'ndjson' };

/**
 * The import bodies reach the route as the request's own stream (Fastify's body limit is for
 * the JSON routes): the route counts the bytes itself, against IMPORT_BODY_LIMIT_BYTES.
 */
export function acceptImportBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(Object.keys(FORMATS), (_request, payload, done) => done(null, payload));
}

export const ImportQueryC = annotate(strictObject('import query', {}, { dryRun: t.keyof({ true: null, false: null }) }), {
  properties: { dryRun: { description: 'true: check every row and report what would happen, writing nothing' } },
});
export const ImportPathC = t.type({ importId: Uuid });

/**
 * The imports this process started, with their live reports (kept in memory: after a restart the
 * events remain, and the same file posted again resumes, skipping what was written).
 */
@Injectable()
export class ImportJobs implements OnApplicationShutdown {
  private readonly jobs = new Map<string, { readonly engine: ImportEngine; readonly request: string }>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();

  constructor(
    @Inject(Importer) private readonly importer: Importer,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** Keeps the upload in the data directory (so the request ends, and the body limit holds), then imports it in the background. */
  async submit(
    body: Readable,
    format: ImportFormat,
    actor: string,
    dryRun: boolean,
    idempotencyKey: string | undefined,
  ): Promise<{ readonly importId: string; readonly replayed: boolean }> {
    // With an Idempotency-Key the import's id is the key's (per key holder): a retried upload is the same import.
    const importId = idempotencyKey === undefined ? randomUUID() : deterministicUuid('import', actor, idempotencyKey);
    const dir = join(this.config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Received under a name of its own: a retry must not overwrite the file its first upload is importing from.
    const upload = join(dir, `${importId}.${randomUUID()}.upload`);
    const file = join(dir, `${importId}.${format}`);
    let bytes = 0;
    const digest = createHash('sha256');
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        digest.update(chunk);
        callback(bytes > IMPORT_BODY_LIMIT_BYTES ? new BodyTooLarge() : null, chunk);
      },
    });
    try {
      await pipeline(body, limit, createWriteStream(upload, { mode: 0o600 }));
    } catch (error) {
      rmSync(upload, { force: true });
      if (error instanceof BodyTooLarge) {
        throw new ProblemException(
          httpProblem(
            413,
            'Payload too large',
            `An import file may be at most ${IMPORT_BODY_LIMIT_BYTES / 1024 / 1024} MiB; larger ones: ledger import on the host.`,
          ),
        );
      }
      // The client went away mid-upload: nothing was imported. Anything else (the disk) is ours.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_STREAM_PREMATURE_CLOSE' && code !== 'ECONNRESET' && code !== 'ECONNABORTED') throw error;
      throw new ProblemException(httpProblem(400, 'Upload incomplete', 'The file was not received whole; nothing was imported. Send it again.'));
    }
    // The same key with the same file and options is the same import; with another, a client error.
    const request = `${format}\n${String(dryRun)}\n${digest.digest('hex')}`;
    const earlier = this.jobs.get(importId);
    if (earlier !== undefined) {
      rmSync(upload, { force: true });
      if (earlier.request !== request) throw new ProblemException(toProblem({ _tag: 'IdempotencyKeyReused' }));
      return { importId, replayed: true };
    }
    renameSync(upload, file);
    const { engine, done } = await this.importer.start(createReadStream(file, { highWaterMark: 256 * 1024 }), {
      importId,
      actor,
      format,
      dryRun,
      signal: this.stop.signal,
    });
    this.jobs.set(importId, { engine, request });
    const settled = done.finally(() => {
      rmSync(file, { force: true });
      this.running.delete(settled);
    });
    this.running.add(settled);
    return { importId, replayed: false };
  }

  report(importId: string): ImportReport | undefined {
    return this.jobs.get(importId)?.engine.report;
  }

  /** Shutdown stops the imports at the next row; what they wrote stays, and posting the file again resumes. */
  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.running);
  }
}

class BodyTooLarge extends Error {}

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(@Inject(ImportJobs) private readonly jobs: ImportJobs) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: "Import another program's customers, balances and history (a CSV or NDJSON file, docs/import.md); admin only",
    description: `The body is the file, streamed: content type text/csv or application/x-ndjson, at most ${IMPORT_BODY_LIMIT_BYTES / 1024 / 1024} MiB. Answers 202 at once; GET /imports/{importId} follows the import.`,
  })
  @ApiHeader({
    ...IDEMPOTENCY_HEADER,
    description:
      'Makes the upload safe to retry: the same key with the same file (and dryRun) answers the same importId (Idempotent-Replayed: true) and starts nothing new; with a different file, 422. Without a key a repeated upload is a new import that writes nothing twice (ids come from the rows).',
  })
  @ApiConsumes(...Object.keys(FORMATS))
  @ApiBody({ required: true, schema: { type: 'string', format: 'binary', description: 'the import file (docs/import.md): CSV with a header, or NDJSON' } })
  @QueryFrom(ImportQueryC)
  @ApiResponse({ status: 202, description: '{importId}; Location: /imports/{importId}' })
  @ApiResponse({ status: 413, description: 'the file is over the limit' })
  @ApiResponse({ status: 415, description: 'neither text/csv nor application/x-ndjson' })
  async submit(@Req() request: FastifyRequest, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { dryRun } = decodeOrThrow(ImportQueryC, query);
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format = FORMATS[type];
    const body = request.body as Readable | undefined;
    if (format === undefined || body === undefined || typeof body.pipe !== 'function') {
      throw new ProblemException(httpProblem(415, 'Unsupported media type', 'An import is a text/csv or application/x-ndjson body.'));
    }
    const key = idempotencyKeyOf(request);
    const { importId, replayed } = await this.jobs.submit(body, format, apiKeyOf(request)?.name ?? 'unknown', dryRun === 'true', key);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    void reply.header('location', `/imports/${importId}`);
    return { importId };
  }

  @Get(':importId')
  @ApiOperation({ summary: "An import's status: rows read, applied, skipped (imported before), refused (line and reason), points; admin only" })
  @ParamsFrom(ImportPathC)
  @ApiResponse({ status: 200, description: '{importId, status, dryRun, rows, byKind, points, refusals, refusalsOmitted, position}' })
  @ApiResponse({ status: 404, description: 'no import of that id since the API started' })
  status(@Param() params: unknown) {
    const { importId } = decodeOrThrow(ImportPathC, params);
    const report = this.jobs.report(importId);
    if (report === undefined) throw new ProblemException(httpProblem(404, 'Import not found', 'No import with this id was started since the API started.'));
    return report;
  }
}
