import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CSRF_HEADER, EMAIL_MAX, SESSION_COOKIE } from '@agentcaller/contracts';
import fastifyCookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/** What the auth plugin reads of the configuration, and nothing else. */
type AuthOptions = Pick<Config, 'secretKey' | 'accessTokenExpireMinutes' | 'passwordHash'> & { argon2Parameters?: Argon2Parameters; publicWebUrl: string };
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { User } from '@agentcaller/db';
import { dummyHash, type Argon2Parameters } from '../lib/passwords.js';
import { INACTIVE_USER, UserService } from '../services/users.js';
import { ApiKeyService } from '../services/api-keys.js';
import { AdminUserService, NOT_AN_ADMIN } from '../services/admin-users.js';
import { PasswordResetService } from '../services/password-resets.js';
import { isApiKeyShape } from '../lib/api-key.js';
import { issuedFor, revocationKey, survivesRevocations, textKey, type TokenClaims } from '../lib/token-identity.js';
import { VERIFIED_TOKENS_MAX, VerifiedTokens } from '../lib/verified-tokens.js';


/** The credential a request was authenticated with (for logout). */
interface PresentedToken {
  /** What the token is (its decoded signature), never how it was spelt: see `revocationKey`. */
  hash: string;
  expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    users: UserService;
    apiKeys: ApiKeyService;
    passwordResets: PasswordResetService;
    adminUsers: AdminUserService;
    /** onRequest, after authentication: 403 (`admin-required`) unless the user is an administrator. */
    requireAdmin: (request: FastifyRequest) => Promise<void>;
    /** preValidation: resolves the bearer token or session to an active user or refuses the request; an API key gets 403. */
    // Function properties, not methods: routes pass them as hooks without `this` (unbound-method).
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** The same, and an API key (`Bearer ac_…`) acts as its user (routes with `apiKey: true`). */
    authenticateOrKey: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    issueToken(user: User): { token: string; expiresIn: number; jti: string };
    /** The CSRF token bound to a session's token id: only our key can make it. */
    csrfTokenFor(jti: string): string;
  }
  interface FastifyRequest {
    currentUser: User | null;
    presentedToken: PresentedToken | null;
    /** The id of the API key that authenticated the request, if one did. */
    apiKeyId: number | null;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; uid: number; jti: string; ver: number };
    user: TokenClaims;
  }
}

/** The user `authenticate` resolved; only called in routes behind it. */
export function userOf(request: FastifyRequest): User {
  const user = request.currentUser;
  if (!user) throw new Error('authenticate must run before this handler');
  return user;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The session cookie, parsed from the request's Cookie header only when it is needed. */
function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? request.server.parseCookie(header)[SESSION_COOKIE] : undefined;
}
/** The last instant the database takes as an RFC 3339 timestamp (a later `exp` is no real expiry). */
const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const BEARER = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)\s*$/i;
/** `Authorization: Bearer ac_…`: an API key (any text after `ac_`; its shape is checked next). */
const BEARER_KEY = /^Bearer +(ac_\S*)\s*$/i;

/**
 * JWT HS256 and nothing else (`none`, HS512 and every other alg are refused); `sub` is the email
 * and `exp` is required, which also accepts the original service's tokens (only `sub` and `exp`).
 */
export default fp(
  async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
    const expiresIn = opts.accessTokenExpireMinutes * 60;
    await app.register(fastifyJwt, {
      secret: opts.secretKey,
      sign: { algorithm: 'HS256', expiresIn },
      verify: { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] },
    });
    const users = new UserService(app.db, opts.secretKey, undefined, opts.passwordHash, opts.argon2Parameters);
    app.decorate('users', users);
    app.decorateRequest('currentUser', null);
    app.decorateRequest('presentedToken', null);
    app.decorateRequest('apiKeyId', null);
    const keys = new ApiKeyService(app.db, app.log);
    app.decorate('apiKeys', keys);
    // The last requests' last_used_at writes end before the database closes: this hook runs before
    // the db plugin's (onClose hooks run in the reverse order of registration).
    app.addHook('onClose', async () => {
      await keys.lastUsedWritten();
    });
    app.decorate('passwordResets', new PasswordResetService(app.db, app.mailer, { publicWebUrl: opts.publicWebUrl, hashPassword: (password) => users.hashNewPassword(password) }));
    app.decorate('adminUsers', new AdminUserService(app.db));
    // The user was read from the database by this request's authentication: a grant or a demotion
    // holds on every instance at once.
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (!userOf(request).isSuperuser) throw new ForbiddenError('admin-required', NOT_AN_ADMIN);
    });
    // No cookie parsing hook on every request: only a request without an Authorization header reads
    // the session cookie (below); the sign-in routes still set cookies (the plugin's onSend writes them).
    await app.register(fastifyCookie, { hook: false });
    app.decorate('issueToken', (user: User) => {
      const jti = randomUUID();
      // `sub` stays the email for the original's clients; `uid` binds the token to this account, so
      // a later account with the same email (after a deletion) is not this token's user.
      return { token: app.jwt.sign({ sub: user.email, uid: user.id, jti, ver: user.tokenVersion }), expiresIn, jti };
    });
    // Signature and claims checked once per token text (lib/verified-tokens.ts); this app's own
    // cache, filled only by its own verifier, so a token of another key is never found in it. What
    // a token may have lost since (logout, revocation, the account) is read below on every request.
    // The two revocation keys (SHA-256 digests of the text) are kept with the claims, made once per token.
    const verifiedTokens = new VerifiedTokens(
      (token) => app.jwt.verify<TokenClaims>(token),
      VERIFIED_TOKENS_MAX,
      () => Date.now(),
      (token): [string, string] => [revocationKey(token), textKey(token)],
    );
    const csrfTokenFor = (jti: string) => createHmac('sha256', opts.secretKey).update(`csrf:${jti}`).digest('base64url');
    app.decorate('csrfTokenFor', csrfTokenFor);

    /**
     * A program's key: found by prefix, compared by hash, read from the database on every request
     * (revocation holds everywhere at once). Invalid keys count against the source, valid ones
     * against the key, both apart from people's sign-in counters. A valid key on a route about the
     * account itself is 403.
     */
    const authenticateKey = async (request: FastifyRequest, key: string, allowed: boolean) => {
      const holder = isApiKeyShape(key) ? await keys.authenticate(key) : undefined;
      if (!holder) {
        await app.throttle.invalidApiKey(request.ip);
        throw new UnauthorizedError('Invalid or revoked API key');
      }
      if (!allowed) throw new ForbiddenError('api-key-not-allowed', 'An API key cannot do this; sign in as the person who owns the account');
      await app.throttle.apiKeyRequest(holder.prefix);
      if (!holder.user.isActive) throw new ForbiddenError('inactive-account', INACTIVE_USER);
      request.currentUser = holder.user;
      request.apiKeyId = holder.keyId;
    };

    // Once authenticated, the answer says how long that took (Server-Timing, `auth;dur=` in ms):
    // from the start of the request's hooks, right after routing, to the end of authentication, the
    // database read included. Only on success: a refused credential learns nothing more than its 401.
    const timed = (reply: FastifyReply) => {
      reply.header('server-timing', `auth;dur=${reply.elapsedTime.toFixed(2)}`);
    };
    // One async function per request (the hook itself), not a second one awaiting it.
    const authenticateRequest = async (request: FastifyRequest, reply: FastifyReply, allowKeys: boolean) => {
      // Programs send `Authorization: Bearer`; the web app's browser sends the HttpOnly cookie.
      const header = request.headers.authorization;
      let cookie: string | undefined;
      // A token verified before, sent exactly as `Bearer <token>` (what clients send on every
      // request), is found in the cache as it is, without reading the header through the patterns
      // below (BEARER alone cost ~3,000 instructions of a /me, issue 15 round 13), in one lookup.
      // Only tokens the verifier accepted are in the cache, so such a text is a token of BEARER's shape.
      let verified = header !== undefined && header.startsWith('Bearer ') ? verifiedTokens.cached(header.slice(7)) : undefined;
      if (verified === undefined) {
        const key = header ? BEARER_KEY.exec(header)?.[1] : undefined;
        if (key !== undefined) {
          await authenticateKey(request, key, allowKeys);
          timed(reply);
          return;
        }
        cookie = header ? undefined : sessionCookie(request);
        if (!header && !cookie) throw new UnauthorizedError('Not authenticated');
        const token = header ? BEARER.exec(header)?.[1] : cookie;
        if (!token) throw new UnauthorizedError();
        try {
          verified = verifiedTokens.check(token);
        } catch {
          throw new UnauthorizedError();
        }
      }
      const { claims, derived: revocationKeys } = verified;
      // Claims that cannot be a real user's or a real expiry are refused before touching the database.
      const { sub, exp } = claims;
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > EMAIL_MAX || sub.includes('\u0000')) throw new UnauthorizedError();
      // RFC 7519's NumericDate may have a fraction: python-jose keeps one (`time.time() + …`) and the
      // original service accepted it (round 13's break test).
      if (!Number.isFinite(exp) || exp * 1000 > MAX_DATE_MS) throw new UnauthorizedError();
      const [hash] = revocationKeys;
      const found = await users.findForToken(sub, revocationKeys);
      // Unknown user, logged-out token, a token from before the last password change (or sign out
      // everywhere, reset, deactivation), or one issued for another account that had this email.
      if (!found || found.revoked || !survivesRevocations(claims, found.user, expiresIn)) throw new UnauthorizedError();
      if (!issuedFor(claims, found.user, expiresIn)) throw new UnauthorizedError();
      if (cookie !== undefined && UNSAFE_METHODS.has(request.method)) {
        // A cookie rides along on any request the browser makes: writes must also prove they come
        // from our page, which alone can read the CSRF cookie (double submit, bound to the token).
        // Checked after the session itself, so an ended session is 401 (sign in again), not 403.
        const sent = request.headers[CSRF_HEADER];
        if (typeof sent !== 'string' || !claims.jti || !sameSecret(sent, csrfTokenFor(claims.jti))) {
          throw new ForbiddenError('csrf-rejected', 'Missing or invalid CSRF token');
        }
      }
      if (!found.user.isActive) throw new ForbiddenError('inactive-account', INACTIVE_USER);
      request.currentUser = found.user;
      request.presentedToken = { hash, expiresAt: new Date(claims.exp * 1000) };
      timed(reply);
    };
    app.decorate('authenticate', (request: FastifyRequest, reply: FastifyReply) => authenticateRequest(request, reply, false));
    app.decorate('authenticateOrKey', (request: FastifyRequest, reply: FastifyReply) => authenticateRequest(request, reply, true));
    // Make the dummy hash now, so the first unknown-email login costs what every later one does;
    // not awaited: start-up goes on while the thread pool hashes (a cold start was ~150 ms longer
    // waiting for it). A failure here is logged; the first login that needs the hash makes it again.
    dummyHash(opts.argon2Parameters).catch((err: unknown) => app.log.error({ err }, 'could not make the dummy password hash'));
    // The same for the bcrypt side of refused sign-ins (services/absent-accounts.ts): read the
    // database's mix of hashes and time bcrypt now; the first refusal after a start then waits
    // for nothing it has not already.
    const refusalsPrepared = users.prepareRefusals().catch((err: unknown) => app.log.error({ err }, 'could not read the mix of password hashes'));
    // Ended before the database closes (this hook runs before the db plugin's).
    app.addHook('onClose', async () => {
      await refusalsPrepared;
    });
  },
  { name: 'auth', dependencies: ['db', 'throttle', 'mail'] },
);
