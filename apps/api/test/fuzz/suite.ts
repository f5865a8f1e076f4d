/**
 * Bad input, generated (run by fuzz.auth|clients|appointments|calls|access.test.ts, one route group each): a property-based suite (fast-check) that sends malformed and hostile
 * bodies, query strings, path ids and headers to every route of `routes` (so a new route is fuzzed
 * as soon as it is declared), and checks on every answer:
 *   - never a 5xx; every 4xx an application/problem+json with type/title/status/detail, a 401 with
 *     `WWW-Authenticate: Bearer` (test/fuzz/harness.ts, assertWellFormed);
 *   - a 2xx only where the input is acceptable (the oracle in test/fuzz/schema.ts decides from the
 *     contract's schemas, or the generator cannot produce an acceptable input);
 *   - the database unchanged (users, clients, appointments, revoked_tokens) when the request was
 *     refused, and on every GET; the second user's rows unchanged, always.
 *
 * Deterministic: every property has a fixed seed derived from its name (FUZZ_SEED changes them
 * all); fast-check prints the seed, the path and the shrunk counterexample on failure. FUZZ_SCALE
 * multiplies every number of runs (e.g. FUZZ_SCALE=10 for a long run).
 */
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, bodyLimitOf, routes, type RouteDef } from '@agentcaller/contracts';
import { appointments, clients } from '@agentcaller/db';
import { asc, eq } from 'drizzle-orm';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROBLEM_JSON, assertWellFormed, changedTables, forgeToken, snapshot, summary, writeMark, type Snapshot } from './harness.js';
import {
  CONSTRUCTOR_PROTOTYPE,
  ODD_KEYS,
  PROTO_KEYS,
  asHeader,
  base64url,
  deepJsonText,
  encode,
  headerString,
  hostileString,
  jsonLeafText,
  notJsonText,
  objectText,
  shortHostileString,
} from './hostile.js';
import {
  T0,
  acceptable,
  judgeJsonBody,
  pairsToObject,
  validArb,
  validatorFor,
  wrongFieldText,
  type Hints,
  type Schema,
  type Verdict,
} from './schema.js';
import { TEST_SECRET, bearer, expectSecurityHeaders, login, register, startApp, type TestContext } from '../helpers.js';

// ---------------------------------------------------------------------------------------------
// Configuration

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Generous: shrinking a failure replays requests; a green run of the whole file takes far less. */
const PROPERTY_TIMEOUT = 180_000;

/** A fixed 32-bit seed per property (FNV-1a of its label). */
function seedFor(label: string): number {
  let hash = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/** FUZZ_STATS=1 prints, per property, how many answers had each status (to tune the generators). */
const STATS = process.env.FUZZ_STATS ? new Map<string, Map<number, number>>() : undefined;
let currentLabel = '';

async function property<T>(label: string, numRuns: number, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>) {
  currentLabel = label;
  await fc.assert(fc.asyncProperty(arb, predicate), {
    seed: seedFor(label),
    numRuns: runs(numRuns),
    // Bounds the shrinking of a failure (each step is a request); the failure is reported anyway.
    interruptAfterTimeLimit: 120_000,
  });
}

// ---------------------------------------------------------------------------------------------
// Routes, people and fixtures

type Route = RouteDef & { name: string };
const ROUTES: Route[] = Object.entries(routes).map(([name, def]) => ({ name, ...(def as RouteDef) }));
const schemaOf = (schema: unknown) => schema as Schema;

/**
 * Routes that succeed only with the account's current password, which no generator produces: any
 * answer to them in this suite is a 4xx.
 */
const CREDENTIAL_ROUTES = new Set(['login', 'createSession', 'changePassword']);

/** Routes that end the session they are called with (logout): fuzzed with throwaway tokens. */
const endsSession = (route: Route) => route.auth && route.method !== 'GET' && !route.body && !route.params && !route.query;
/** Routes that end every session of the account (sign out everywhere): fuzzed as an account of their own, never Alice. */
const ENDS_EVERY_SESSION = new Set(['logoutAll']);
const EVERYWHERE_EMAIL = 'everywhere@example.com';

const PASSWORD = 'correct horse battery';

interface Person {
  id: number;
  email: string;
  token: string;
}

let ctx: TestContext;
let alice: Person;
let bob: Person;
/** Tokens that were valid once: logged out, or issued before a password change. */
const staleTokens: string[] = [];
/** Alice's API keys: one live (acts as Alice where keys may), one revoked (refused everywhere). */
const keys = { live: '', revoked: '' };
/** Alice's rows (the user the requests act as) and Bob's (which must never change). */
interface Rows {
  clients: number[];
  appointments: number[];
}
const owned: Rows = { clients: [], appointments: [] };
const foreign: Rows = { clients: [], appointments: [] };
let bobBaseline = '';
/** Set when Alice's token stopped working during a test (it must not: nothing valid revokes it). */
const incidents: string[] = [];

/** The rows a route's `:id` names, from its path (`/v1/clients/:id` → clients). */
const resourceOf = (route: Route): keyof Rows | undefined => {
  const segment = route.path.split('/')[2];
  return segment === 'clients' || segment === 'appointments' ? segment : undefined;
};
const ownedIds = (route: Route): number[] => {
  const resource = resourceOf(route);
  return resource ? owned[resource] : [];
};
const foreignIds = (route: Route): number[] => {
  const resource = resourceOf(route);
  return resource ? foreign[resource] : [];
};
const asJson = (token: string, body: unknown) => ({ headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

async function signUp(email: string): Promise<Person> {
  const { id } = await register(ctx.app, email, PASSWORD);
  return { id, email, token: await login(ctx.app, email, PASSWORD) };
}

async function newClient(token: string, name: string, phone: string): Promise<number> {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/clients', ...asJson(token, { name, phone }) });
  if (res.statusCode !== 201) throw new Error(`fixture client: ${res.statusCode} ${res.body}`);
  return res.json<{ id: number }>().id;
}

/** Books the first free hour from `from` on. */
async function newAppointment(token: string, clientId: number, from: number): Promise<number> {
  for (let hour = 0; hour < 500; hour++) {
    const start = from + hour * 3_600_000;
    const body = { client_id: clientId, starts_at: new Date(start).toISOString(), ends_at: new Date(start + 3_600_000).toISOString(), notes: 'fixture' };
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/appointments', ...asJson(token, body) });
    if (res.statusCode === 201) return res.json<{ id: number }>().id;
    if (res.statusCode !== 409) throw new Error(`fixture appointment: ${res.statusCode} ${res.body}`);
  }
  throw new Error('no free hour for a fixture appointment');
}

const idsOf = async (table: typeof clients | typeof appointments, ownerId: number) =>
  (await ctx.app.db.select({ id: table.id }).from(table).where(eq(table.ownerId, ownerId)).orderBy(asc(table.id)).limit(4)).map((row) => row.id);

/** Alice keeps a working token and at least two clients and two appointments (valid fuzz may delete them). */
async function ensureAlice() {
  const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(alice.token) });
  if (me.statusCode !== 200) {
    incidents.push(`Alice's token stopped working: ${me.statusCode} ${me.body}`);
    alice.token = await login(ctx.app, alice.email, PASSWORD);
  }
  owned.clients = await idsOf(clients, alice.id);
  while (owned.clients.length < 2) {
    await newClient(alice.token, `Alice's client ${owned.clients.length}`, `+1415555017${owned.clients.length}`);
    owned.clients = await idsOf(clients, alice.id);
  }
  owned.appointments = await idsOf(appointments, alice.id);
  while (owned.appointments.length < 2) {
    await newAppointment(alice.token, owned.clients[0]!, T0 + owned.appointments.length * 86_400_000);
    owned.appointments = await idsOf(appointments, alice.id);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and what may come back

type Allowed = readonly number[] | ((status: number) => boolean);
const ANY_4XX: Allowed = (status) => status >= 400 && status < 500;
/** Anything but the failures assertWellFormed catches (5xx, malformed problems, changes on refusal). */
const ANY_STATUS: Allowed = () => true;

interface Parts {
  id?: string;
  query?: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

function request(route: Route, parts: Parts): InjectOptions {
  let url = route.path.replace(':id', parts.id ?? '1');
  if (parts.query !== undefined) url += `?${parts.query}`;
  const headers: Record<string, string> = { ...parts.headers };
  if (parts.contentType !== undefined) headers['content-type'] = parts.contentType;
  return { method: route.method, url, headers, ...(parts.body !== undefined ? { payload: parts.body } : {}) };
}

/**
 * The database as the last exchange left it: the next exchange's "before", when nothing else ran
 * in between (one snapshot per request instead of two, each a digest of every table), with the
 * write mark read just before it was taken. Anything else that may write (the fixtures of
 * beforeEach, a sign-in inside a property) forgets it first. Were it stale, a change made outside
 * the exchange would be blamed on the next request: a false failure, never a missed change.
 */
let settled: { mark: string; snapshot: Snapshot } | undefined;

/** The write mark, then a snapshot: a transaction ending in between moves the next mark. */
async function settle(): Promise<{ mark: string; snapshot: Snapshot }> {
  const mark = await writeMark(ctx.app);
  return { mark, snapshot: await snapshot(ctx.app, bob.id) };
}

/**
 * A route that needs no credentials reads at most 8 KiB (bodyLimitOf), whatever the body holds: a
 * generated body past that (long well-typed strings, hostile values) is never read, so it is 413,
 * or 400 where the request is refused before its body (a content type the route does not read).
 */
function overItsLimit(route: Route, req: InjectOptions, allowed: Allowed): Allowed {
  const body = req.payload;
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : 0;
  if (route.auth || req.method !== route.method || bytes <= bodyLimitOf(route) || typeof allowed === 'function') return allowed;
  return allowed.includes(400) ? [400, 413] : [413];
}

/**
 * Sends one request and checks the answer and the database around it. Throws (for fast-check)
 * with a one-line summary when anything is off.
 */
async function exchange(route: Route, req: InjectOptions, allowed: Allowed, why = ''): Promise<LightMyRequestResponse> {
  allowed = overItsLimit(route, req, allowed);
  const was = settled ?? (await settle());
  settled = undefined;
  const res = await ctx.app.inject(req);
  // Most requests are refused or read: no transaction ended, so no row changed and the snapshot
  // taken before still holds (a digest of every table costs ~2 ms of CPU; the mark a fraction).
  const mark = await writeMark(ctx.app);
  const now = mark === was.mark ? was : { mark, snapshot: await snapshot(ctx.app, bob.id) };
  settled = now;
  const before = was.snapshot;
  const after = now.snapshot;
  if (STATS) {
    const counts = STATS.get(currentLabel) ?? new Map<number, number>();
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
    STATS.set(currentLabel, counts);
  }
  assertWellFormed(req, res);
  const ok = (typeof allowed === 'function' ? allowed(res.statusCode) : allowed.includes(res.statusCode)) || refusedAsNotAdmin(route, res, allowed);
  if (!ok) {
    const expected = typeof allowed === 'function' ? 'a 4xx' : allowed.join('/');
    throw new Error(`expected ${expected}${why ? ` (${why})` : ''}, got ${summary(req, res)}`);
  }
  if (after.bob !== bobBaseline) {
    bobBaseline = after.bob;
    throw new Error(`the second user's rows changed: ${summary(req, res)}`);
  }
  const changed = changedTables(before, after);
  if (changed.length > 0 && (res.statusCode >= 400 || req.method === 'GET')) {
    throw new Error(`${res.statusCode >= 400 ? 'refused' : 'read-only'} request changed ${changed.join(', ')}: ${summary(req, res)}`);
  }
  if (res.statusCode === route.status && route.status !== 204 && validatorFor(schemaOf(route.response), 'body')(res.json()) !== true) {
    throw new Error(`a ${res.statusCode} that does not match the route's response schema: ${summary(req, res)}`);
  }
  return res;
}

/**
 * The people of this suite are no administrators: on `/v1/admin/*` whatever they send with a
 * credential that is let in (Alice's token or session) stops at the admin check (403
 * `admin-required`, before the body, query or id is read), wherever the route itself would have
 * answered. Credentials that must be refused (401) still are.
 */
function refusedAsNotAdmin(route: Route, res: LightMyRequestResponse, allowed: Allowed): boolean {
  if (!route.admin || res.statusCode !== 403) return false;
  const wouldBeAnswered = typeof allowed === 'function' || allowed.some((status) => status !== 401 && status !== 403);
  return wouldBeAnswered && res.json<{ type: string }>().type === '/problems/admin-required';
}

/** Acceptable input, answered by the route itself: success, or a semantic refusal. */
function successOrSemantic(route: Route): number[] {
  const statuses = [404, 409, 422];
  // A well-formed token that is no live link (none of the suite's is) is 400 invalid-reset-token.
  if (route.name === 'confirmPasswordReset') statuses.push(400);
  if (!CREDENTIAL_ROUTES.has(route.name)) statuses.push(route.status);
  if (!route.auth) statuses.push(401, 403, 429);
  return statuses;
}

function allowedFor(route: Route, verdict: Verdict): readonly number[] {
  switch (verdict.kind) {
    case 'too-large':
      return [413];
    case 'unreadable':
      return [400];
    case 'invalid':
      return [422];
    case 'valid':
      return successOrSemantic(route);
  }
}

const why = (verdict: Verdict) => (verdict.kind === 'unreadable' ? `unreadable: ${verdict.why}` : verdict.kind);

// ---------------------------------------------------------------------------------------------
// Generators that need the fixtures (built per property, after ensureAlice)

const PHONES = fc.oneof(
  fc.constantFrom(
    '+14155550123',
    '+12125550199',
    '+16505550100',
    '2025550143',
    '+4930901820',
    '+61 2 9374 4000',
    '+1 415 555 0124',
    '(415) 555-0125',
    '415.555.0126',
    '+442071838750',
    '+33 1 42 68 53 00',
    '+81 3-1234-5678',
    '+999',
    '911',
    '+1',
    '000',
    '+0',
    '١٤١٥٥٥٥٠١٢٣',
    '+１４１５５５５０１２３',
    '+14155550123 ext. 5',
    'tel:+14155550123',
    '+1-415-555-0123;ext=1',
    "+1' OR 1=1 --",
    '+1%',
    '+1_',
  ),
  fc.tuple(fc.constantFrom('+1', '+44', '+33', '+49', '', '0', '00'), fc.stringMatching(/^[0-9]{3,14}$/)).map(([prefix, digits]) => prefix + digits),
);

function hints(): Hints {
  const anyId = fc.integer({ min: 1, max: 2_147_483_647 });
  const password = fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.constantFrom('12345678', 'ｐａｓｓｗｏｒｄ１', '😀😀', "' OR 1=1 --", 'a'.repeat(72), 'a'.repeat(73), 'é'.repeat(36), 'é'.repeat(37), '\u0000'.repeat(8), PASSWORD.toUpperCase(), ` ${PASSWORD}`),
    )
    .filter((p) => p !== PASSWORD);
  const email = fc.oneof(fc.constantFrom(alice.email, alice.email.toUpperCase(), ` ${alice.email} `, 'nobody@example.com'), fc.emailAddress());
  return {
    client_id: fc.oneof(fc.constantFrom(...owned.clients), fc.constantFrom(...foreign.clients), anyId),
    phone: PHONES,
    password,
    current_password: password,
    new_password: password,
    email,
    username: email,
    name: fc.oneof(fc.constantFrom("Robert'); DROP TABLE clients;--", 'Zoë', '  padded  ', '😀', 'a'.repeat(255), 'a'.repeat(256), '😀'.repeat(255), '   ', '%_\\'), fc.string()),
    q: fc.oneof(fc.constantFrom('555 01', '+1 (415)', '4155550123', 'Bob', 'alice', '%', '_', '\\', "' OR 1=1 --", '%25', ' ', '(', '+'), fc.string({ maxLength: 20 })),
  };
}

const encodePairs = (pairs: readonly (readonly [string, string])[]) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
// Nested values (a schedule's hours) as JSON text: generated objects may have no prototype to print.
const textPairs = (value: unknown): [string, string][] =>
  Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]);
const bodyText = (route: Route, value: unknown) => (route.encoding === 'form' ? encodePairs(textPairs(value)) : JSON.stringify(value));
const contentTypeOf = (route: Route) => (route.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json');
const canonicalId = fc.integer({ min: 1, max: 2_147_483_647 }).map(String);

/** A request the schemas accept, on one of Alice's rows. */
function validParts(route: Route, h: Hints): fc.Arbitrary<Parts> {
  const ids = ownedIds(route);
  return fc
    .record({
      id: ids.length > 0 ? fc.constantFrom(...ids).map(String) : canonicalId,
      query: route.query ? validArb(schemaOf(route.query), h).map((v) => encodePairs(textPairs(v))) : fc.constant(undefined),
      body: route.body ? validArb(schemaOf(route.body), h).map((v) => bodyText(route, v)) : fc.constant(undefined),
    })
    .map(({ id, query, body }) => ({
      ...(route.params ? { id } : {}),
      ...(query !== undefined ? { query } : {}),
      ...(body !== undefined ? { body, contentType: contentTypeOf(route) } : {}),
    }));
}

/** The contract trims and lower-cases emails before validating them. */
function prepareFor(schema: Schema): (value: unknown) => void {
  const emailKeys = Object.entries(schema.properties ?? {})
    .filter(([, sub]) => sub.format === 'email')
    .map(([key]) => key);
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const object = value as Record<string, unknown>;
    for (const key of emailKeys) {
      const v = object[key];
      if (typeof v === 'string') object[key] = v.trim().toLowerCase();
    }
  };
}

const authFor = (route: Route): Record<string, string> => (route.auth ? bearer(alice.token) : {});

const NOW = Math.floor(Date.now() / 1000);
const FUTURE = NOW + 3600;
const jwtShaped = fc.tuple(base64url, base64url, base64url).map((segments) => segments.join('.'));

/** Tokens whose signature, algorithm, expiry or form is wrong: refused before anything else. */
function unverifiableTokens(): fc.Arbitrary<string> {
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  return fc.oneof(
    fc.string({ minLength: 1, maxLength: 64 }).filter((key) => key !== TEST_SECRET).map((key) => forgeToken(hs256, { sub: alice.email, exp: FUTURE }, key)),
    fc
      .constantFrom<[string, string | null, string]>(
        ['none', null, 'sha256'],
        ['none', TEST_SECRET, 'sha256'],
        ['HS512', TEST_SECRET, 'sha512'],
        ['HS384', TEST_SECRET, 'sha384'],
        ['hs256', TEST_SECRET, 'sha256'],
        ['RS256', TEST_SECRET, 'sha256'],
        ['HS256', null, 'sha256'],
        ['', TEST_SECRET, 'sha256'],
      )
      .map(([alg, key, hash]) => forgeToken({ alg, typ: 'JWT' }, { sub: alice.email, exp: FUTURE }, key, hash)),
    fc
      .constantFrom<Record<string, unknown>>({ sub: alice.email, exp: NOW - 10 }, { sub: alice.email }, { exp: FUTURE }, { sub: alice.email, exp: FUTURE, nbf: FUTURE })
      .map((claims) => forgeToken(hs256, claims)),
    fc
      .tuple(fc.nat(), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'))
      .map(([at, char]) => {
        const i = at % alice.token.length;
        return alice.token.slice(0, i) + char + alice.token.slice(i + 1);
      })
      .filter((token) => token !== alice.token),
    fc.nat().map((n) => alice.token.slice(0, n % alice.token.length)),
  );
}

/**
 * Tokens signed with the right key and not expired, that must still be refused: logged out, issued
 * before a password change, of no user, of the wrong token version, with a subject of another type.
 */
function signedButRefusedTokens(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...staleTokens),
    fc
      .constantFrom<Record<string, unknown>>(
        { sub: alice.email, exp: FUTURE, ver: 1 },
        { sub: alice.email, exp: FUTURE, ver: '0' },
        // Never registered (the register property may create nobody@example.com).
        { sub: 'never-registered@invalid.example', exp: FUTURE },
        { sub: '', exp: FUTURE },
        { sub: 123, exp: FUTURE },
        { sub: [alice.email], exp: FUTURE },
        { sub: alice.email, exp: String(FUTURE) },
      )
      .map((claims) => forgeToken({ alg: 'HS256', typ: 'JWT' }, claims)),
  );
}

const refusedTokens = () => fc.oneof(unverifiableTokens(), signedButRefusedTokens(), refusedApiKeys());

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62Text = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...BASE62), minLength: min, maxLength: max });

/**
 * API keys that must be refused (401): revoked, random ones of the right shape, Alice's live key
 * with one character changed or with another tail after its prefix, and `ac_` with text of any
 * length or alphabet. The lookup finds rows by prefix and compares hashes: none may get through.
 */
function refusedApiKeys(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(keys.revoked),
    base62Text(43, 43).map((tail) => `ac_${tail}`),
    fc
      .tuple(fc.nat(), fc.constantFrom(...BASE62))
      .map(([at, char]) => {
        const i = 3 + (at % 43);
        return keys.live.slice(0, i) + char + keys.live.slice(i + 1);
      })
      .filter((key) => key !== keys.live),
    base62Text(35, 35).map((tail) => keys.live.slice(0, 11) + tail).filter((key) => key !== keys.live),
    fc.oneof(base62Text(0, 42), base62Text(44, 90), shortHostileString).map((tail) => `ac_${tail}`),
    fc.constant(keys.live.toLowerCase()).filter((key) => key !== keys.live),
    fc.constant(`${keys.live}${keys.live}`),
  );
}

/**
 * Credentials that are garbage, forged or stale, in the header, the cookie or both. On a write,
 * a session cookie that passes the signature check is left to its own property (without the CSRF
 * header, the CSRF refusal could come first).
 */
function garbageCredentials(write: boolean): fc.Arbitrary<Record<string, string>> {
  const cookieToken = write ? unverifiableTokens() : refusedTokens();
  const scheme = fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', 'Basic ', 'Token ', 'JWT ', '', 'Bearer Bearer ', 'Bearer ,');
  const token = fc.oneof(refusedTokens(), jwtShaped, headerString(), base64url);
  return fc.oneof(
    fc.constant({}),
    headerString().map((value) => ({ authorization: value })),
    fc.tuple(scheme, token, fc.constantFrom('', ' ', ' x', ', Basic abc')).map(([s, t, tail]) => ({ authorization: asHeader(s + t + tail) })),
    fc
      .tuple(fc.oneof(cookieToken, jwtShaped, headerString(80)), fc.option(headerString(80)), fc.option(headerString(80)))
      .map(([session, csrfCookie, csrfHeader]) => ({
        cookie: `${SESSION_COOKIE}=${session}${csrfCookie !== null ? `; ${CSRF_COOKIE}=${csrfCookie}` : ''}`,
        ...(csrfHeader !== null ? { [CSRF_HEADER]: csrfHeader } : {}),
      })),
    headerString().map((value) => ({ cookie: value })),
    // The header wins over a valid cookie.
    headerString(80)
      .filter((value) => value.trim().length > 0)
      .map((value) => ({ authorization: value, cookie: `${SESSION_COOKIE}=${alice.token}` })),
  );
}

const EXTRA_HEADER_NAMES = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-real-ip',
  'forwarded',
  'origin',
  'referer',
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  'if-none-match',
  'if-modified-since',
  'range',
  'x-http-method-override',
  'x-original-url',
  'x-rewrite-url',
];
const extraHeaders = fc.dictionary(fc.constantFrom(...EXTRA_HEADER_NAMES), headerString(100), { maxKeys: 3 });

// ---------------------------------------------------------------------------------------------
// Path ids

const HOSTILE_IDS = [
  'abc',
  '-1',
  '0',
  '-0',
  '00',
  '1.5',
  '1e3',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '%7B%7D',
  '%00',
  '1%00',
  '%001',
  '..%2f',
  '..%2F..%2F',
  '%2e%2e%2f',
  '%2F',
  '1%2F2',
  '%20',
  '2147483648',
  '4294967297',
  '99999999999999999999',
  '1e309',
  '-2147483649',
  '%EF%BC%91',
  '%D9%A1',
  '1;DROP%20TABLE%20clients',
  '1%27%20OR%201%3D1',
  '%27%20OR%201%3D1%20--',
  '1%20OR%201%3D1',
  '%F0%9F%98%80',
  '1%2C2',
  '1,2',
  '1/',
  '1/x',
  '',
  '.',
  '..',
  '%3Fid%3D1',
  '*',
];

/**
 * Ids that make the URL the collection's once dot segments are resolved and the trailing slash is
 * ignored (`''`, `.`, `%2e`): `/v1/clients/` is the list, not a client (service.test.ts and
 * adopted.test.ts cover it), so these are not path ids at all.
 */
function isCollection(route: Route, raw: string): boolean {
  const base = `http://x${route.path.replace(/:id.*$/, '')}`;
  return new URL(`${base}${raw}`).pathname.replace(/\/+$/, '') === new URL(base).pathname.replace(/\/+$/, '');
}

/** What a path id is once decoded, and so what the API may answer. */
function idVerdict(route: Route, given: string): { allowed: Allowed; why: string } {
  // A trailing slash is ignored (as FastAPI's redirect did): `/v1/clients/7/` is client 7.
  const raw = given.endsWith('/') ? given.slice(0, -1) : given;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { allowed: [400], why: 'undecodable percent-encoding' };
  }
  // Integer text (sign and leading zeros tolerated); anything else is not an id (decisions.md).
  if (/^\+?\d+$/.test(decoded) && !raw.includes('/')) {
    const n = Number(decoded);
    if (n >= 1 && n <= 2_147_483_647) {
      if (ownedIds(route).includes(n)) return { allowed: successOrSemantic(route), why: 'an owned id' };
      // With a body, its own validation may answer first (422): the same for every id, so it tells nothing.
      return { allowed: route.body ? [404, 422] : [404], why: 'an id that is not ours' };
    }
  }
  return { allowed: [404, 422], why: 'not an id' };
}

/** Text that is not an integer but that a lenient number parser reads as one of Alice's ids. */
function spellsOwnedId(route: Route, raw: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return false;
  }
  const n = decoded.trim() === '' ? NaN : Number(decoded);
  return !/^\+?\d+$/.test(decoded) && ownedIds(route).includes(n);
}

/** Integer ids of Alice's rows (or 1, for rows the suite does not know) written as something that is not an integer. */
function aliasesOf(ids: number[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...(ids.length > 0 ? ids : [1])), fc.nat(9))
    .map(([n, form]) =>
      [
        `0x${n.toString(16)}`,
        `0X${n.toString(16).toUpperCase()}`,
        `${n}e0`,
        `${n * 10}e-1`,
        `%20${n}`,
        `${n}%20`,
        `%09${n}`,
        `${n}%0A`,
        `0b${n.toString(2)}`,
        `0o${n.toString(8)}`,
      ][form]!,
    );
}

// ---------------------------------------------------------------------------------------------
// Query strings

const HOSTILE_QUERY_KEYS = ['__proto__', 'constructor', 'constructor[prototype]', 'q[]', 'limit[0]', '', 'LIMIT', ' limit', 'limit ', 'limit\u0000', 'a.b', 'toString', 'hasOwnProperty'];

function queryPairs(schema: Schema, h: Hints): fc.Arbitrary<[string, string][]> {
  const properties = schema.properties ?? {};
  const keys = Object.keys(properties);
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_QUERY_KEYS) },
    { weight: 1, arbitrary: shortHostileString },
  );
  const value = fc.oneof(hostileString, ...keys.map((k) => validArb(properties[k]!, h, k).map(String)));
  const pair = fc.tuple(key, value);
  return fc.oneof(
    fc.tuple(validArb(schema, h), fc.array(pair, { maxLength: 3 })).map(([valid, extra]) => [...textPairs(valid), ...extra]),
    fc.array(pair, { maxLength: 6 }),
  );
}

const RAW_QUERY_PIECES = [
  '%ZZ',
  '%00',
  '%',
  '%%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '&',
  '&&',
  '=',
  '==',
  '+',
  '#',
  '?',
  '[]',
  '[',
  ']',
  'limit=',
  'q=',
  'from=',
  'to=',
  'client_id=',
  'offset=',
  'duration_minutes=',
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  'limit=1&limit=2',
  'q=%27%20OR%201%3D1%20--',
  'q=%5C',
  'q=%25',
  'q=_',
  'limit=1e3',
  'offset=-1',
  'from=0000-00-00T00:00:00Z',
  'to=%2B275760-09-13T00:00:00Z',
  'duration_minutes=1e309',
  'duration_minutes=44641',
  'é',
  '😀',
];
const rawQuery = fc
  .array(fc.oneof(fc.constantFrom(...RAW_QUERY_PIECES), fc.string({ maxLength: 8 }).map((s) => s.replace(/[\s#]/g, ''))), { maxLength: 10 })
  .map((pieces) => pieces.join(''));

// ---------------------------------------------------------------------------------------------
// Bodies

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'text/html',
  'application/xml',
  'text/xml',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'application/jsonx',
  'application/json-patch+json',
  'application/vnd.api+json',
  'application/ld+json',
  'json',
  '*/*',
  'application/*',
  'application',
  ';',
  'x-www-form-urlencoded',
];

function wrongContentType(route: Route): fc.Arbitrary<string> {
  const others = route.encoding === 'form' ? ['application/json', 'application/json; charset=utf-8'] : ['application/x-www-form-urlencoded'];
  return fc.oneof(
    fc.constantFrom(...WRONG_CONTENT_TYPES, ...others),
    headerString(60).filter((ct) => ct.trim().length > 0 && !/json|x-www-form-urlencoded/i.test(ct)),
  );
}

/** Objects with at least one field of the route: wrong types, hostile values, extra keys. */
function fieldBodies(schema: Schema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(schema.properties ?? {}).map((k) => JSON.stringify(k));
  const entriesOf = (value: unknown): [string, string][] => Object.entries(value as Record<string, unknown>).map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]);
  const oddKey = fc.oneof(fc.constantFrom(...ODD_KEYS), shortHostileString.map((k) => JSON.stringify(k)));
  return fc.oneof(
    { weight: 4, arbitrary: wrongFieldText(schema, valid) },
    { weight: 3, arbitrary: fc.array(fc.tuple(fc.constantFrom(...keys), jsonLeafText), { minLength: 1, maxLength: 6 }).map(objectText) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.array(fc.tuple(oddKey, jsonLeafText), { minLength: 1, maxLength: 3 }))
        .map(([v, extra]) => objectText([...entriesOf(v), ...extra])),
    },
    { weight: 1, arbitrary: valid.map((v) => JSON.stringify(v)) },
  );
}

/** Bodies of the wrong shape: not an object, only unknown keys, polluting keys, not JSON, too deep, too big. */
function shapeBodies(schema: Schema, valid: fc.Arbitrary<unknown>, limit: number): fc.Arbitrary<string> {
  const known = new Set(Object.keys(schema.properties ?? {}));
  const firstKey = [...known][0] ?? 'x';
  const unknownKey = fc.oneof(
    fc.constantFrom(...ODD_KEYS.filter((k) => k !== '"constructor"')),
    shortHostileString.filter((k) => !known.has(k) && k !== '__proto__').map((k) => JSON.stringify(k)),
  );
  const entriesOf = (value: unknown): [string, string][] => Object.entries(value as Record<string, unknown>).map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]);
  return fc.oneof(
    jsonLeafText.filter((text) => !text.startsWith('{')),
    fc.array(fc.tuple(unknownKey, jsonLeafText), { maxLength: 4 }).map(objectText),
    fc
      .tuple(valid, fc.constantFrom(...PROTO_KEYS, '"constructor"'), fc.oneof(fc.constant(CONSTRUCTOR_PROTOTYPE), jsonLeafText), fc.nat())
      .map(([v, key, value, at]) => {
        const entries = entriesOf(v);
        entries.splice(at % (entries.length + 1), 0, [key, value]);
        return objectText(entries);
      }),
    notJsonText,
    deepJsonText,
    // Around the route's body limit: 413 above it, an ordinary answer below.
    fc.integer({ min: limit - 64, max: limit + 4096 }).map((size) => `{${JSON.stringify(firstKey)}:"${'a'.repeat(Math.max(0, size - firstKey.length - 7))}"}`),
  );
}

const FORM_KEYS = ['__proto__', 'constructor', 'constructor[prototype]', 'username[]', 'USERNAME', '', 'password ', 'grant_type', 'scope'];
const RAW_FORM_PIECES = ['%ZZ', '%', '%00', '&', '=', '+', 'username=', 'password=', 'username=a', 'password=b', '%E0%A4%A', '%ED%A0%80', 'grant_type=password', 'grant_type=client_credentials', '__proto__=1'];

// ---------------------------------------------------------------------------------------------
// Hostile JWT claims, signed with the real key (what a holder of the key, or the original
// service, could have issued)

function hostileClaims() {
  return fc.record(
    {
      sub: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(alice.email, alice.email.toUpperCase(), ` ${alice.email} `) },
        { weight: 3, arbitrary: hostileString },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      ),
      exp: fc.oneof(
        { weight: 2, arbitrary: fc.constant(FUTURE) },
        { weight: 3, arbitrary: fc.constantFrom(1e20, 2 ** 53, 2 ** 53 + 2, 8.64e12, 8.64e12 + 1, 1e300, Number.MAX_VALUE, -1, 0, 0.5, NOW - 1, FUTURE + 0.5, 253402300800, 253402300799) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      ),
      ver: fc.oneof(fc.constantFrom(0, 1, -1, 0.5, 2 ** 31, 2 ** 53, null, '0', '', true), fc.jsonValue({ maxDepth: 1 })),
      iat: fc.oneof(fc.constantFrom(NOW, 0, -1, 1e20, FUTURE * 10), fc.jsonValue({ maxDepth: 1 })),
      jti: fc.oneof(hostileString, fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: ['sub', 'exp'] },
  );
}

// ---------------------------------------------------------------------------------------------
// The properties, per route

export type FuzzGroup = 'auth' | 'clients' | 'appointments' | 'calls' | 'access';

/**
 * The file that fuzzes a route (fuzz.<group>.test.ts, so the groups run in parallel, in files of
 * similar length): /v1/auth/*, /v1/clients/*, /v1/calls/*, the API keys and administrators'
 * routes (/v1/api-keys/*, /v1/admin/*) in the access file, and every other route in the
 * appointments file, so a new route is fuzzed as soon as it is declared, whatever its path.
 */
function groupOf(route: Route): FuzzGroup {
  const segment = route.path.split('/')[2];
  if (segment === 'auth' || segment === 'clients' || segment === 'calls') return segment;
  return segment === 'api-keys' || segment === 'admin' ? 'access' : 'appointments';
}

/** Forgets the people, rows and tokens of the file that ran before in this worker. */
function resetState(): void {
  staleTokens.length = 0;
  owned.clients = [];
  owned.appointments = [];
  foreign.clients = [];
  foreign.appointments = [];
  incidents.length = 0;
  bobBaseline = '';
  settled = undefined;
  currentLabel = '';
  STATS?.clear();
}

/** Declares the hooks and the properties of one group's routes (and, with auth, the counterexamples). */
export function fuzzSuite(group: FuzzGroup): void {
  beforeAll(async () => {
    // The suite's state is this module's: several files may run in one worker (isolate: false).
    resetState();
    ctx = await startApp();
    alice = await signUp('alice@example.com');
    bob = await signUp('bob@example.com');
    for (let i = 0; i < 2; i++) {
      const clientId = await newClient(bob.token, `Bob's client ${i}`, `+1415555019${i}`);
      foreign.clients.push(clientId);
      foreign.appointments.push(await newAppointment(bob.token, clientId, T0 + i * 7_200_000));
    }
    // Tokens that must stay refused: Carol's from before her password change, and logged-out ones.
    const carol = await signUp('carol@example.com');
    for (const who of [carol, alice]) {
      const token = await login(ctx.app, who.email, PASSWORD);
      const out = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });
      if (out.statusCode !== 204) throw new Error(`logout: ${out.statusCode}`);
      staleTokens.push(token);
    }
    const changed = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/auth/me/password',
      ...asJson(carol.token, { current_password: PASSWORD, new_password: 'another horse battery' }),
    });
    if (changed.statusCode !== 204) throw new Error(`password change: ${changed.statusCode}`);
    staleTokens.push(carol.token);
    await ensureAlice();
    for (const which of ['revoked', 'live'] as const) {
      const made = await ctx.app.inject({ method: 'POST', url: '/v1/api-keys', ...asJson(alice.token, { name: `fuzz ${which}` }) });
      if (made.statusCode !== 201) throw new Error(`api key: ${made.statusCode}`);
      const { id, key } = made.json<{ id: number; key: string }>();
      keys[which] = key;
      if (which === 'revoked') await ctx.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(alice.token) });
    }
    bobBaseline = (await snapshot(ctx.app, bob.id)).bob;
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    if (STATS) {
      for (const [label, counts] of STATS) {
        const line = [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
        process.stderr.write(`${label.padEnd(40)} ${line}\n`);
      }
    }
  });

  beforeEach(async () => {
    settled = undefined;
    await ensureAlice();
  });

  describe.each(ROUTES.filter((route) => groupOf(route) === group).map((route) => [`${route.method} ${route.path} (${route.name})`, route] as const))('%s', (_label, route) => {
    it(
      'refuses garbage, forged, stale and cross-site credentials (401, or 403 without the CSRF token)',
      async () => {
        const h = hints();
        const unsafe = route.method !== 'GET';
        const variants: fc.Arbitrary<{ headers: Record<string, string>; allowed: Allowed; why: string }>[] = [
          garbageCredentials(unsafe).map((headers) => ({ headers, allowed: route.auth ? [401] : successOrSemantic(route), why: 'bad credentials' })),
        ];
        if (route.auth && unsafe) {
          // Alice's real token as the session cookie, without the CSRF header that must come with it.
          variants.push(
            fc.tuple(fc.option(headerString(80)), fc.option(headerString(80))).map(([csrfCookie, csrfHeader]) => ({
              headers: {
                cookie: `${SESSION_COOKIE}=${alice.token}${csrfCookie !== null ? `; ${CSRF_COOKIE}=${csrfCookie}` : ''}`,
                ...(csrfHeader !== null ? { [CSRF_HEADER]: csrfHeader } : {}),
              },
              allowed: [403],
              why: 'cookie without a valid CSRF token',
            })),
          );
        }
        const [garbage, csrf] = variants;
        const credentials = csrf ? fc.oneof({ weight: 3, arbitrary: garbage! }, { weight: 1, arbitrary: csrf }) : garbage!;
        await property(`${route.name}:credentials`, 30, fc.tuple(validParts(route, h), credentials, extraHeaders), async ([parts, creds, extra]) => {
          await exchange(route, request(route, { ...parts, headers: { ...extra, ...creds.headers } }), creds.allowed, creds.why);
        });
      },
      PROPERTY_TIMEOUT,
    );

    if (route.auth && route.method !== 'GET') {
      it(
        'answers 401 to a signed session cookie that is refused (logged out, old password, no such user), with or without a CSRF header',
        async () => {
          const cookie = fc.tuple(signedButRefusedTokens(), fc.option(headerString(80)), fc.option(headerString(80))).map(([token, csrfCookie, csrfHeader]) => ({
            cookie: `${SESSION_COOKIE}=${token}${csrfCookie !== null ? `; ${CSRF_COOKIE}=${csrfCookie}` : ''}`,
            ...(csrfHeader !== null ? { [CSRF_HEADER]: csrfHeader } : {}),
          }));
          await property(`${route.name}:refused-cookie`, 10, fc.tuple(validParts(route, hints()), cookie), async ([parts, headers]) => {
            await exchange(route, request(route, { ...parts, headers }), [401], 'these credentials are not valid: 401 comes before any CSRF check');
          });
        },
        PROPERTY_TIMEOUT,
      );
    }

    if (route.auth) {
      it(
        'refuses every key but the live one (401); the live key is 403 on the account routes and acts as Alice elsewhere',
        async () => {
          const h = hints();
          const presented = fc.oneof(
            { weight: 3, arbitrary: refusedApiKeys().map((key) => ({ key, allowed: [401] as Allowed, why: 'a refused API key' })) },
            { weight: 1, arbitrary: fc.constant({ key: keys.live, allowed: (route.apiKey ? (status: number) => status !== 401 && status !== 403 : [403]), why: route.apiKey ? 'the live key, on a route open to keys' : 'the live key, on an account route' }) },
          );
          await property(`${route.name}:api-keys`, 25, fc.tuple(validParts(route, h), presented, fc.constantFrom('Bearer ', 'bearer ', 'Bearer  ')), async ([parts, { key, allowed, why: reason }, scheme]) => {
            await exchange(route, request(route, { ...parts, headers: { authorization: asHeader(scheme + key) } }), allowed, reason);
          });
        },
        PROPERTY_TIMEOUT,
      );

      it(
        'never fails on a token with hostile claims signed with the real key',
        async () => {
          const h = hints();
          await property(`${route.name}:claims`, 25, fc.tuple(validParts(route, h), hostileClaims()), async ([parts, claims]) => {
            const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, claims);
            // A subject that no user has is refused whatever the rest says.
            const mayMatch = typeof claims.sub === 'string' && /example\.com/i.test(claims.sub);
            await exchange(route, request(route, { ...parts, headers: bearer(token) }), mayMatch ? ANY_STATUS : [401], 'hostile claims');
          });
        },
        PROPERTY_TIMEOUT,
      );
    }

    if (route.body && route.encoding !== 'form') {
      const schema = schemaOf(route.body);
      const prepare = prepareFor(schema);
      const sendBody = async (text: string, contentType = 'application/json') => {
        const verdict = judgeJsonBody(text, schema, bodyLimitOf(route), prepare);
        const ids = ownedIds(route);
        const parts: Parts = { body: text, contentType, headers: authFor(route), ...(route.params ? { id: String(ids[0] ?? 1) } : {}) };
        await exchange(route, request(route, parts), allowedFor(route, verdict), why(verdict));
      };

      it(
        'answers 422 to fields of the wrong type or out of bounds, and only accepts what the schema does',
        async () => {
          const valid = validArb(schema, hints());
          await property(`${route.name}:body-fields`, 50, fc.tuple(fieldBodies(schema, valid), fc.constantFrom('application/json', 'application/json; charset=utf-8')), ([text, ct]) => sendBody(text, ct));
        },
        PROPERTY_TIMEOUT,
      );

      it(
        'answers 400/413/422 to bodies of the wrong shape: not an object, unknown keys only, __proto__, not JSON, too deep, too big',
        async () => {
          const valid = validArb(schema, hints());
          await property(`${route.name}:body-shape`, 40, shapeBodies(schema, valid, bodyLimitOf(route)), (text) => sendBody(text));
        },
        PROPERTY_TIMEOUT,
      );
    }

    if (route.body && route.encoding === 'form') {
      const schema = schemaOf(route.body);
      const keys = Object.keys(schema.properties ?? {});

      it(
        'answers 422 to form fields the schema refuses and 401 to the others (no generated password is right)',
        async () => {
          const h = hints();
          const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...FORM_KEYS) }, { weight: 1, arbitrary: shortHostileString });
          const value = fc.oneof(hostileString, ...keys.map((k) => validArb(schema.properties![k]!, h, k).map(String)));
          const pairs = fc.oneof(
            fc.array(fc.tuple(key, value), { maxLength: 6 }),
            fc.tuple(validArb(schema, h), fc.array(fc.tuple(key, value), { maxLength: 2 })).map(([v, extra]) => [...textPairs(v), ...extra]),
          );
          await property(`${route.name}:form-fields`, 40, pairs, async (generated) => {
            const text = encodePairs(generated);
            const verdict: Verdict =
              Buffer.byteLength(text) > bodyLimitOf(route)
                ? { kind: 'too-large' }
                : acceptable(pairsToObject(generated), schema, 'body')
                  ? { kind: 'valid', value: null }
                  : { kind: 'invalid', value: null };
            await exchange(route, request(route, { body: text, contentType: contentTypeOf(route) }), allowedFor(route, verdict), why(verdict));
          });
        },
        PROPERTY_TIMEOUT,
      );

      it(
        'answers a 4xx to raw form garbage (broken percent-encoding, repeated keys)',
        async () => {
          const raw = fc.array(fc.oneof(fc.constantFrom(...RAW_FORM_PIECES), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 12 }).map((pieces) => pieces.join(''));
          await property(`${route.name}:form-raw`, 20, raw, async (text) => {
            await exchange(route, request(route, { body: text, contentType: contentTypeOf(route) }), CREDENTIAL_ROUTES.has(route.name) ? ANY_4XX : ANY_STATUS);
          });
        },
        PROPERTY_TIMEOUT,
      );
    }

    if (route.body) {
      it(
        'answers 400 to a body in any other content type',
        async () => {
          const valid = validArb(schemaOf(route.body), hints());
          const text = fc.oneof(valid.map((v) => JSON.stringify(v)), valid.map((v) => encodePairs(textPairs(v))), notJsonText, jsonLeafText).filter((t) => t.length > 0);
          await property(`${route.name}:content-type`, 20, fc.tuple(text, wrongContentType(route)), async ([body, contentType]) => {
            const ids = ownedIds(route);
            const parts: Parts = { body, contentType, headers: authFor(route), ...(route.params ? { id: String(ids[0] ?? 1) } : {}) };
            await exchange(route, request(route, parts), [400], `content type ${JSON.stringify(contentType)}`);
          });
        },
        PROPERTY_TIMEOUT,
      );
    }

    if (route.query) {
      const schema = schemaOf(route.query);

      it(
        'answers 422 to query values the schema refuses (repeated keys, huge, NUL, absurd dates), 200 or 422 to the others',
        async () => {
          await property(`${route.name}:query`, 60, queryPairs(schema, hints()), async (pairs) => {
            const valid = acceptable(pairsToObject(pairs), schema, 'text');
            // A well-formed query may name something that is not the caller's (availability's
            // exclude_appointment_id): 404 where the route documents it.
            const named = route.errors?.includes(404) ? [404] : [];
            await exchange(route, request(route, { query: encodePairs(pairs), headers: authFor(route) }), valid ? [route.status, ...named, 422] : [422], valid ? 'valid' : 'invalid');
          });
        },
        PROPERTY_TIMEOUT,
      );

      it(
        'survives raw query strings with broken encodings',
        async () => {
          await property(`${route.name}:query-raw`, 30, rawQuery, async (query) => {
            await exchange(route, request(route, { query, headers: authFor(route) }), [route.status, 400, 422]);
          });
        },
        PROPERTY_TIMEOUT,
      );
    }

    if (route.params) {
      const withBody = (h: Hints) => (route.body ? validArb(schemaOf(route.body), h).map((v) => bodyText(route, v)) : fc.constant(undefined));
      const send = async (raw: string, body: string | undefined) => {
        const verdict = idVerdict(route, raw);
        const parts: Parts = { id: raw, headers: authFor(route), ...(body !== undefined ? { body, contentType: contentTypeOf(route) } : {}) };
        await exchange(route, request(route, parts), verdict.allowed, verdict.why);
      };

      it(
        "answers 404 or 422 to path ids that are not ids, and 404 to other users' ids",
        async () => {
          const h = hints();
          const raw = fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_IDS) },
            { weight: 2, arbitrary: shortHostileString.map(encode).filter((s) => s.length <= 100) },
            { weight: 1, arbitrary: fc.constantFrom(...foreignIds(route), 2_147_483_647, 1_000_000_000).map(String) },
            // Non-integer spellings of an owned id have their own property below.
          ).filter((id) => !spellsOwnedId(route, id) && !isCollection(route, id));
          await property(`${route.name}:path-id`, 40, fc.tuple(raw, withBody(h)), ([id, body]) => send(id, body));
        },
        PROPERTY_TIMEOUT,
      );

      it(
        'answers a problem (400) to a path id with broken percent-encoding',
        async () => {
          const raw = fc
            .tuple(fc.constantFrom('', '1', 'a'), fc.constantFrom('%', '%Z', '%ZZ', '%G0', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF'), fc.constantFrom('', '1', '%20'))
            .map(([a, b, c]) => a + b + c);
          await property(`${route.name}:path-id-encoding`, 10, fc.tuple(raw, withBody(hints())), ([id, body]) => send(id, body));
        },
        PROPERTY_TIMEOUT,
      );

      it(
        'answers a problem (404, 414 or 422) to an over-long path id',
        async () => {
          const raw = fc.tuple(fc.constantFrom('1', 'a', '%20', '0'), fc.integer({ min: 101, max: 4000 })).map(([unit, n]) => unit.repeat(n));
          await property(`${route.name}:path-id-length`, 10, raw, async (id) => {
            await exchange(route, request(route, { id, headers: authFor(route) }), [404, 414, 422], 'over-long id');
          });
        },
        PROPERTY_TIMEOUT,
      );

      it(
        "refuses spellings of an owned id that are not integers (0x1, 1e0, ' 1'), as docs/decisions.md says",
        async () => {
          await property(`${route.name}:path-id-alias`, 15, fc.tuple(aliasesOf(ownedIds(route)), withBody(hints())), async ([id, body]) => {
            const parts: Parts = { id, headers: authFor(route), ...(body !== undefined ? { body, contentType: contentTypeOf(route) } : {}) };
            await exchange(route, request(route, parts), [404, 422], 'a non-integer spelling of an owned id');
          });
        },
        PROPERTY_TIMEOUT,
      );
    }

    it(
      'answers 404 to a method the path does not have',
      async () => {
        const declared = new Set(ROUTES.filter((other) => other.path === route.path).map((other) => other.method));
        const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'MKCOL'].filter((method) => !declared.has(method as Route['method']));
        const body = fc.option(fc.oneof(notJsonText, jsonLeafText), { nil: undefined });
        await property(`${route.name}:method`, 10, fc.tuple(fc.constantFrom(...others), body, fc.boolean()), async ([method, payload, signedIn]) => {
          const ids = ownedIds(route);
          const url = route.path.replace(':id', String(ids[0] ?? 1));
          const headers: Record<string, string> = { ...(signedIn ? bearer(alice.token) : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) };
          const req: InjectOptions = { method, url, headers, ...(payload !== undefined ? { payload } : {}) };
          // A body is read before the route is looked up: an unreadable one is refused first.
          await exchange(route, req, payload !== undefined ? [400, 404, 405, 413] : [404, 405], `${method} is not a method of ${route.path}`);
        });
      },
      PROPERTY_TIMEOUT,
    );

    it(
      'never fails on well-typed random values (status in success/404/409/422)',
      async () => {
        const h = hints();
        if (endsSession(route)) {
          // Each run signs in anew: the call ends the session it is made with (or all of the account's).
          const email = ENDS_EVERY_SESSION.has(route.name) ? EVERYWHERE_EMAIL : alice.email;
          if (email === EVERYWHERE_EMAIL) await register(ctx.app, email, PASSWORD);
          await property(`${route.name}:well-typed`, 3, extraHeaders, async (extra) => {
            settled = undefined;
            const token = await login(ctx.app, email, PASSWORD);
            await exchange(route, request(route, { headers: { ...extra, ...bearer(token) } }), [route.status]);
          });
          // Signing out everywhere ends Alice's own token too (that is what it is for, so it is no
          // incident): she signs in again. Her API keys are untouched (spec).
          if (route.name === 'logoutAll') alice.token = await login(ctx.app, alice.email, PASSWORD);
          return;
        }
        const id = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ownedIds(route), ...foreignIds(route), 1).map(String) }, { weight: 1, arbitrary: canonicalId });
        const numRuns = route.auth && !CREDENTIAL_ROUTES.has(route.name) ? 30 : 12;
        await property(`${route.name}:well-typed`, numRuns, fc.tuple(validParts(route, h), id), async ([parts, rawId]) => {
          const req = request(route, { ...parts, ...(route.params ? { id: rawId } : {}), headers: authFor(route) });
          await exchange(route, req, successOrSemantic(route), 'well-typed');
        });
      },
      PROPERTY_TIMEOUT,
    );
  });

  describe('after the fuzzing', () => {
    it("Alice's token was never revoked by a refused or invalid request", () => {
      expect(incidents).toEqual([]);
    });

    it('the database snapshot notices a change (the "unchanged" checks above can fail)', async () => {
      const markBefore = await writeMark(ctx.app);
      const before = await snapshot(ctx.app, bob.id);
      const id = await newClient(alice.token, 'Snapshot check', '+14155550111');
      // The write mark moves with a write (else the snapshot would be skipped)...
      const markAfter = await writeMark(ctx.app);
      expect(markAfter).not.toBe(markBefore);
      const after = await snapshot(ctx.app, bob.id);
      expect(changedTables(before, after)).toEqual(['clients']);
      expect(after.bob).toBe(before.bob);
      // ...and a read leaves it where it was (on PGlite: on a shared PostgreSQL server, the
      // transactions of other databases, other test files', move it too).
      await ctx.app.inject({ method: 'GET', url: '/v1/clients', headers: bearer(alice.token) });
      if (ctx.config.database.kind === 'pglite') expect(await writeMark(ctx.app)).toBe(markAfter);
      await ctx.app.inject({ method: 'DELETE', url: `/v1/clients/${id}`, headers: bearer(alice.token) });
    });
  });

  if (group !== 'auth') return;

  /**
   * The counterexamples the properties above shrank to, as plain examples: each one fails until the
   * bug it shows is fixed in apps/api/src (the property that found it fails with it).
   */
  describe('counterexamples found by the fuzzer', () => {
    const expectProblem = (res: LightMyRequestResponse, statuses: number[]) => {
      expect(statuses).toContain(res.statusCode);
      expect(res.headers['content-type']).toBe(PROBLEM_JSON);
      const body = res.json<{ status: number; detail: unknown }>();
      expect(body.status).toBe(res.statusCode);
      expect(typeof body.detail).toBe('string');
    };

    it('a path id with broken percent-encoding is a 400 problem, with the security headers (GET /v1/clients/%)', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: '/v1/clients/%', headers: bearer(alice.token) });
      expectProblem(res, [400]);
      expectSecurityHeaders(res.headers);
    });

    it('an over-long path id (101 digits) is a problem, not Fastify\'s own 414 JSON', async () => {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/clients/${'1'.repeat(101)}`, headers: bearer(alice.token) });
      expectProblem(res, [404, 414, 422]);
    });

    it('a non-integer spelling of an owned id (0x…, %09…) is 422 and reaches nothing', async () => {
      const [clientId] = owned.clients;
      const [appointmentId] = owned.appointments;
      const read = await ctx.app.inject({ method: 'GET', url: `/v1/clients/0x${clientId!.toString(16)}`, headers: bearer(alice.token) });
      expectProblem(read, [422]);
      expect(read.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('/id');
      const removed = await ctx.app.inject({ method: 'DELETE', url: `/v1/appointments/%09${appointmentId!}`, headers: bearer(alice.token) });
      expectProblem(removed, [422]);
      const still = await ctx.app.inject({ method: 'GET', url: `/v1/appointments/${appointmentId!}`, headers: bearer(alice.token) });
      expect(still.statusCode).toBe(200);
    });

    it('a signed token whose sub holds a NUL is 401, not 500 (POST /v1/clients)', async () => {
      const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'a\u0000b', exp: 1e20 });
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/clients',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: JSON.stringify({ name: "Robert'); DROP TABLE clients;--", phone: '+1000' }),
      });
      expectProblem(res, [401]);
    });

    it('logging out with a signed token whose exp is beyond any date (1e20) is not a 500', async () => {
      const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, { sub: alice.email, exp: 1e20 });
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });
      expect(res.statusCode).toBeLessThan(500);
      if (res.statusCode >= 400) expectProblem(res, [401]);
    });

    it('a logged-out session cookie on a write without the CSRF header is 401 (the session is over), not 403', async () => {
      const loggedOut = staleTokens[0]!;
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: `${SESSION_COOKIE}=${loggedOut}` } });
      expectProblem(res, [401]);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });
  });
}
