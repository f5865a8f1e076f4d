import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PAGE_HEADERS } from '../lib/security-headers.js';
import { buildOpenApiDocument } from '../openapi/document.js';

/**
 * `/openapi.json` and `/docs`: the document is built from the route table that also registers the
 * routes (openapi/document.ts), and given to @fastify/swagger as it is (static mode).
 */
export default fp(
  async function openapiPlugin(app: FastifyInstance) {
    const document = buildOpenApiDocument();
    await app.register(swagger, { mode: 'static', specification: { document: document as StaticDocumentSpec['document'] } });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // /docs must work over plain HTTP by any host name (an intranet name, an IP): without
      // `upgrade-insecure-requests`, which would send every asset to https. Swagger UI sets inline
      // styles (style attributes) that a hash cannot allow: on these pages only, styles may be
      // inline, and come from this server alone. Scripts stay limited to the page's own hashes.
      transformStaticCSP: (header) =>
        header
          .replace(/\s*upgrade-insecure-requests;?/g, '')
          .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
      uiConfig: { deepLinking: true },
      // The one page the API serves: a document's headers besides the API's (lib/security-headers.ts).
      uiHooks: {
        onRequest: (_request, reply, done) => {
          reply.headers(PAGE_HEADERS);
          done();
        },
      },
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => document);
  },
  { name: 'openapi' },
);
