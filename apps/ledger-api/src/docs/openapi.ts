import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

/**
 * OpenAPI JSON at /docs-json and Swagger UI at /docs. The UI is served from swagger-ui-dist by
 * three plain routes rather than through @fastify/static, whose current release is ESM-only
 * and cannot load under Jest on Node 20.
 */
export function mountOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('loyalty-ledger')
    .setDescription(
      'Event-sourced loyalty points ledger: back-office command API. Errors are application/problem+json (RFC 7807). ' +
        'Request schemas are generated from the codecs that validate the requests; in a JSON body, an optional field sent as null is treated as absent.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key secret (see README, "Access")' }, 'apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Every route needs a key; /docs and /docs-json are served outside the API and need none.
  document.security = [{ apiKey: [] }];
  SwaggerModule.setup('docs', app, document, { swaggerUiEnabled: false, jsonDocumentUrl: 'docs-json', raw: ['json'] });

  const assets = getAbsoluteFSPath();
  const asset = (file: string) => readFileSync(join(assets, file));
  const fastify = app.getHttpAdapter().getInstance();
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>loyalty-ledger API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/docs-json', dom_id: '#swagger-ui' });</script></body></html>`;
  fastify.get('/docs', (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  fastify.get('/docs/swagger-ui.css', (_req, reply) => reply.type('text/css').send(asset('swagger-ui.css')));
  fastify.get('/docs/swagger-ui-bundle.js', (_req, reply) => reply.type('application/javascript').send(asset('swagger-ui-bundle.js')));
}
