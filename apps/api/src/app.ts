import { randomBytes, randomFillSync } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { ValidationError } from './errors.js';
import type { Argon2Parameters } from './lib/passwords.js';
import { addressForLog, hostForLog, pathForLog } from './lib/path-for-log.js';
import { lazyLogger } from './lib/request-logger.js';
import { illFormedAt } from './lib/well-formed.js';
import authPlugin from './plugins/auth.js';
import dbPlugin from './plugins/db.js';
import fairnessPlugin from './plugins/fairness.js';
import mailPlugin from './plugins/mail.js';
import openapiPlugin from './plugins/openapi.js';
import problemPlugin, { clientErrorHandler, connectHandler, frameworkErrorHandler } from './plugins/problem.js';
import securityPlugin from './plugins/security.js';
import throttlePlugin from './plugins/throttle.js';
import { validatorCompiler } from './plugins/validation.js';
import { serializerCompiler } from './plugins/serialization.js';
import adminRoutes from './routes/admin/index.js';
import apiKeyRoutes from './routes/api-keys/index.js';
import appointmentRoutes from './routes/appointments/index.js';
import authRoutes from './routes/auth/index.js';
import callRoutes from './routes/calls/index.js';
import clientRoutes from './routes/clients/index.js';
import { BODY_LIMIT } from './routes/limits.js';
import scheduleRoutes from './routes/schedule/index.js';
import serviceRoutes from './routes/service.js';

export { loadConfig, ConfigError, ENV_VARIABLES, type Config } from './config.js';

export { BODY_LIMIT };

// Never logged: credentials in headers, and any password or token field of a logged object.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.hashed_password',
  '*.hashedPassword',
  '*.access_token',
  '*.token',
  '*.secretKey',
];

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export interface BuildOptions {
  /** A destination for the logs (tests capture them); defaults to stdout. */
  logStream?: NodeJS.WritableStream;
  /**
   * argon2id's parameters for new hashes, for test fixtures only (cheap hashes where a test just
   * needs signed-in users). Deliberately not configuration: no environment variable reaches it, so
   * the server always hashes at `ARGON2_PARAMETERS` (OWASP's).
   */
  argon2Parameters?: Argon2Parameters;
}

/** Fails at the first byte that is not UTF-8, instead of reading it as U+FFFD; drops a leading BOM. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `text` is JSON at all (JSON.parse makes `__proto__` an own member: nothing is polluted). */
function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A body refused before it reaches a route (a problem of kind bad-request with this detail). */
function badBody(statusCode: 400 | 415, detail: string): Error {
  return Object.assign(new Error(detail), { statusCode });
}

/** Only these keys of the configuration: each plugin gets its own options, nothing more. */
function pick<K extends keyof Config>(config: Config, ...keys: K[]): Pick<Config, K> {
  return Object.fromEntries(keys.map((key) => [key, config[key]])) as Pick<Config, K>;
}

/**
 * A logged URL: its path, and of its query only the names, each value `[redacted]`. Clients put
 * passwords and tokens there by mistake (`?password=`, `?access_token=`: round 10's break test found
 * both in the log as sent), and a search's `q` holds people's names and numbers. A name that is not a
 * short identifier (a bare token as a key) is redacted whole; so is any path segment longer than the
 * API's own (pathForLog).
 */
function loggedUrl(target: string): string {
  // An absolute-form target (`http://user:secret@host/path`) is logged from its path on: its
  // authority may carry credentials (round 10's second break test).
  const url = target.startsWith('/') ? target : target.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '') || '/';
  const query = url.indexOf('?');
  if (query === -1) return pathForLog(url);
  const names = url
    .slice(query + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      return /^[A-Za-z0-9_.-]{1,32}$/.test(name) ? `${name}=[redacted]` : '[redacted]';
    });
  return `${pathForLog(url.slice(0, query))}?${names.join('&')}`;
}

/** Fastify's request serializer, with the URL as loggedUrl gives it. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    // Only what is a host and an address: a token sent as Host or X-Forwarded-For is not logged.
    host: hostForLog(request.host),
    remoteAddress: addressForLog(request.ip),
    remotePort: request.socket?.remotePort,
  };
}

/**
 * Ids of the form `<8 hex digits>-<16 hex digits>`: the prefix random for each app (so each process
 * and each restart), the rest random for each request, from a pool of random bytes drawn 8 KiB at a
 * time (a draw per request would cost every request a system call). Unique in practice (2^64 per
 * app), and no id says anything of another: a count, even a permuted one, told how many requests an
 * instance served between two 5xx answers (round 15's break test and its re-check). Never taken
 * from a request header.
 */
function requestIds(): () => string {
  const prefix = `${randomBytes(4).toString('hex')}-`;
  const pool = Buffer.alloc(8 * 1024);
  let at = pool.length;
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    at += 8;
    return prefix + pool.toString('hex', at - 8, at);
  };
}

export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    // A request's child logger is made only if the request writes a line (lib/request-logger.ts).
    loggerInstance: lazyLogger(
      { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { req: requestForLog } },
      options.logStream,
    ),
    bodyLimit: BODY_LIMIT,
    // `/v1/auth/me/` is `/v1/auth/me`: the original (FastAPI) redirected such paths; clients
    // written for it keep working without following a redirect.
    routerOptions: { ignoreTrailingSlash: true },
    // Only the proxies named in TRUST_PROXY may say who the client is: X-Forwarded-For is read
    // right to left, skipping those hops. Unset, the client is the TCP peer and the header is ignored.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    // No time limit on start-up plugins: opening the database and migrating (perhaps waiting for
    // another instance's migration under the advisory lock) takes as long as it takes.
    pluginTimeout: 0,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Request ids unique across instances and restarts (Fastify's own, req-1, req-2, …, start again
    // in every process): a 5xx names its id in its body (plugins/problem.ts) and in its log line.
    genReqId: requestIds(),
    // While draining, the security plugin answers new requests with a 503 problem itself.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Slow clients cannot hold a connection forever: the whole request must arrive within
    // REQUEST_TIMEOUT_SECONDS; idle keep-alive connections close after 72 s (longer than the 60 s
    // of common load balancers, so they close first).
    requestTimeout: config.requestTimeoutSeconds * 1000,
    keepAliveTimeout: 72_000,
    // Node checks those deadlines only every 30 s by default, so a client trickling its headers
    // lived up to 30 s past REQUEST_TIMEOUT_SECONDS: check every second, headers included.
    http: {
      requestTimeout: config.requestTimeoutSeconds * 1000,
      headersTimeout: config.requestTimeoutSeconds * 1000,
      connectionsCheckingInterval: 1000,
      // Node would answer a request without Host with an empty 400; the security plugin answers a problem.
      requireHostHeader: false,
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('config', config);
  // Node gives a CONNECT's socket (a net.Socket for this server) to this listener, else closes it.
  app.server.on('connect', (_request, socket) => connectHandler(app.log, socket as Socket));
  app.setValidatorCompiler(validatorCompiler());
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON (and, on the login route, the form) is read: a text/plain body is a 400.
  app.removeContentTypeParser('text/plain');
  // JSON as Fastify parses it, refused when it spells a lone surrogate (422 at its place): such a
  // string would be stored as U+FFFD, not as sent. Likewise bytes that are not UTF-8 (JSON is
  // UTF-8, RFC 8259): a 400, not U+FFFD; and a charset other than UTF-8 is an unsupported type.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return done(badBody(415, 'JSON is read in UTF-8 only: send charset=utf-8, or no charset'), undefined);
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      return done(badBody(400, 'The request body is not valid UTF-8'), undefined);
    }
    void parseJson(request, text, (err, value) => {
      if (err) {
        // Fastify says "not valid JSON" for both; JSON that parses was refused for a member that
        // would reach an object's prototype (secure-json-parse), and the answer says so.
        return done(parsesAsJson(text) ? badBody(400, 'A JSON member named __proto__, or constructor holding prototype, is not accepted') : err, undefined);
      }
      const at = illFormedAt(value);
      if (at === undefined) return done(null, value);
      done(new ValidationError([{ path: at, message: 'must be Unicode text: a lone surrogate (\\ud800 to \\udfff) is no character' }]), undefined);
    });
  });

  await app.register(problemPlugin);
  await app.register(securityPlugin, pick(config, 'env', 'corsOrigins', 'requestTimeoutSeconds', 'maxInFlight', 'maxConnections', 'trustProxy'));
  await app.register(dbPlugin, { database: config.database });
  await app.register(throttlePlugin, pick(config, 'redisUrl', 'throttle'));
  await app.register(mailPlugin, pick(config, 'env', 'mail'));
  await app.register(authPlugin, { ...pick(config, 'secretKey', 'accessTokenExpireMinutes', 'passwordHash'), argon2Parameters: options.argon2Parameters, publicWebUrl: config.mail.publicWebUrl });
  await app.register(fairnessPlugin);
  await app.register(openapiPlugin);
  await app.register(serviceRoutes);
  await app.register(authRoutes);
  await app.register(clientRoutes);
  await app.register(appointmentRoutes);
  await app.register(scheduleRoutes);
  await app.register(apiKeyRoutes);
  await app.register(callRoutes);
  await app.register(adminRoutes);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
