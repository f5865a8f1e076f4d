import { Health, Ready } from '@agentcaller/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { UnavailableError } from '../errors.js';
import { problems } from './responses.js';

const serviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['service'], summary: 'The process is running', response: { 200: Health } }, logLevel: 'warn' },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: { tags: ['service'], summary: 'The database answers', response: { 200: Ready, ...problems(503) } },
      logLevel: 'warn',
    },
    async (request) => {
      try {
        await app.database.ping();
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'database not ready');
        throw new UnavailableError('The database does not answer');
      }
      // A Redis outage degrades throttling to per-instance counts but does not stop the service.
      return { status: 'ready' as const, database: 'ok' as const, redis: await app.redisStatus() };
    },
  );
};

export default serviceRoutes;
