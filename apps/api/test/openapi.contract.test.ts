/**
 * The served `/openapi.json` tells the truth (issue 11): every operation is called as a third-party
 * tool would call it, with valid requests generated from the document's own schemas (and a few
 * invalid ones), and every answer, success or error, must be a documented status whose body matches
 * the documented schema and media type. The judge is an independent validator (Ajv's JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1) reading the document, not the TypeBox objects.
 */
import { readFile } from 'node:fs/promises';
import { PROBLEM_TYPE_LIST } from '@agentcaller/contracts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { users } from '@agentcaller/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  examples?: unknown[];
  default?: unknown;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minimum?: number;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
  example?: unknown;
}
interface Response {
  $ref?: string;
  content?: Record<string, { schema: Schema }>;
  headers?: Record<string, { required?: boolean }>;
}
interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response> };
}

let ctx: TestContext;
let doc: Document;
let ajv: Ajv2020;

beforeAll(async () => {
  ctx = await startApp();
  const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
  doc = res.json<Document>();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'openapi.json');
});
afterAll(() => ctx.close());

const pointer = (...segments: string[]) => segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

function resolve<T extends { $ref?: string }>(node: T): T {
  if (!node.$ref) return node;
  const found = node.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  return resolve(found as T);
}

/** A valid value of a schema, as a tool reading the document would make it: examples first. */
function sample(node: Schema): unknown {
  const schema = resolve(node);
  if (schema.examples?.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return sample(schema.anyOf[0]!);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, sample(property)]));
    case 'string':
      return 'x'.repeat(schema.minLength ?? 1);
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      return null;
  }
}

interface Call {
  method: string;
  path: string;
  operation: Operation;
}

/** Every operation of the document, in an order in which valid requests can succeed. */
function operations(): Call[] {
  const calls = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ method, path, operation })));
  const first = ['register', 'login', 'createSession', 'createClient', 'createAppointment'];
  // Calls that end the token or change the password go last (sign-out everywhere ends it too).
  const last = ['revokeApiKey', 'deleteAppointment', 'deleteClient', 'changePassword', 'logoutAll', 'deleteSession', 'logout'];
  const rank = (id: string) => (first.includes(id) ? first.indexOf(id) - 100 : last.includes(id) ? last.indexOf(id) + 100 : 0);
  return calls.sort((a, b) => rank(a.operation.operationId) - rank(b.operation.operationId));
}

interface Request {
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

function validRequest({ path, operation }: Call, token: string | undefined): Request {
  let url = path;
  const query = new URLSearchParams();
  for (const parameter of operation.parameters ?? []) {
    expect(parameter.example, `${operation.operationId} ${parameter.name}: an example`).not.toBeUndefined();
    if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(parameter.example)));
    else query.set(parameter.name, String(parameter.example));
  }
  const headers: Record<string, string> = token && operation.security.length > 0 ? { authorization: `Bearer ${token}` } : {};
  const search = query.toString();
  const request: Request = { url: search ? `${url}?${search}` : url, headers };
  const content = operation.requestBody?.content;
  if (content) {
    const [mediaType, { schema }] = Object.entries(content)[0]!;
    const body = sample(schema) as Record<string, unknown>;
    headers['content-type'] = mediaType;
    request.payload =
      mediaType === 'application/json' ? JSON.stringify(body) : new URLSearchParams(Object.entries(body).map(([key, value]): [string, string] => [key, String(value)])).toString();
  }
  return request;
}

/** The answer is one the operation documents: its status, media type, schema and required headers. */
function expectDocumented({ method, path, operation }: Call, res: LightMyRequestResponse, what: string) {
  const where = `${operation.operationId} (${what}): ${res.statusCode} ${res.body.slice(0, 300)}`;
  const documented = operation.responses[String(res.statusCode)];
  expect(documented, `${where}: status not documented`).toBeDefined();
  const response = resolve(documented!);
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.required) expect(res.headers[name.toLowerCase()], `${where}: header ${name}`).toBeDefined();
  }
  if (!response.content) {
    expect(res.body, where).toBe('');
    return;
  }
  const mediaType = String(res.headers['content-type']).split(';')[0]!.trim();
  expect(Object.keys(response.content), `${where}: media type`).toContain(mediaType);
  const base = documented!.$ref
    ? pointer('components', 'responses', documented!.$ref.split('/').pop()!)
    : pointer('paths', path, method, 'responses', String(res.statusCode));
  const validate = ajv.compile({ $ref: `openapi.json#/${base}/content/${pointer(mediaType)}/schema` });
  expect(validate(res.json()), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('every operation of /openapi.json, called as the document says', () => {
  it('answers valid, invalid and unauthenticated requests only as documented', async () => {
    const calls = operations();
    expect(calls.length).toBeGreaterThanOrEqual(20);
    let token: string | undefined;
    const successes: string[] = [];
    for (const call of calls) {
      const { operation, method } = call;
      const inject = (request: Request) => ctx.app.inject({ method: method.toUpperCase() as 'GET', ...request });

      const valid = await inject(validRequest(call, token));
      expectDocumented(call, valid, 'valid request');
      if (valid.statusCode < 300) successes.push(operation.operationId);
      if (operation.operationId === 'login') token = valid.json<{ access_token: string }>().access_token;
      // The example account administers, so the admin routes' examples can succeed too.
      if (operation.operationId === 'register') await ctx.app.db.update(users).set({ isSuperuser: true });

      if (operation.security.length > 0) {
        const stranger = validRequest(call, undefined);
        const res = await inject(stranger);
        expect(res.statusCode, operation.operationId).toBe(401);
        expectDocumented(call, res, 'no credentials');
      }
      const authorized = validRequest(call, token);
      if (operation.requestBody) {
        const broken = await inject({ ...authorized, payload: '{"broken": ', headers: { ...authorized.headers, 'content-type': 'application/json' } });
        expectDocumented(call, broken, 'unreadable body');
        const wrong = await inject({ ...authorized, payload: '"not an object"', headers: { ...authorized.headers, 'content-type': 'application/json' } });
        expectDocumented(call, wrong, 'a body of the wrong type');
      }
      if ((operation.parameters ?? []).some((parameter) => parameter.in === 'path')) {
        for (const broken of ['%zz', '%FF', '%E0%A4%A']) {
          const res = await inject({ ...authorized, url: call.path.replace(/\{[a-z_]+\}/g, broken) });
          expect(res.statusCode, `${operation.operationId} ${broken}`).toBe(400);
          expect(res.json(), operation.operationId).toMatchObject({ type: '/problems/bad-request' });
          expectDocumented(call, res, 'a path with bad percent-encoding');
        }
      }
      const integerParameters = (operation.parameters ?? []).filter((parameter) => resolve(parameter.schema).type === 'integer');
      if (integerParameters.length > 0) {
        let url = call.path.replace(/\{[a-z_]+\}/g, 'not-a-number');
        const query = integerParameters.filter((parameter) => parameter.in === 'query').map((parameter) => `${parameter.name}=-1`);
        if (query.length > 0) url += `?${query.join('&')}`;
        const res = await inject({ ...authorized, url });
        expect(res.statusCode, operation.operationId).toBe(422);
        expectDocumented(call, res, 'parameters out of range');
      }
    }
    // The valid requests made from the document's examples really succeed (not only errors were
    // checked): all but those that come after the password change has ended the token (sign out
    // everywhere, and the two sign-outs; each succeeds in its own suite).
    const ended = ['logoutAll', 'deleteSession', 'logout'];
    // Refused by a rule, as documented: the example token is no live reset link (400), and the
    // example id is the caller, the last administrator (409).
    const refused = ['confirmPasswordReset', 'deleteAdminUser'];
    expect(successes.sort()).toEqual(calls.map((call) => call.operation.operationId).filter((id) => !ended.includes(id) && !refused.includes(id)).sort());
  });
});

describe('the document', () => {
  it('names every wire shape once in components.schemas and refers to it', () => {
    const text = JSON.stringify(doc.paths);
    for (const name of ['Client', 'ClientPage', 'Appointment', 'Token', 'Me', 'Session', 'RegisterBody', 'LoginForm']) {
      expect(text, name).toContain(`"#/components/schemas/${name}"`);
    }
    // The Problem schema is defined once, never inlined.
    expect(text).not.toContain('"conflicting_appointment_id"');
    expect(resolve(doc.components.responses.Unauthorized!).content).toHaveProperty(['application/problem+json']);
  });

  it('states the server\'s password rules: new passwords 2..72 characters plus the byte rule, sign-in up to 72', () => {
    const register = resolve(doc.components.schemas.RegisterBody!).properties!.password!;
    expect(register).toMatchObject({ type: 'string', format: 'password', minLength: 2, maxLength: 72 });
    expect(JSON.stringify(register)).toContain('8 to 72 bytes of UTF-8');
    expect(resolve(doc.components.schemas.LoginForm!).properties!.password).toMatchObject({ format: 'password', maxLength: 72 });
    // Unknown fields are dropped by the server, so no schema claims to refuse them.
    expect(JSON.stringify(doc.components.schemas.RegisterBody)).not.toContain('additionalProperties');
  });

  it('drops unknown fields as the document allows, instead of refusing them', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'extra@example.com', password: 'correct horse battery', is_superuser: true }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: expect.any(Number) as unknown, email: 'extra@example.com' });
  });

  it('says what a PATCH body must hold: one of the listed fields, unknown ones dropped and not counted', async () => {
    for (const [name, fields] of [
      ['UpdateClientBody', ['name', 'phone']],
      ['UpdateAppointmentBody', ['client_id', 'starts_at', 'ends_at', 'notes', 'status']],
    ] as const) {
      const schema = resolve(doc.components.schemas[name]!) as Schema & { description?: string; minProperties?: number };
      expect(Object.keys(schema.properties!).sort(), name).toEqual([...fields].sort());
      expect(schema.minProperties, name).toBe(1);
      expect(schema.description, name).toContain(`at least one of them`);
      expect(schema.description, name).toContain(fields.join(', '));
      expect(schema.description, name).toMatch(/unknown fields are dropped and do not count/i);
    }
    // What the description says is what the server does.
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'patch@example.com', password: 'correct horse battery' }) });
    const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=patch%40example.com&password=correct+horse+battery' });
    const authorization = `Bearer ${login.json<{ access_token: string }>().access_token}`;
    const client = await ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'Ann', phone: '+14155550123' }) });
    const res = await ctx.app.inject({ method: 'PATCH', url: `/v1/clients/${client.json<{ id: number }>().id}`, headers: { authorization, 'content-type': 'application/json' }, payload: '{"foo":1}' });
    expect(res.statusCode).toBe(422);
  });

  it('documents every problem type: in the Problem schema and in the README', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const documented = resolve(doc.components.schemas.Problem!).properties!.type!;
    expect(documented.enum).toEqual(PROBLEM_TYPE_LIST.map((problem) => problem.type));
    for (const { type, status } of PROBLEM_TYPE_LIST) expect(readme, type).toContain(`| \`${type}\` | ${status} |`);
  });

  it('/docs works over plain HTTP by any host name: no upgrade-insecure-requests, no HSTS', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/', headers: { host: 'agentcaller.intranet:8000' } });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(res.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    // Swagger UI's inline styles are allowed on its pages only; its scripts stay limited to hashes.
    const directives = String(res.headers['content-security-policy']).split(';').map((d) => d.trim());
    expect(directives).toContain("style-src 'self' 'unsafe-inline'");
    expect(directives.find((d) => d.startsWith('script-src '))).not.toContain('unsafe-inline');
    const api = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(String(api.headers['content-security-policy'] ?? '')).not.toContain('unsafe-inline');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
