import { CSRF_COOKIE, routes, SESSION_COOKIE } from '@agentcaller/contracts';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { canonicalEmail } from '../../lib/email.js';
import { parseMultipartFields } from '../../lib/multipart.js';
import { toMe } from '../../services/users.js';
import { BODY_LIMIT } from '../limits.js';
import { problems } from '../responses.js';

const tags = ['auth'];
const bearer = [{ bearerAuth: [] }];
/** The OAuth2 password form's fields; anything else in a multipart login body is not read. */
const LOGIN_FIELDS = new Set(['username', 'password', 'grant_type', 'scope', 'client_id', 'client_secret']);
const { register, login, me, createSession, deleteSession, logout, logoutAll, changePassword } = routes;

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** Email and password, throttled per source and per account and source. */
  const signIn = async (email: string, password: string, source: string) => {
    await app.throttle.attempt(source);
    return app.throttle.guard(email, source, () => app.users.authenticate(email, password));
  };

  /** Refuses the request's token from now on (logout, browser sign-out). */
  const revokePresented = async (request: FastifyRequest) => {
    const presented = request.presentedToken;
    if (presented) await app.users.revoke(presented.hash, presented.expiresAt);
  };

  app.post(
    register.path,
    {
      schema: {
        tags,
        summary: 'Create an account (seed shape)',
        body: register.body,
        response: { [register.status]: register.response, ...problems(400, 409, 413, 422, 429) },
      },
      // Trim and lower-case before validation, so " Admin@Example.COM " is a valid address.
      preValidation: async (request) => {
        const body = request.body as { email?: unknown } | null;
        if (body && typeof body === 'object' && typeof body.email === 'string') body.email = canonicalEmail(body.email);
      },
    },
    async (request, reply) => {
      await app.throttle.attempt(request.ip);
      const user = await app.users.register(request.body.email, request.body.password, request.body.time_zone);
      return reply.code(register.status).send({ id: user.id, email: user.email });
    },
  );

  // The login form is the only place that reads application/x-www-form-urlencoded, and
  // multipart/form-data (browsers' FormData; the original FastAPI service took both).
  await app.register(async (scope) => {
    const form = scope.withTypeProvider<TypeBoxTypeProvider>();
    form.removeAllContentTypeParsers();
    await form.register(formbody, { bodyLimit: BODY_LIMIT });
    form.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (request, body, done) => {
      try {
        done(null, parseMultipartFields(body as Buffer, request.headers['content-type'] ?? '', LOGIN_FIELDS));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    form.post(
      login.path,
      {
        schema: {
          tags,
          summary: 'OAuth2 password grant (seed shape)',
          consumes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
          body: login.body,
          response: { [login.status]: login.response, ...problems(400, 401, 403, 413, 422, 429) },
        },
      },
      async (request) => {
        const user = await signIn(request.body.username, request.body.password, request.ip);
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
        response: { [createSession.status]: createSession.response, ...problems(400, 401, 403, 413, 422, 429) },
      },
    },
    async (request, reply) => {
      const user = await signIn(request.body.email, request.body.password, request.ip);
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
        summary: 'Browser sign-out: refuses the session token from now on and clears the cookies',
        response: { [deleteSession.status]: deleteSession.response, ...problems(401, 403) },
      },
      preValidation: app.authenticate,
    },
    async (request, reply) => {
      await revokePresented(request);
      reply.clearCookie(SESSION_COOKIE, cookieBase).clearCookie(CSRF_COOKIE, cookieBase);
      return reply.code(deleteSession.status).send(null);
    },
  );

  app.post(
    logout.path,
    {
      schema: {
        tags,
        summary: 'Refuse this token from now on, on every instance',
        security: bearer,
        response: { [logout.status]: logout.response, ...problems(401, 403) },
      },
      preValidation: app.authenticate,
    },
    async (request, reply) => {
      await revokePresented(request);
      return reply.code(logout.status).send(null);
    },
  );

  app.post(
    logoutAll.path,
    {
      schema: {
        tags,
        summary: 'Sign out everywhere: every token and browser session of this user is refused from now on',
        security: bearer,
        response: { [logoutAll.status]: logoutAll.response, ...problems(401, 403) },
      },
      preValidation: app.authenticate,
    },
    async (request, reply) => {
      await app.users.logoutAll(userOf(request).id);
      reply.clearCookie(SESSION_COOKIE, cookieBase).clearCookie(CSRF_COOKIE, cookieBase);
      return reply.code(logoutAll.status).send(null);
    },
  );

  app.put(
    changePassword.path,
    {
      schema: {
        tags,
        summary: 'Change the password; every token issued before is refused afterwards',
        security: bearer,
        body: changePassword.body,
        response: { [changePassword.status]: changePassword.response, ...problems(400, 401, 403, 413, 422, 429) },
      },
      preValidation: app.authenticate,
    },
    async (request, reply) => {
      const user = userOf(request);
      await app.throttle.attempt(request.ip);
      // A stolen token must not become a way to guess the password: the same lockout as a login.
      await app.throttle.guard(user.email, request.ip, () =>
        app.users.changePassword(user, request.body.current_password, request.body.new_password),
      );
      return reply.code(changePassword.status).send(null);
    },
  );

  app.get(
    me.path,
    {
      schema: { tags, summary: 'The signed-in user (seed shape)', security: bearer, response: { [me.status]: me.response, ...problems(401, 403) } },
      preValidation: app.authenticate,
    },
    async (request) => toMe(userOf(request)),
  );
};

export default authRoutes;

