import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpProblem } from '../http/problem';

/**
 * The back-office console (apps/ledger-console, built by `npm run build` into dist/console),
 * served at /console by a few plain routes, as /docs is (@fastify/static is ESM-only and cannot
 * load under Jest). Public: the page holds no data; everything it shows comes from the API with
 * the key the user signs in with.
 *
 * - `/console/assets/*`: content-hashed files, cached for a year (`immutable`);
 * - everything else below /console is the single page, `index.html`, revalidated every time
 *   (`no-cache` and an ETag), so a new build is picked up at once.
 * Files are read once at start-up, with the gzip and Brotli variants the build wrote beside them.
 */
export const CONSOLE_PATH = '/console';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Only the console's own assets: scripts and styles from this origin, the styles Mantine and
 * Recharts set inline, API calls to this origin; no framing, no plugins, no foreign form targets.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface ConsoleFile {
  readonly body: Buffer;
  readonly br?: Buffer;
  readonly gzip?: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The repository root (source tree) or the folder holding dist/ (built, or the image's /app): where package.json is. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** Where `npm run build` puts the console: dist/console next to the compiled API. */
export const consoleDir = (): string => join(packageRoot(__dirname), 'dist', 'console');

function readTree(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!name.endsWith('.gz') && !name.endsWith('.br')) {
        const body = readFileSync(full);
        const variant = (suffix: string) => (existsSync(full + suffix) ? readFileSync(full + suffix) : undefined);
        const br = variant('.br');
        const gzip = variant('.gz');
        files.set(relative(dir, full).split(sep).join('/'), {
          body,
          ...(br && { br }),
          ...(gzip && { gzip }),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        });
      }
    }
  };
  walk(dir);
  return files;
}

/** `br` or `gzip` if the client takes it (and has not refused it with q=0). */
function encodingFor(request: FastifyRequest, file: ConsoleFile): 'br' | 'gzip' | undefined {
  const header = request.headers['accept-encoding'];
  const accepted = (Array.isArray(header) ? header.join(',') : (header ?? '')).toLowerCase();
  const takes = (name: string) => accepted.split(',').some((part) => part.trim().split(';')[0] === name && !/;\s*q=0(\.0*)?\s*$/.test(part.trim()));
  if (file.br && takes('br')) return 'br';
  if (file.gzip && takes('gzip')) return 'gzip';
  return undefined;
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, cacheControl: string, extra: Record<string, string> = {}) {
  void reply
    .header('cache-control', cacheControl)
    .header('content-type', file.type)
    .header('x-content-type-options', 'nosniff')
    .header('etag', file.etag)
    .header('vary', 'accept-encoding');
  for (const [name, value] of Object.entries(extra)) void reply.header(name, value);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const encoding = encodingFor(request, file);
  if (encoding !== undefined) void reply.header('content-encoding', encoding);
  return reply.send(encoding === 'br' ? file.br : encoding === 'gzip' ? file.gzip : file.body);
}

const notFound = (reply: FastifyReply, detail: string) =>
  reply
    .code(404)
    .type('application/problem+json')
    .send({ ...httpProblem(404, 'Not found', detail) });

/** Mounts GET (and HEAD) /console and /console/* on the API. */
export function mountConsole(app: NestFastifyApplication, dir: string = consoleDir()): void {
  registerConsoleRoutes(app.getHttpAdapter().getInstance(), dir);
}

/** The routes themselves, on any Fastify instance, serving the build in `dir` (read now). */
export function registerConsoleRoutes(fastify: FastifyInstance, dir: string): void {
  const files = readTree(dir);
  const index = files.get('index.html');
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    if (index === undefined) {
      return reply
        .code(503)
        .type('application/problem+json')
        .send({
          ...httpProblem(503, 'Console not built', 'The console has not been built: run `npm run build` (npm start does it), then start the API again.'),
        });
    }
    return send(request, reply, index, 'no-cache', {
      'content-security-policy': CONSOLE_CSP,
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
  };
  fastify.get(CONSOLE_PATH, page);
  fastify.get(`${CONSOLE_PATH}/*`, (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const wanted = request.params['*'];
    const file = files.get(wanted);
    if (wanted.startsWith('assets/')) {
      return file === undefined
        ? notFound(reply, 'No such console asset (it may belong to an older build: reload the page).')
        : send(request, reply, file, 'public, max-age=31536000, immutable');
    }
    if (file !== undefined && wanted !== 'index.html') return send(request, reply, file, 'no-cache');
    // A file name that is not in the build: 404 rather than the page, so a broken link shows as one.
    if (/\.[a-z0-9]{1,8}$/i.test(wanted) && wanted !== 'index.html') return notFound(reply, 'No such console file.');
    // Any other path below /console is a page of the console: the same single page renders it.
    return page(request, reply);
  });
}
