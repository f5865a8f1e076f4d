import { CSRF_COOKIE, routes, SESSION_COOKIE } from '@agentcaller/contracts';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { userOf } from '../../plugins/auth.js';
import { normalizeEmail, toMe } from '../../services/users.js';
import { BODY_LIMIT } from '../limits.js';
import { problems } from '../responses.js';

const tags = ['auth'];
const bearer = [{ bearerAuth: [] }];
const { register, login, me, createSession, deleteSession } = routes;

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    register.path,
    {
      schema: {
        tags,
        summary: 'Create an account (seed shape)',
        body: register.body,
        response: { [register.status]: register.response, ...problems(400, 409, 413, 422) },
      },
      // Trim and lower-case before validation, so " Admin@Example.COM " is a valid address.
      preValidation: async (request) => {
        const body = request.body as { email?: unknown } | null;
        if (body && typeof body === 'object' && typeof body.email === 'string') body.email = normalizeEmail(body.email);
      },
    },
    async (request, reply) => {
      const user = await app.users.register(request.body.email, request.body.password);
      return reply.code(register.status).send({ id: user.id, email: user.email });
    },
  );

  // The login form is the only place that reads application/x-www-form-urlencoded.
  await app.register(async (scope) => {
    const form = scope.withTypeProvider<TypeBoxTypeProvider>();
    form.removeAllContentTypeParsers();
    await form.register(formbody, { bodyLimit: BODY_LIMIT });
    form.post(
      login.path,
      {
        schema: {
          tags,
          summary: 'OAuth2 password grant (seed shape)',
          consumes: ['application/x-www-form-urlencoded'],
          body: login.body,
          response: { [login.status]: login.response, ...problems(400, 401, 403, 413, 422) },
        },
      },
      async (request) => {
        const user = await app.users.authenticate(request.body.username, request.body.password);
        const { token, expiresIn } = app.issueToken(user);
        return { access_token: token, token_type: 'bearer' as const, expires_in: expiresIn };
      },
    );
  });

  // Browser sessions: the JWT travels in an HttpOnly cookie page scripts cannot read; a readable
  // CSRF cookie, bound to that token, must come back as a header on every write.
  const secure = app.config.env === 'production';
  const cookieBase = { path: '/', sameSite: 'strict' as const, secure };

  app.post(
    createSession.path,
    {
      schema: {
        tags,
        summary: 'Browser sign-in: sets the HttpOnly session cookie and the CSRF cookie',
        body: createSession.body,
        response: { [createSession.status]: createSession.response, ...problems(400, 401, 403, 413, 422) },
      },
    },
    async (request, reply) => {
      const user = await app.users.authenticate(request.body.email, request.body.password);
      const { token, expiresIn, jti } = app.issueToken(user);
      const csrf = app.csrfTokenFor(jti);
      reply
        .setCookie(SESSION_COOKIE, token, { ...cookieBase, httpOnly: true, maxAge: expiresIn })
        .setCookie(CSRF_COOKIE, csrf, { ...cookieBase, httpOnly: false, maxAge: expiresIn });
      return {
        user: toMe(user),
        csrf_token: csrf,
        expires_at: new Date(Date.now() + expiresIn * 1000).toISOString(),
      };
    },
  );

  app.delete(
    deleteSession.path,
    {
      schema: {
        tags,
        summary: 'Browser sign-out: clears the session cookies',
        response: { [deleteSession.status]: deleteSession.response, ...problems(401, 403) },
      },
      preHandler: app.authenticate,
    },
    async (_request, reply) => {
      reply.clearCookie(SESSION_COOKIE, cookieBase).clearCookie(CSRF_COOKIE, cookieBase);
      return reply.code(deleteSession.status).send(null);
    },
  );

  app.get(
    me.path,
    {
      schema: { tags, summary: 'The signed-in user (seed shape)', security: bearer, response: { [me.status]: me.response, ...problems(401, 403) } },
      preHandler: app.authenticate,
    },
    async (request) => toMe(userOf(request)),
  );
};

export default authRoutes;

