import type { FastifyInstance } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { defineRoute } from '../define.js';

// Method, path, auth and schemas come from the contract (routes.ts); here only the handlers. These
// routes are about the account: a person signs in for them, an API key gets 403.
export default async function apiKeyRoutes(app: FastifyInstance) {
  defineRoute(app, 'createApiKey', async (request) => app.apiKeys.create(userOf(request).id, request.body.name));
  defineRoute(app, 'listApiKeys', async (request) => app.apiKeys.list(userOf(request).id));
  defineRoute(app, 'revokeApiKey', async (request) => {
    await app.apiKeys.revoke(userOf(request).id, request.params.id);
    return null;
  });
}
