import { PAGE_LIMIT_DEFAULT } from '@agentcaller/contracts';
import type { FastifyInstance } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { ClientService, toWireClient } from '../../services/clients.js';
import { defineRoute } from '../define.js';

// Method, path, auth and schemas come from the contract (routes.ts); here only the handlers.
export default async function clientRoutes(app: FastifyInstance) {
  const service = new ClientService(app.db, app.config.defaultPhoneRegion);

  defineRoute(
    app,
    'listClients',
    async (request) => {
      const { q, limit = PAGE_LIMIT_DEFAULT, offset = 0 } = request.query;
      return service.list(userOf(request).id, { q, limit, offset });
    },
    { preHandler: app.heavy },
  );
  defineRoute(app, 'createClient', async (request) => service.create(userOf(request).id, request.body));
  defineRoute(app, 'getClient', async (request) => toWireClient(await service.find(userOf(request).id, request.params.id)));
  defineRoute(app, 'updateClient', async (request) => service.update(userOf(request).id, request.params.id, request.body));
  defineRoute(app, 'deleteClient', async (request) => {
    await service.remove(userOf(request).id, request.params.id);
    return null;
  });
}
