import { STATUS_CODES } from 'node:http';
import type { ValidationIssue } from '@agentcaller/contracts';
import { QUERY_CANCELED, sqlState } from '@agentcaller/db';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, summarize, type ProblemKind } from '../errors.js';
import { RouteMethods } from '../lib/route-methods.js';

const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ValidationIssue[];
  conflicting_appointment_id?: number;
}

// Fastify's own 4xx errors, with sentences that do not echo the input back.
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type for this route',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the limit of 1 MiB',
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
  return { path: path || '/', message: explained ? `must be ${description}` : (issue.message ?? 'is invalid') };
}

/** One issue per path (a value can fail a pattern and a format at once), in order. */
function issuesOf(validation: AjvIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return validation.map(toIssue).filter((issue) => !seen.has(issue.path) && seen.add(issue.path));
}

/**
 * Errors Fastify raises before routing (a URL it cannot decode, a path parameter over its length
 * limit) go through `frameworkErrors`, not the error handler: answer them as problems too.
 */
export function frameworkErrorHandler(err: FastifyError, _request: unknown, reply: FastifyReply): void {
  const { body, headers } = problemOf(err);
  // No hook ran for this request, so helmet did not either: the headers that matter for an error.
  // (`void`: the reply is thenable, but Fastify expects nothing back from this handler.)
  void sendProblem(reply, body, {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-site',
    ...headers,
  });
}

function sendProblem(reply: FastifyReply, problem: ProblemBody, headers: Record<string, string> = {}) {
  return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** The one place a domain error becomes HTTP: its status, and the headers that kind requires. */
const HTTP_OF: Record<ProblemKind, { status: number; headers?: Record<string, string> }> = {
  // RFC 6750: every 401 says how to authenticate.
  unauthenticated: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  forbidden: { status: 403 },
  'not-found': { status: 404 },
  conflict: { status: 409 },
  validation: { status: 422 },
  throttled: { status: 429 },
  unavailable: { status: 503 },
};

function problemOf(err: FastifyError | DomainError | Error): { body: ProblemBody; headers: Record<string, string> } {
  if (err instanceof DomainError) {
    const { status, headers = {} } = HTTP_OF[err.kind];
    const retry: Record<string, string> = err.retryAfterSeconds === undefined ? {} : { 'retry-after': String(err.retryAfterSeconds) };
    return { body: { type: 'about:blank', title: STATUS_CODES[status]!, status, detail: err.detail, ...err.extra }, headers: { ...headers, ...retry } };
  }
  const fastifyError = err as FastifyError;
  if (fastifyError.validation) {
    const errors = issuesOf(fastifyError.validation);
    return { body: { type: 'about:blank', title: STATUS_CODES[422]!, status: 422, detail: summarize(errors), errors }, headers: {} };
  }
  if (sqlState(err) === QUERY_CANCELED) {
    const detail = 'The request took too long; narrow it (a shorter period, a search) or try again later';
    return { body: { type: 'about:blank', title: STATUS_CODES[503]!, status: 503, detail }, headers: { 'retry-after': '1' } };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // The contract answers a body in an unsupported content type with 400, like any unreadable body.
    const code = status === 415 ? 400 : status;
    const detail = FASTIFY_DETAILS[fastifyError.code] ?? (err instanceof SyntaxError ? FASTIFY_DETAILS.FST_ERR_CTP_INVALID_JSON_BODY! : err.message);
    return { body: { type: 'about:blank', title: STATUS_CODES[code] ?? 'Bad Request', status: code, detail }, headers: {} };
  }
  if (status === 503) {
    return { body: { type: 'about:blank', title: STATUS_CODES[503]!, status: 503, detail: 'The service is unavailable, try again shortly' }, headers: {} };
  }
  return { body: { type: 'about:blank', title: STATUS_CODES[500]!, status: 500, detail: 'Internal server error' }, headers: {} };
}

/**
 * Drizzle's query errors carry the statement's parameters (which may hold a password hash): log
 * only the driver's error and the statement text.
 */
function loggableError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const query = (err as { query?: unknown }).query;
  const cause = (err as { cause?: unknown }).cause;
  if (typeof query === 'string' && (err as { params?: unknown }).params !== undefined) {
    const driver = cause instanceof Error ? cause : undefined;
    return {
      type: driver?.name ?? err.name,
      message: driver?.message ?? 'database query failed',
      code: (driver as { code?: unknown } | undefined)?.code,
      query,
      stack: driver?.stack,
    };
  }
  return { type: err.name, message: err.message, code: (err as { code?: unknown }).code, stack: err.stack };
}

/** One error handler: every error leaves as RFC 9457 problem details; internals never do. */
export default fp(
  async function problemPlugin(app: FastifyInstance) {
    app.setErrorHandler((err: FastifyError | DomainError | Error, request, reply) => {
      const { body, headers } = problemOf(err);
      if (body.status >= 500) {
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
      if (allowed.length > 0) {
        return sendProblem(
          reply,
          { type: 'about:blank', title: STATUS_CODES[405]!, status: 405, detail: `Method ${request.method} is not allowed on ${path}` },
          { allow: allowed.join(', ') },
        );
      }
      return sendProblem(reply, {
        type: 'about:blank',
        title: STATUS_CODES[404]!,
        status: 404,
        detail: `No route ${request.method} ${path}`,
      });
    });
  },
  { name: 'problem' },
);
