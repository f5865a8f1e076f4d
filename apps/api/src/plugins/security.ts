import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { HttpProblem } from '../errors.js';

/**
 * Security headers, the CORS allow-list, and a bound on requests in flight: beyond it the API
 * answers 503 at once rather than queueing work it cannot finish in time.
 */
export default fp(
  async function securityPlugin(app: FastifyInstance, opts: { config: Config }) {
    await app.register(helmet, {
      // The API answers JSON; only /docs serves a page, with its own policy from @fastify/swagger-ui.
      contentSecurityPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-site' },
      hsts: opts.config.env === 'production',
    });
    await app.register(cors, {
      origin: opts.config.corsOrigins,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-csrf-token'],
      exposedHeaders: ['retry-after'],
      maxAge: 600,
    });

    // Graceful stop: from SIGTERM on, a request that still arrives on an open connection gets a 503
    // problem with Retry-After, and every answer closes its connection so clients reconnect
    // elsewhere instead of reusing one that is about to go.
    let draining = false;
    app.addHook('preClose', async () => {
      draining = true;
    });
    app.addHook('onSend', async (_request, reply) => {
      if (draining) reply.header('connection', 'close');
    });

    let inFlight = 0;
    const max = opts.config.maxInFlight;
    app.addHook('onRequest', async (request) => {
      if (draining) {
        throw new HttpProblem(503, 'The server is shutting down; retry shortly', {}, { 'retry-after': '1' });
      }
      if (inFlight >= max) {
        throw new HttpProblem(503, 'The server is at capacity; try again shortly', {}, { 'retry-after': '1' });
      }
      inFlight += 1;
      request.countedInFlight = true;
    });
    const release = async (request: { countedInFlight: boolean }) => {
      if (request.countedInFlight) {
        request.countedInFlight = false;
        inFlight -= 1;
      }
    };
    app.addHook('onResponse', release);
    app.addHook('onRequestAbort', release);
    app.decorateRequest('countedInFlight', false);
    app.decorate('inFlight', () => inFlight);
  },
  { name: 'security' },
);

declare module 'fastify' {
  interface FastifyRequest {
    countedInFlight: boolean;
  }
  interface FastifyInstance {
    inFlight(): number;
  }
}
