import { CSRF_COOKIE, SESSION_COOKIE } from '@agentcaller/contracts';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { canonicalEmail } from '../../lib/email.js';
import { parseMultipartFields } from '../../lib/multipart.js';
import { clientGone } from '../../lib/request-end.js';
import { toMe } from '../../services/users.js';
import { defineRoute } from '../define.js';
import { BODY_LIMIT } from '../limits.js';

/** The OAuth2 password form's fields; anything else in a multipart login body is not read. */
const LOGIN_FIELDS = new Set(['username', 'password', 'grant_type', 'scope', 'client_id', 'client_secret']);

/** Trims and lower-cases `email` before validation, so " Admin@Example.COM " is a valid address. */
async function canonicalizeEmail(request: FastifyRequest) {
  const body = request.body as { email?: unknown } | null;
  if (body && typeof body === 'object' && typeof body.email === 'string') body.email = canonicalEmail(body.email);
}

/** Whether the request's client still waits for its answer (its connection is open). */
const stillWaiting = (request: FastifyRequest) => () => !clientGone(request);

// Method, path, auth and schemas come from the contract (routes.ts); here only the handlers.
export default async function authRoutes(app: FastifyInstance) {
  /** Email and password, throttled per source and per account and source. */
  const signIn = async (request: FastifyRequest, email: string, password: string) => {
    const source = request.ip;
    await app.throttle.attempt(source);
    return app.throttle.guard(email, source, () => app.users.authenticate(email, password, stillWaiting(request)));
  };

  /** Refuses the request's token from now on (logout, browser sign-out). */
  const revokePresented = async (request: FastifyRequest) => {
    const presented = request.presentedToken;
    if (presented) await app.users.revoke(presented.hash, presented.expiresAt);
  };

  defineRoute(
    app,
    'register',
    async (request) => {
      await app.throttle.attempt(request.ip);
      const user = await app.users.register(request.body.email, request.body.password, request.body.time_zone, stillWaiting(request));
      return { id: user.id, email: user.email };
    },
    { preValidation: canonicalizeEmail },
  );

  // The login form is the only place that reads application/x-www-form-urlencoded, and
  // multipart/form-data (browsers' FormData; the original FastAPI service took both).
  await app.register(async (form) => {
    form.removeAllContentTypeParsers();
    await form.register(formbody, { bodyLimit: BODY_LIMIT });
    form.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (request, body, done) => {
      try {
        done(null, parseMultipartFields(body as Buffer, request.headers['content-type'] ?? '', LOGIN_FIELDS));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    defineRoute(form, 'login', async (request) => {
      const user = await signIn(request, request.body.username, request.body.password);
      const { token, expiresIn } = app.issueToken(user);
      return { access_token: token, token_type: 'bearer' as const, expires_in: expiresIn };
    });
  });

  // Browser sessions: the JWT travels in an HttpOnly cookie page scripts cannot read; a readable
  // CSRF cookie, bound to that token, must come back as a header on every write.
  const secure = app.config.env === 'production';
  const cookieBase = { path: '/', sameSite: 'strict' as const, secure };

  defineRoute(app, 'createSession', async (request, reply) => {
    const user = await signIn(request, request.body.email, request.body.password);
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
  });

  defineRoute(app, 'deleteSession', async (request, reply) => {
    await revokePresented(request);
    reply.clearCookie(SESSION_COOKIE, cookieBase).clearCookie(CSRF_COOKIE, cookieBase);
    return null;
  });

  defineRoute(app, 'logout', async (request) => {
    await revokePresented(request);
    return null;
  });

  defineRoute(app, 'logoutAll', async (request, reply) => {
    await app.users.logoutAll(userOf(request).id);
    reply.clearCookie(SESSION_COOKIE, cookieBase).clearCookie(CSRF_COOKIE, cookieBase);
    return null;
  });

  defineRoute(app, 'changePassword', async (request) => {
    const user = userOf(request);
    await app.throttle.attempt(request.ip);
    // A stolen token must not become a way to guess the password: the same lockout as a login.
    await app.throttle.guard(user.email, request.ip, () =>
      app.users.changePassword(user, request.body.current_password, request.body.new_password),
    );
    return null;
  });

  defineRoute(app, 'me', async (request) => toMe(userOf(request)));

  defineRoute(
    app,
    'requestPasswordReset',
    async (request) => {
      // Per source, then per address (known or not: the count says nothing about accounts).
      await app.throttle.attempt(request.ip);
      await app.throttle.resetRequest(request.body.email);
      await app.passwordResets.request(request.body.email);
      return { message: 'If an account uses this address, a link to choose a new password is on its way (valid for one hour).' };
    },
    { preValidation: canonicalizeEmail },
  );

  defineRoute(app, 'confirmPasswordReset', async (request) => {
    await app.throttle.attempt(request.ip);
    const email = await app.passwordResets.confirm(request.body.token, request.body.new_password);
    // The reset proved the mailbox is theirs: the account's sign-in lockout ends (every source).
    await app.throttle.clearAccount(email);
    return null;
  });
}
