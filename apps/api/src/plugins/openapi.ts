import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PAGE_HEADERS } from '../lib/security-headers.js';
import { buildOpenApiDocument } from '../openapi/document.js';

/** The hashes of the inline scripts and styles of Swagger UI's page (@fastify/swagger-ui's `swaggerCSP`). */
interface SwaggerCsp {
  script: string[];
  style: string[];
}

/**
 * The policy of `/docs`'s pages: @fastify/swagger-ui's own (`staticCSP: true`), except that /docs must
 * work over plain HTTP by any host name (an intranet name, an IP): no `upgrade-insecure-requests`,
 * which would send every asset to https. Swagger UI sets inline styles (style attributes) that a hash
 * cannot allow: on these pages only, styles may be inline, and come from this server alone. Scripts
 * stay limited to the page's own hashes.
 */
function pageCsp({ script }: SwaggerCsp): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "font-src 'self' https: data:",
    "frame-ancestors 'self'",
    "img-src 'self' data: validator.swagger.io",
    "object-src 'none'",
    `script-src 'self' ${script.join(' ')}`,
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
}

/**
 * `/openapi.json` and `/docs`: the document is built from the route table that also registers the
 * routes (openapi/document.ts), and given to @fastify/swagger as it is (static mode).
 */
export default fp(
  async function openapiPlugin(app: FastifyInstance) {
    const document = buildOpenApiDocument();
    await app.register(swagger, { mode: 'static', specification: { document: document as StaticDocumentSpec['document'] } });
    // /docs in a scope of its own. What it serves as HTML (its page, the OAuth2 redirect page) carries
    // a document's headers and the page's policy; everything else there (the document as JSON and
    // YAML, scripts, styles, problems) keeps the API's (lib/security-headers.ts): round 13's break
    // test found the document's headers on /docs/json and none on oauth2-redirect.html.
    await app.register(async (docs) => {
      let policy: string | undefined;
      docs.addHook('onSend', (_request, reply, payload, done) => {
        if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
          policy ??= pageCsp((docs as FastifyInstance & { swaggerCSP: SwaggerCsp }).swaggerCSP);
          reply.headers({ ...PAGE_HEADERS, 'content-security-policy': policy });
        }
        done(null, payload);
      });
      await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => document);
  },
  { name: 'openapi' },
);
