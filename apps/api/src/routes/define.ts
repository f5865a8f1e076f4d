import { bodyLimitOf, errorStatuses, Problem, WRITES, routes, ValidationProblem, type RouteBody, type RouteDef, type RouteName, type RouteOutput, type RouteParams, type RouteQuery } from '@agentcaller/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { BODY_LIMIT } from './limits.js';

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
  // A route that takes no body ignores whatever body and content type come (FastAPI did: client
  // wrappers set a global Content-Type): its own scope reads any body as bytes and drops them, still
  // bounded by the body limit (413) and the body deadline (408). GET and HEAD bodies are never read.
  if (!def.body && WRITES.has(def.method)) {
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, _body, done) => done(null, undefined));
      register(scope, def, handler, { ...extras, onRequest: ignoreContentType });
    });
    return;
  }
  register(app, def, handler, extras);
}

/** Even a content type that cannot be parsed (Fastify's 415) means nothing to a route without a body. */
async function ignoreContentType(request: FastifyRequest) {
  delete request.raw.headers['content-type'];
}

function register<K extends RouteName>(app: FastifyInstance, def: RouteDef, handler: RouteHandler<K>, extras: RouteExtras & { onRequest?: Hook }) {
  const authenticate = def.apiKey ? app.authenticateOrKey : app.authenticate;
  // Authentication runs before the body is read: a stranger's malformed or oversized body is 401,
  // not 400 or 413.
  // Administrators' routes check the user right after authentication, before the body too.
  const onRequest = [...(extras.onRequest ? [extras.onRequest] : []), ...(def.auth ? [authenticate] : []), ...(def.admin ? [app.requireAdmin] : [])];
  // A signed-in write waits for one of its account's write slots once its body is read and valid.
  const preHandler = [...(def.auth && WRITES.has(def.method) ? [app.write] : []), ...(extras.preHandler ? [extras.preHandler] : [])];
  app.route({
    method: def.method,
    url: def.path,
    schema: fastifySchemaOf(def),
    // A route that needs no credentials reads at most 8 KiB (its body is an address and a password):
    // strangers cannot hold large bodies, which count against BODY_BYTES_RECEIVING until answered.
    // The route's limit wins over every content type parser's.
    bodyLimit: bodyLimitOf(def),
    ...(onRequest.length > 0 ? { onRequest } : {}),
    ...(extras.preValidation ? { preValidation: extras.preValidation } : {}),
    ...(preHandler.length > 0 ? { preHandler } : {}),
    ...(extras.logLevel ? { logLevel: extras.logLevel } : {}),
    handler: async (request, reply) => {
      const body = await handler(request as RouteRequest<K>, reply);
      if (reply.sent) return reply;
      // Answers are one user's data, and some hold a credential (a token, a session, an API key shown
      // once): no cache keeps them (RFC 6749 5.1 asks this of token answers).
      return reply.code(def.status).header('cache-control', 'no-store').send(body);
    },
  });
}
