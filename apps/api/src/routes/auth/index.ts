import { routes } from '@agentcaller/contracts';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { userOf } from '../../plugins/auth.js';
import { normalizeEmail } from '../../services/users.js';
import { BODY_LIMIT } from '../limits.js';
import { problems } from '../responses.js';

const tags = ['auth'];
const bearer = [{ bearerAuth: [] }];
const { register, login, me } = routes;

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

  app.get(
    me.path,
    {
      schema: { tags, summary: 'The signed-in user (seed shape)', security: bearer, response: { [me.status]: me.response, ...problems(401, 403) } },
      preHandler: app.authenticate,
    },
    async (request) => {
      const user = userOf(request);
      return { id: user.id, email: user.email, is_active: user.isActive, created_at: user.createdAt.toISOString() };
    },
  );
};

export default authRoutes;
