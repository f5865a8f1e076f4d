import { PAGE_LIMIT_DEFAULT } from '@agentcaller/contracts';
import type { FastifyInstance } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { CallService } from '../../services/calls.js';
import { defineRoute } from '../define.js';

// Method, path, auth and schemas come from the contract (routes.ts); here only the handlers.
export default async function callRoutes(app: FastifyInstance) {
  const service = new CallService(app.db);

  defineRoute(app, 'createCall', async (request) => service.create(userOf(request).id, request.body));
  defineRoute(
    app,
    'listCalls',
    async (request) => {
      const { client_id, from, to, limit = PAGE_LIMIT_DEFAULT, offset = 0 } = request.query;
      return service.list(userOf(request).id, { clientId: client_id, from, to, limit, offset });
    },
    { preHandler: app.heavy },
  );
  defineRoute(app, 'dueCalls', async (request) => service.due(userOf(request).id, request.query.limit ?? PAGE_LIMIT_DEFAULT), { preHandler: app.heavy });
}
