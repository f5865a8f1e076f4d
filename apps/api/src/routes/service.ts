import type { FastifyInstance } from 'fastify';
import { UnavailableError } from '../errors.js';
import { defineRoute } from './define.js';

export default async function serviceRoutes(app: FastifyInstance) {
  defineRoute(app, 'health', async () => ({ status: 'ok' as const }), { logLevel: 'warn' });
  defineRoute(
    app,
    'ready',
    async (request) => {
      let writable: boolean;
      try {
        ({ writable } = await app.database.ping());
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'database not ready');
        throw new UnavailableError('unavailable', 'The database does not answer', 1);
      }
      // A standby not yet promoted (or default_transaction_read_only) answers reads and refuses every
      // write, sign-out included: not ready (round 16's break test).
      if (!writable) {
        throw new UnavailableError('unavailable', 'The database takes no writes (read-only)', 1);
      }
      // A Redis outage degrades throttling to per-instance counts but does not stop the service.
      return { status: 'ready' as const, database: 'ok' as const, redis: await app.redisStatus() };
    },
    { logLevel: 'warn' },
  );
}
