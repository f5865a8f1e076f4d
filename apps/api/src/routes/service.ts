import type { FastifyInstance } from 'fastify';
import { UnavailableError } from '../errors.js';
import { defineRoute } from './define.js';

export default async function serviceRoutes(app: FastifyInstance) {
  defineRoute(app, 'health', async () => ({ status: 'ok' as const }), { logLevel: 'warn' });
  defineRoute(
    app,
    'ready',
    async (request) => {
      try {
        await app.database.ping();
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'database not ready');
        throw new UnavailableError('unavailable', 'The database does not answer');
      }
      // A Redis outage degrades throttling to per-instance counts but does not stop the service.
      return { status: 'ready' as const, database: 'ok' as const, redis: await app.redisStatus() };
    },
    { logLevel: 'warn' },
  );
}
