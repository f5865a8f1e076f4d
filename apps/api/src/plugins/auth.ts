import { randomUUID } from 'node:crypto';
import type { User } from '@agentcaller/db';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { verifyDummy } from '../lib/passwords.js';
import { INACTIVE_USER, UserService } from '../services/users.js';

export interface TokenClaims {
  sub: string;
  exp: number;
  iat?: number;
  jti?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    users: UserService;
    /** preHandler: resolves the bearer token to an active user or refuses the request. */
    authenticate(request: FastifyRequest): Promise<void>;
    issueToken(user: User): { token: string; expiresIn: number };
  }
  interface FastifyRequest {
    currentUser: User | null;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; jti: string };
    user: TokenClaims;
  }
}

/** The user `authenticate` resolved; only called in routes behind it. */
export function userOf(request: FastifyRequest): User {
  const user = request.currentUser;
  if (!user) throw new Error('authenticate must run before this handler');
  return user;
}

const BEARER = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)\s*$/i;

/**
 * JWT HS256 and nothing else (`none`, HS512 and every other alg are refused); `sub` is the email
 * and `exp` is required, which also accepts the original service's tokens (only `sub` and `exp`).
 */
export default fp(
  async function authPlugin(app: FastifyInstance, opts: { config: Config }) {
    const expiresIn = opts.config.accessTokenExpireMinutes * 60;
    await app.register(fastifyJwt, {
      secret: opts.config.secretKey,
      sign: { algorithm: 'HS256', expiresIn },
      verify: { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] },
    });
    const users = new UserService(app.db);
    app.decorate('users', users);
    app.decorateRequest('currentUser', null);
    app.decorate('issueToken', (user: User) => ({
      token: app.jwt.sign({ sub: user.email, jti: randomUUID() }),
      expiresIn,
    }));
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      if (!header) throw new UnauthorizedError('Not authenticated');
      const match = BEARER.exec(header);
      if (!match) throw new UnauthorizedError();
      let claims: TokenClaims;
      try {
        claims = app.jwt.verify<TokenClaims>(match[1]!);
      } catch {
        throw new UnauthorizedError();
      }
      if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) throw new UnauthorizedError();
      const user = await users.findByEmail(claims.sub);
      if (!user) throw new UnauthorizedError();
      if (!user.isActive) throw new ForbiddenError(INACTIVE_USER);
      request.currentUser = user;
    });
    // Prepare the dummy hash now, so the first unknown-email login costs what every later one does.
    await verifyDummy('warm-up');
  },
  { name: 'auth', dependencies: ['db'] },
);
