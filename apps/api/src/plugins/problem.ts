import { PROBLEM_TYPES, problemType, type ProblemKind, type ProblemType, type ValidationIssue } from '@agentcaller/contracts';
import { databaseBusy, databaseUnreachable, FOREIGN_KEY_VIOLATION, QUERY_CANCELED, sqlState, users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import { DomainError, NotConfiguredError, summarize, UnauthorizedError, type ProblemExtra } from '../errors.js';
import { ClientGoneError } from '../lib/hash-slots.js';
import { addressForLog, pathForLog } from '../lib/path-for-log.js';
import { RouteMethods } from '../lib/route-methods.js';
import { loggableError } from '../lib/loggable-error.js';
import { EVERY_ANSWER } from '../lib/security-headers.js';
import { BODY_LIMIT } from '../routes/limits.js';

const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
// A refusal is about this request, at this moment (a 401 for these credentials, a 429 or 503 now):
// no cache keeps it and answers it to the next request, as none keeps a success (define.ts).
const NO_STORE = { 'cache-control': 'no-store' } as const;

interface ProblemBody {
  type: ProblemType;
  title: string;
  status: number;
  detail: string;
  errors?: ValidationIssue[];
  conflicting_appointment_id?: number;
  request_id?: string;
}

// Fastify's own 4xx errors, with sentences that do not echo the input back.
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type for this route',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty although its content type is JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length',
  FST_ERR_BAD_URL: 'The URL is not valid (bad percent-encoding)',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than any valid value',
};

type AjvIssue = NonNullable<FastifyError['validation']>[number];

function toIssue(issue: AjvIssue): ValidationIssue {
  const missing = issue.keyword === 'required' ? (issue.params as { missingProperty?: string }).missingProperty : undefined;
  const path = missing === undefined ? issue.instancePath : `${issue.instancePath}/${missing}`;
  // A regular expression means nothing to a person: say what the field must be instead.
  const description = (issue as { parentSchema?: { description?: unknown } }).parentSchema?.description;
  const explained = (issue.keyword === 'pattern' || issue.keyword === 'format') && typeof description === 'string';
  // The whole part is the JSON Pointer "" (RFC 6901); "/" would name a property called "".
  return { path, message: explained ? `must be ${description}` : (issue.message ?? 'is invalid') };
}

/**
 * The values an enum-like field allows (a union of constants such as a call's outcome or an
 * appointment's status, or an `enum`), or undefined for any other failure.
 */
function allowedValues(issue: AjvIssue): unknown[] | undefined {
  if (issue.keyword === 'enum') return (issue.params as { allowedValues?: unknown[] }).allowedValues;
  const branches = (issue as { schema?: unknown }).schema;
  if (issue.keyword !== 'anyOf' || !Array.isArray(branches) || branches.length === 0) return undefined;
  const values: unknown[] = [];
  for (const branch of branches as unknown[]) {
    if (typeof branch !== 'object' || branch === null || !('const' in branch)) return undefined;
    values.push(branch.const);
  }
  return values;
}

/**
 * One issue per path (a value can fail a pattern and a format at once), in order. A union of
 * constants fails once per branch ("must be equal to constant") and then as a whole: the whole
 * names the allowed values, and it is the one kept for that path.
 */
function issuesOf(validation: AjvIssue[]): ValidationIssue[] {
  const byPath = new Map<string, ValidationIssue>();
  for (const issue of validation) {
    const values = allowedValues(issue);
    const mapped = values ? { path: issue.instancePath, message: `must be one of ${values.map(String).join(', ')}` } : toIssue(issue);
    if (values || !byPath.has(mapped.path)) byPath.set(mapped.path, mapped);
  }
  return [...byPath.values()];
}

/**
 * Errors Fastify raises before routing (a URL it cannot decode, a path parameter over its length
 * limit) go through `frameworkErrors`, not the error handler: answer them as problems too.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { body, headers } = problemOf(err);
  // The outcome of a request whose opening line was logged (round 14's break test: `/v1/%ZZ`'s 400
  // had none), as the error handler writes it for every other refusal.
  request.log.info({ status: body.status, detail: body.detail }, 'request refused');
  // No hook ran for this request, so the security plugin's did not either: its headers, all of them.
  // (`void`: the reply is thenable, but Fastify expects nothing back from this handler.)
  void sendProblem(reply, body, { ...EVERY_ANSWER, ...headers });
}

// The security headers as raw header lines, for answers written on the socket.
const SECURITY_HEADER_LINES = Object.entries(EVERY_ANSWER)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

// What Node's HTTP parser refuses before Fastify sees a request: the kind and a sentence for each.
const CLIENT_ERRORS: Record<string, [ProblemKind, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['request-timeout', 'The request did not arrive in time'],
  HPE_HEADER_OVERFLOW: ['headers-too-large', 'The request line and headers are larger than 16 KiB'],
};

/**
 * Requests Node's parser cannot read (an unknown method, a malformed header or request line, both
 * Content-Length and Transfer-Encoding, headers over 16 KiB or too slow) never reach Fastify: they
 * are answered here, on the socket, as problems too (Fastify's own answer is plain JSON).
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [kind, detail] = CLIENT_ERRORS[err.code ?? ''] ?? ['bad-request', 'The request cannot be read as HTTP/1.1'];
  refuseOnSocket(this.log, socket, kind, detail, err.code);
}

/**
 * A CONNECT request (a proxy tunnel): Node hands its socket to a `connect` listener and, with none,
 * closes it unanswered (round 14's break test). No resource of the API takes it: 405, with an empty
 * `Allow` (RFC 9110: the target allows no method).
 */
export function connectHandler(log: FastifyBaseLogger, socket: Socket) {
  refuseOnSocket(log, socket, 'method-not-allowed', 'Method CONNECT is not allowed: this is an HTTP API, not a proxy', 'CONNECT', 'Allow: \r\n');
}

/**
 * Answers a request that never reaches a route with a problem written on its socket, and closes it.
 * Nothing else logs such requests (round 14's break test): each leaves a line, at info as every
 * request's do.
 */
function refuseOnSocket(log: FastifyBaseLogger, socket: Socket, kind: ProblemKind, detail: string, code: string | undefined, headerLines = '') {
  log.info({ status: PROBLEM_TYPES[kind].status, code, remoteAddress: addressForLog(socket.remoteAddress) }, 'request refused before routing');
  const body = JSON.stringify(problem(kind, detail));
  if (socket.writable) {
    const { status, title } = PROBLEM_TYPES[kind];
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n${headerLines}${SECURITY_HEADER_LINES}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * A problem written on a raw response, past Fastify (a body that never arrived, an `Expect` the API
 * cannot meet): no hook set its headers, so the security headers go here, and the connection
 * closes once it is sent.
 */
export function writeRawProblem(res: ServerResponse, kind: ProblemKind, detail: string, then?: () => void): void {
  const body = JSON.stringify(problem(kind, detail));
  res.writeHead(PROBLEM_TYPES[kind].status, {
    ...EVERY_ANSWER,
    ...NO_STORE,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body, then);
}

function sendProblem(reply: FastifyReply, problem: ProblemBody, headers: Record<string, string> = {}) {
  return reply.code(problem.status).headers(NO_STORE).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * The one place a kind of problem becomes HTTP: `type`, status and title from the contracts'
 * table (PROBLEM_TYPES), and the header its status requires. Every error of the API passes here.
 */
function problem(kind: ProblemKind, detail: string, extra: ProblemExtra = {}): ProblemBody {
  const { status, title } = PROBLEM_TYPES[kind];
  return { type: problemType(kind), title, status, detail, ...extra };
}

// RFC 6750: every 401 says how to authenticate.
const HEADERS_OF_STATUS: Partial<Record<number, Record<string, string>>> = { 401: { 'www-authenticate': 'Bearer' } };

// Fastify's own errors, by status: the kind each is.
const KIND_OF_STATUS: Partial<Record<number, ProblemKind>> = {
  400: 'bad-request',
  // Only the docs' static files answer 403 of their own (a path that leaves their folder, `..`):
  // there is nothing there, as for any other path that names nothing.
  403: 'not-found',
  404: 'not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  413: 'payload-too-large',
  431: 'headers-too-large',
  // The contract answers a body in an unsupported content type with 400, like any unreadable body.
  415: 'bad-request',
  503: 'unavailable',
};

/** 1 MiB, 8 KiB: a body limit as the README and the document state it. */
function bytesInWords(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** The body types the API reads anywhere; a route reads those its scope has a parser for. */
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

/** What to say to a body of a type the route does not read: which types it does (round 14's break test). */
function unsupportedType(request: FastifyRequest | undefined): string {
  const accepted = request ? BODY_TYPES.filter((type) => request.server.hasContentTypeParser(type)) : [];
  return accepted.length === 0 ? FASTIFY_DETAILS.FST_ERR_CTP_INVALID_MEDIA_TYPE! : `${FASTIFY_DETAILS.FST_ERR_CTP_INVALID_MEDIA_TYPE!}: send ${accepted.join(' or ')}`;
}

/**
 * `request`: the request the error met, when it reached a route; its route's body limit (each route
 * has its own: bodyLimitOf) and body types are named in the details.
 */
function problemOf(err: FastifyError | DomainError | Error, request?: FastifyRequest): { body: ProblemBody; headers: Record<string, string> } {
  const bodyLimit = request?.routeOptions.bodyLimit ?? BODY_LIMIT;
  const withHeaders = (body: ProblemBody, headers: Record<string, string> = {}) => ({ body, headers: { ...HEADERS_OF_STATUS[body.status], ...headers } });
  if (err instanceof DomainError) {
    const retry: Record<string, string> = err.retryAfterSeconds === undefined ? {} : { 'retry-after': String(err.retryAfterSeconds) };
    return withHeaders(problem(err.kind, err.detail, err.extra), retry);
  }
  const fastifyError = err as FastifyError;
  if (fastifyError.validation) {
    const errors = issuesOf(fastifyError.validation);
    return withHeaders(problem('validation', summarize(errors), { errors }));
  }
  const busy = databaseBusy(err);
  if (busy !== undefined) return withHeaders(problem('unavailable', 'The database could not complete the request now; try again shortly'), { 'retry-after': '1' });
  if (sqlState(err) === QUERY_CANCELED) {
    const detail = 'The request took too long; narrow it (a shorter period, a search) or try again later';
    return withHeaders(problem('query-timeout', detail), { 'retry-after': '1' });
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // An id longer than any valid one names no resource (Fastify's own answer would be a 414). Any
    // other 4xx of Fastify's is an unreadable request.
    const kind = fastifyError.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'not-found' : (KIND_OF_STATUS[status] ?? 'bad-request');
    const detail =
      status === 403
        ? 'No such file'
        : fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `The request body is larger than this route's limit of ${bytesInWords(bodyLimit)}`
          : fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? unsupportedType(request)
            : (FASTIFY_DETAILS[fastifyError.code] ?? (err instanceof SyntaxError ? FASTIFY_DETAILS.FST_ERR_CTP_INVALID_JSON_BODY! : err.message));
    return withHeaders(problem(kind, detail));
  }
  if (status === 503) return withHeaders(problem('unavailable', 'The service is unavailable, try again shortly'), { 'retry-after': '1' });
  // The database cannot be reached, or a connection was lost under the request (a failover, a
  // restart, a terminated backend): the service is unavailable for now, not broken. Only for what
  // would be a 500: a client's own reset (also ECONNRESET) is answered above as its 4xx.
  if (databaseUnreachable(err) !== undefined) return withHeaders(problem('unavailable', 'The database does not answer; try again shortly'), { 'retry-after': '1' });
  return withHeaders(problem('internal', 'Internal server error'));
}


/**
 * Whether a write failed on a foreign key because the account that authenticated it was deleted
 * after its authentication (its schedule, a client, a key then names no user): a 401, as the next
 * request with that credential gets, not a 500 (round 13's break test). Any other foreign key that
 * fails is a fault of ours, and stays one.
 */
async function accountGoneMeanwhile(err: Error, request: FastifyRequest): Promise<boolean> {
  const user = request.currentUser;
  if (!user || sqlState(err) !== FOREIGN_KEY_VIOLATION) return false;
  try {
    const rows = await request.server.db.select({ id: users.id }).from(users).where(eq(users.id, user.id));
    return rows.length === 0;
  } catch {
    // The database failed this read too: the first failure is the answer (a 500 problem, logged),
    // not a rejection of the error handler, which Fastify would answer with its own plain 500.
    return false;
  }
}

/** The 503s the API answers on purpose (its limits, its stop): not failures. */
const REFUSED_UNDER_LOAD: ReadonlySet<ProblemKind> = new Set(['at-capacity', 'shutting-down']);

/** One error handler: every error leaves as RFC 9457 problem details; internals never do. */
export default fp(
  async function problemPlugin(app: FastifyInstance) {
    app.setErrorHandler(async (raised: FastifyError | DomainError | Error, request, reply) => {
      const err = (await accountGoneMeanwhile(raised, request)) ? new UnauthorizedError('The account was deleted while this request ran') : raised;
      const { body, headers } = problemOf(err, request);
      // A failure on our side (or a refusal under load) names its request, so a report of it can be
      // matched with its log line (the same id is that line's reqId).
      if (body.status >= 500) body.request_id = request.id;
      // A 503 of the database's, or one of ours because of it (a slot its requests hold, /ready).
      const databaseReason = body.status === 503 ? (databaseBusy(err) ?? databaseUnreachable(err) ?? (err instanceof DomainError && err.kind === 'unavailable' ? body.detail : undefined)) : undefined;
      if (err instanceof ClientGoneError) {
        // Nobody is there to read it: the connection closed while the request waited for a hash slot.
        request.log.info('client gone before its turn: its password hash was not computed');
      } else if (err instanceof NotConfiguredError || (err instanceof DomainError && REFUSED_UNDER_LOAD.has(err.kind))) {
        // Refused on purpose, under load, while stopping, or for a feature this server is not
        // configured for: one line, no stack. As errors with their stacks, a sign-in flood wrote
        // ~2,000 of them, and anyone could add one per password-reset request (round 10).
        // The account, when one is signed in: whose bodies met its share of BODY_BYTES_PER_HOLDER.
        const account = request.currentUser?.id;
        request.log.warn({ status: body.status, type: body.type, ...(account === undefined ? {} : { account }) }, err instanceof NotConfiguredError ? 'request refused: not configured on this server' : 'request refused under load');
      } else if (databaseReason !== undefined) {
        // The database is there but cannot answer now, or cannot be reached: an operational state,
        // not a fault of ours. One line with the reason, no stack (round 16's re-check counted 7,600
        // error-level lines with stacks in 25 minutes of an incident).
        request.log.warn({ status: 503, type: body.type, reason: databaseReason }, 'request refused: database unavailable');
      } else if (body.status >= 500) {
        request.log.error({ err: loggableError(err) }, 'request failed');
      } else {
        request.log.info({ status: body.status, detail: body.detail }, 'request refused');
      }
      return sendProblem(reply, body, headers);
    });

    // A known path asked with another method is 405 with `Allow` (FastAPI's answer), not 404.
    const known = new RouteMethods();
    app.addHook('onRoute', (route) => known.add(route.url ?? route.path, route.method));
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = known.allowed(path);
      // The path as the caller sent it, but a credential typed into it is not echoed back.
      const shown = pathForLog(path);
      // 405 only when the method is not one the path takes: a GET of a file missing under /docs/*
      // (whose route takes GET) is a 404.
      if (allowed.length > 0 && !allowed.includes(request.method)) {
        return sendProblem(reply, problem('method-not-allowed', `Method ${request.method} is not allowed on ${shown}`), { allow: allowed.join(', ') });
      }
      return sendProblem(reply, problem('not-found', `No route ${request.method} ${shown}`));
    });
  },
  { name: 'problem' },
);
