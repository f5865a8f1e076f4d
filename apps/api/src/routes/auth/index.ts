import { LoginForm, Me, RegisterBody, RegisteredUser, Token } from '@agentcaller/contracts';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { problems } from '../responses.js';
import { normalizeEmail } from '../../services/users.js';

const tags = ['auth'];
const bearer = [{ bearerAuth: [] }];

function currentUser(request: FastifyRequest) {
  const user = request.currentUser;
  if (!user) throw new Error('authenticate must run before this handler');
  return user;
}

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/register',
    {
      schema: {
        tags,
        summary: 'Create an account (seed shape)',
        body: RegisterBody,
        response: { 201: RegisteredUser, ...problems(400, 409, 413, 422) },
      },
      // Trim and lower-case before validation, so " Admin@Example.COM " is a valid address.
      preValidation: async (request) => {
        const body = request.body as { email?: unknown } | null;
        if (body && typeof body === 'object' && typeof body.email === 'string') body.email = normalizeEmail(body.email);
      },
    },
    async (request, reply) => {
      const user = await app.users.register(request.body.email, request.body.password);
      return reply.code(201).send({ id: user.id, email: user.email });
    },
  );

  // The login form is the only place that reads application/x-www-form-urlencoded.
  await app.register(async (scope) => {
    const form = scope.withTypeProvider<TypeBoxTypeProvider>();
    form.removeAllContentTypeParsers();
    await form.register(formbody, { bodyLimit: 1024 * 1024 });
    form.post(
      '/login',
      {
        schema: {
          tags,
          summary: 'OAuth2 password grant (seed shape)',
          consumes: ['application/x-www-form-urlencoded'],
          body: LoginForm,
          response: { 200: Token, ...problems(400, 401, 403, 413, 422) },
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
    '/me',
    {
      schema: {
        tags,
        summary: 'The signed-in user (seed shape)',
        security: bearer,
        response: { 200: Me, ...problems(401, 403) },
      },
      preHandler: app.authenticate,
    },
    async (request) => {
      const user = currentUser(request);
      return { id: user.id, email: user.email, is_active: user.isActive, created_at: user.createdAt.toISOString() };
    },
  );
};

export default authRoutes;
