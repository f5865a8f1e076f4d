import {
  ApiKey,
  ApiKeyList,
  Call,
  CallOutcome,
  CallPage,
  CreateApiKeyBody,
  CreateCallBody,
  CreatedApiKey,
  DueCall,
  DueCalls,
  Appointment,
  AppointmentPage,
  AppointmentStatus,
  Availability,
  ChangePasswordBody,
  PasswordResetBody,
  PasswordResetAccepted,
  ConfirmPasswordResetBody,
  AdminUser,
  AdminUserPage,
  UpdateAdminUserBody,
  Client,
  ClientPage,
  ClientSummary,
  CreateAppointmentBody,
  CreateClientBody,
  CSRF_HEADER,
  errorStatuses,
  Health,
  LoginForm,
  Me,
  Problem,
  PROBLEM_TYPE_LIST,
  Ready,
  RegisterBody,
  RegisteredUser,
  routes,
  SECURITY_SCHEMES,
  securityOf,
  Session,
  SESSION_COOKIE,
  SessionBody,
  Slot,
  TAGS,
  Token,
  UpdateAppointmentBody,
  UpdateClientBody,
  ValidationIssue,
  ValidationProblem,
  type RouteDef,
} from '@agentcaller/contracts';

/** Every wire shape, by the name it has in `components.schemas`; everywhere else it is a `$ref`. */
const NAMED_SCHEMAS: Record<string, object> = {
  Problem,
  ValidationProblem,
  ValidationIssue,
  RegisterBody,
  RegisteredUser,
  LoginForm,
  Token,
  Me,
  SessionBody,
  Session,
  ChangePasswordBody,
  PasswordResetBody,
  PasswordResetAccepted,
  ConfirmPasswordResetBody,
  AdminUser,
  AdminUserPage,
  UpdateAdminUserBody,
  Client,
  ClientSummary,
  ClientPage,
  CreateClientBody,
  UpdateClientBody,
  Appointment,
  AppointmentStatus,
  AppointmentPage,
  CreateAppointmentBody,
  UpdateAppointmentBody,
  Availability,
  Slot,
  CreateApiKeyBody,
  CreatedApiKey,
  ApiKey,
  ApiKeyList,
  CallOutcome,
  Call,
  CallPage,
  CreateCallBody,
  DueCall,
  DueCalls,
  Health,
  Ready,
};

const NAME_OF = new Map<object, string>(Object.entries(NAMED_SCHEMAS).map(([name, schema]) => [schema, name]));
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A TypeBox schema as plain JSON Schema, with every named shape inside it replaced by its `$ref`. */
function jsonSchema(schema: unknown, self?: object): unknown {
  if (Array.isArray(schema)) return schema.map((item) => jsonSchema(item));
  if (schema === null || typeof schema !== 'object') return schema;
  const name = NAME_OF.get(schema);
  if (name !== undefined && schema !== self) return ref(name);
  // Object.entries skips TypeBox's symbol keys: what is left is JSON Schema.
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, jsonSchema(value)]));
}

/** The shared error answers, one per status, each `application/problem+json`. */
const ERROR_RESPONSES: Record<number, { name: string; headers?: Record<string, object> }> = {
  400: { name: 'BadRequest' },
  401: {
    name: 'Unauthorized',
    headers: {
      'WWW-Authenticate': { description: 'How to authenticate (RFC 6750): always `Bearer`.', required: true, schema: { type: 'string', examples: ['Bearer'] } },
    },
  },
  403: { name: 'Forbidden' },
  404: { name: 'NotFound' },
  408: { name: 'RequestTimeout' },
  409: { name: 'Conflict' },
  413: { name: 'PayloadTooLarge' },
  422: { name: 'ValidationFailed' },
  431: { name: 'HeadersTooLarge' },
  429: { name: 'TooManyRequests', headers: { 'Retry-After': { description: 'Seconds to wait before trying again.', required: true, schema: { type: 'integer', minimum: 1, examples: [30] } } } },
  500: { name: 'InternalError' },
  503: { name: 'ServiceUnavailable', headers: { 'Retry-After': { description: 'Seconds to wait before trying again, when known.', schema: { type: 'integer', minimum: 1, examples: [1] } } } },
};

function errorResponse(status: number) {
  const { headers } = ERROR_RESPONSES[status]!;
  const kinds = PROBLEM_TYPE_LIST.filter((problem) => problem.status === status);
  const first = kinds[0]!;
  const example = {
    type: first.type,
    title: first.title,
    status,
    detail: first.description,
    ...(status === 422 ? { errors: [{ path: '/email', message: 'must match format "email"' }] } : {}),
  };
  return {
    description: `${first.title}. Problem types: ${kinds.map((problem) => `\`${problem.type}\` (${problem.description})`).join('; ')}`,
    ...(headers ? { headers } : {}),
    content: { 'application/problem+json': { schema: ref(status === 422 ? 'ValidationProblem' : 'Problem'), example } },
  };
}

function parameters(def: RouteDef) {
  const out: object[] = [];
  for (const [where, schema] of [['path', def.params], ['query', def.query]] as const) {
    if (!schema) continue;
    const { properties = {}, required = [] } = schema as { properties?: Record<string, { examples?: unknown[]; default?: unknown; description?: string }>; required?: string[] };
    for (const [name, property] of Object.entries(properties)) {
      out.push({
        name,
        in: where,
        required: where === 'path' || required.includes(name),
        ...(property.description ? { description: property.description } : {}),
        schema: jsonSchema(property),
        example: property.examples?.[0] ?? property.default,
      });
    }
  }
  return out;
}

const MEDIA_TYPES = { json: ['application/json'], form: ['application/x-www-form-urlencoded', 'multipart/form-data'] };

function operation(operationId: string, def: RouteDef) {
  const security = securityOf(def);
  const who = !def.auth
    ? 'Public: no credentials needed.'
    : def.apiKey
      ? 'Needs a signed-in user: a bearer token (OAuth2 password form at `/v1/auth/login`), an API key (`Authorization: Bearer ac_…`) or the browser session cookie, with `X-CSRF-Token` on writes.'
      : 'Needs the person: a bearer token (OAuth2 password form at `/v1/auth/login`) or the browser session cookie, with `X-CSRF-Token` on writes. An API key gets 403 (`/problems/api-key-not-allowed`): this is about the account itself.';
  const adminOnly = def.admin ? ' Administrators only: anyone else gets 403 (`/problems/admin-required`).' : '';
  const responses: Record<string, object> = {
    [def.status]:
      def.status === 204
        ? { description: 'No content' }
        : { description: 'Success', content: { 'application/json': { schema: jsonSchema(def.response) } } },
  };
  for (const status of errorStatuses(def)) responses[status] = { $ref: `#/components/responses/${ERROR_RESPONSES[status]!.name}` };
  return {
    operationId,
    tags: [def.tag],
    summary: def.summary,
    description: `${def.summary}. ${who}${adminOnly}`,
    security,
    ...(def.params || def.query ? { parameters: parameters(def) } : {}),
    ...(def.body
      ? { requestBody: { required: true, content: Object.fromEntries(MEDIA_TYPES[def.encoding ?? 'json'].map((type) => [type, { schema: jsonSchema(def.body) }])) } }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the route table (packages/contracts/src/routes.ts)
 * that also registers every route, so it cannot say what the server does not do.
 */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, object>> = {};
  for (const [operationId, def] of Object.entries(routes) as [string, RouteDef][]) {
    const path = def.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    (paths[path] ??= {})[def.method.toLowerCase()] = operation(operationId, def);
  }
  const responses = Object.fromEntries(Object.entries(ERROR_RESPONSES).map(([status, { name }]) => [name, errorResponse(Number(status))]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'AgentCaller API',
      version: '1.0.0',
      description:
        'Back office of an AI phone agent. Errors are RFC 9457 problem details (`application/problem+json`) whose `type` names the kind of problem; programs branch on `type`, never on `detail`.',
      contact: { name: 'AgentCaller maintainers' },
    },
    servers: [{ url: '/', description: 'This server (the document is served by the API it describes)' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(NAMED_SCHEMAS).map(([name, schema]) => [name, jsonSchema(schema, schema)])),
      responses,
      securitySchemes: {
        [SECURITY_SCHEMES.oauth2]: {
          type: 'oauth2',
          description: 'Email (as `username`) and password; the token is then sent as `Authorization: Bearer`.',
          flows: { password: { tokenUrl: routes.login.path, scopes: {} } },
        },
        [SECURITY_SCHEMES.bearer]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ac_ API key',
          description:
            'An API key from `POST /v1/api-keys` (`ac_` and 43 base62 characters), sent as `Authorization: Bearer ac_…`: it acts as its user on clients, appointments, availability, schedule (read) and calls, never on the account itself (403). Tokens from the sign-in form travel the same way (the OAuth2 scheme).',
        },
        [SECURITY_SCHEMES.session]: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'The browser session set by `POST /v1/auth/session` (HttpOnly). Writes also need `X-CSRF-Token`.',
        },
        [SECURITY_SCHEMES.csrf]: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: `With the session cookie, on every write: the value of the readable \`ac_csrf\` cookie (also \`csrf_token\` in the session answer). Header \`${CSRF_HEADER}\`, any case.`,
        },
      },
    },
  };
}
