import { errorStatuses, Problem, routes, ValidationProblem, type RouteBody, type RouteDef, type RouteName, type RouteOutput, type RouteParams, type RouteQuery } from '@agentcaller/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';

/** The request a route's handler gets: body, query and params typed from its contract. */
type RouteRequest<K extends RouteName> = FastifyRequest<{ Body: RouteBody<K>; Querystring: RouteQuery<K>; Params: RouteParams<K> }>;

/** What a route file supplies: the handler, answering the contract's success body (`null` for 204). */
export type RouteHandler<K extends RouteName> = (request: RouteRequest<K>, reply: FastifyReply) => Promise<RouteOutput<K>>;

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Server-side concerns a route may add (they change no part of the contract). */
interface RouteExtras {
  /** After authentication, before validation (e.g. canonicalising a field). */
  preValidation?: Hook;
  /** After validation, before the handler (e.g. `app.heavy`). */
  preHandler?: Hook;
  logLevel?: 'warn';
}

/** The Fastify schema of a route: what is validated and how every answer is serialized. */
function fastifySchemaOf(def: RouteDef): FastifySchema {
  const response: Record<number, unknown> = { [def.status]: def.response };
  for (const status of errorStatuses(def)) response[status] = status === 422 ? ValidationProblem : Problem;
  return {
    ...(def.params ? { params: def.params } : {}),
    ...(def.query ? { querystring: def.query } : {}),
    ...(def.body ? { body: def.body } : {}),
    response,
  };
}

/**
 * Registers the route `name` exactly as the contract says (packages/contracts/src/routes.ts):
 * method, path, schemas, every answer's schema, and authentication first (`onRequest`, before
 * the body is even read) when the route needs a user, so a stranger gets 401, never a 400 or a schema. The handler answers the success
 * status of the contract. This is the only place a route of the API is wired.
 */
export function defineRoute<K extends RouteName>(app: FastifyInstance, name: K, handler: RouteHandler<K>, extras: RouteExtras = {}) {
  const def: RouteDef = routes[name];
  app.route({
    method: def.method,
    url: def.path,
    schema: fastifySchemaOf(def),
    // Before the body is read: a stranger's malformed or oversized body is 401, not 400 or 413.
    ...(def.auth ? { onRequest: app.authenticate } : {}),
    ...(extras.preValidation ? { preValidation: extras.preValidation } : {}),
    ...(extras.preHandler ? { preHandler: extras.preHandler } : {}),
    ...(extras.logLevel ? { logLevel: extras.logLevel } : {}),
    handler: async (request, reply) => {
      const body = await handler(request as RouteRequest<K>, reply);
      if (reply.sent) return reply;
      return reply.code(def.status).send(body);
    },
  });
}
