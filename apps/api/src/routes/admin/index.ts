import { PAGE_LIMIT_DEFAULT } from '@agentcaller/contracts';
import type { FastifyInstance } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { defineRoute } from '../define.js';

// Administrators only (`admin: true` in the route table: defineRoute checks it after authentication).
export default async function adminRoutes(app: FastifyInstance) {
  defineRoute(app, 'listAdminUsers', async (request) =>
    app.adminUsers.list({ ...request.query, limit: request.query.limit ?? PAGE_LIMIT_DEFAULT, offset: request.query.offset ?? 0 }),
  );

  defineRoute(app, 'updateAdminUser', async (request) => app.adminUsers.update(userOf(request).id, request.params.id, request.body));

  defineRoute(app, 'deleteAdminUser', async (request) => {
    await app.adminUsers.delete(userOf(request).id, request.params.id);
    return null;
  });
}
