import { routes } from '@agentcaller/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userOf } from '../../plugins/auth.js';
import { ClientService, toWireClient } from '../../services/clients.js';
import { problems } from '../responses.js';

const tags = ['clients'];
const security = [{ bearerAuth: [] }];
const { listClients, createClient, getClient, updateClient, deleteClient } = routes;

const clientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new ClientService(app.db, app.config.defaultPhoneRegion);
  // Strangers learn nothing of the schemas: authentication runs before any validation.
  app.addHook('preValidation', app.authenticate);

  app.get(
    listClients.path,
    {
      schema: {
        tags, security, summary: 'Your clients, by name then id; q matches part of the name or phone digits',
        querystring: listClients.query,
        response: { [listClients.status]: listClients.response, ...problems(401, 403, 422, 429) },
      },
      preHandler: app.heavy,
    },
    async (request) => {
      const { q, limit = 20, offset = 0 } = request.query;
      return service.list(userOf(request).id, { q, limit, offset });
    },
  );

  app.post(
    createClient.path,
    {
      schema: {
        tags, security, summary: 'Add a client (phone stored in E.164)',
        body: createClient.body,
        response: { [createClient.status]: createClient.response, ...problems(400, 401, 403, 413, 422) },
      },
    },
    async (request, reply) => reply.code(createClient.status).send(await service.create(userOf(request).id, request.body)),
  );

  app.get(
    getClient.path,
    {
      schema: {
        tags, security, summary: 'One of your clients',
        params: getClient.params,
        response: { [getClient.status]: getClient.response, ...problems(401, 403, 404, 422) },
      },
    },
    async (request) => toWireClient(await service.find(userOf(request).id, request.params.id)),
  );

  app.patch(
    updateClient.path,
    {
      schema: {
        tags, security, summary: 'Change any of name and phone',
        params: updateClient.params,
        body: updateClient.body,
        response: { [updateClient.status]: updateClient.response, ...problems(400, 401, 403, 404, 413, 422) },
      },
    },
    async (request) => service.update(userOf(request).id, request.params.id, request.body),
  );

  app.delete(
    deleteClient.path,
    {
      schema: {
        tags, security, summary: "Delete a client and the client's appointments",
        params: deleteClient.params,
        response: { [deleteClient.status]: deleteClient.response, ...problems(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await service.remove(userOf(request).id, request.params.id);
      return reply.code(deleteClient.status).send(null);
    },
  );
};

export default clientRoutes;
