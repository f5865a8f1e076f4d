import { Type, type Static, type TSchema } from 'typebox';
import { Appointment, AppointmentPage, Availability, AvailabilityQuery, CreateAppointmentBody, ListAppointmentsQuery, UpdateAppointmentBody } from './appointments.js';
import { AdminUser, AdminUserPage, ListAdminUsersQuery, UpdateAdminUserBody } from './admin.js';
import { ChangePasswordBody, ConfirmPasswordResetBody, LoginForm, Me, PasswordResetAccepted, PasswordResetBody, RegisterBody, RegisteredUser, Session, SessionBody, Token } from './auth.js';
import { Schedule } from './schedule.js';
import { ApiKeyList, CreateApiKeyBody, CreatedApiKey } from './api-keys.js';
import { Call, CallPage, CreateCallBody, DueCalls, DueCallsQuery, ListCallsQuery } from './calls.js';
import { Client, ClientPage, CreateClientBody, IdParams, ListClientsQuery, UpdateClientBody } from './clients.js';
import { BODY_LIMIT_BYTES, PUBLIC_BODY_LIMIT_BYTES } from './limits.js';
import { Health, Ready } from './service.js';

/** How a route's body travels. */
export type BodyEncoding = 'json' | 'form';

/** The groups of the API (OpenAPI tags), with what each holds. */
export const TAGS = {
  auth: 'Accounts, sign-in (OAuth2 password form, browser session), tokens and passwords.',
  clients: 'The people the agent calls; each user has their own.',
  appointments: 'One calendar per user; appointments of a user never overlap.',
  availability: 'The free slots the agent may offer.',
  schedule: 'When the business takes appointments: the rules availability follows.',
  apiKeys: 'Credentials of programs (the phone agent): `Authorization: Bearer ac_…` acts as their user, except on the account itself.',
  calls: "What the agent did: the call log and the queue of clients to call back.",
  admin: 'Administration of accounts (administrators only: `users.is_superuser`, set by `pnpm admin:grant EMAIL`).',
  service: 'Liveness and readiness for orchestrators.',
} as const;
export type Tag = keyof typeof TAGS;

/** Error statuses a route answers besides those every route of its kind answers (see `errorStatuses`). */
export type RouteErrorStatus = 401 | 403 | 404 | 409 | 429;

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify-style path: `:id` for a path parameter. */
  path: string;
  tag: Tag;
  /** One line for the document and the SDK's readers. */
  summary: string;
  /** The success status and its body (`Type.Null()` for 204). */
  status: 200 | 201 | 202 | 204;
  response: TSchema;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  encoding?: BodyEncoding;
  /** Needs a signed-in user: `Authorization: Bearer` (token) or the session cookie. */
  auth: boolean;
  /**
   * An API key (`Authorization: Bearer ac_…`) may call it too, as its user. Absent: the route is
   * about the account itself, and a key gets 403 (`api-key-not-allowed`); keys are refused unless
   * a route says so.
   */
  apiKey?: true;
  /** Only administrators (`is_superuser`) may call it; anyone else gets 403 (`admin-required`). */
  admin?: true;
  /** The route's own error statuses (the common ones are added by `errorStatuses`). */
  errors?: readonly RouteErrorStatus[];
}

const NoContent = Type.Null({ description: 'No content' });

/**
 * Every route of the API once. The server registers each from here (method, path, auth, schemas),
 * the OpenAPI document is built from here, and the SDK derives its methods from here, so none can
 * drift. A route's key is its `operationId`: stable, since generated clients name methods after it.
 */
export const routes = {
  register: { method: 'POST', path: '/v1/auth/register', tag: 'auth', summary: 'Create an account (seed shape)', status: 201, body: RegisterBody, encoding: 'json', response: RegisteredUser, auth: false, errors: [409, 429] },
  login: { method: 'POST', path: '/v1/auth/login', tag: 'auth', summary: 'Sign in with the OAuth2 password form and get a bearer token (seed shape)', status: 200, body: LoginForm, encoding: 'form', response: Token, auth: false, errors: [401, 403, 429] },
  me: { method: 'GET', path: '/v1/auth/me', tag: 'auth', summary: 'The signed-in user (seed shape)', status: 200, response: Me, auth: true, apiKey: true },
  logout: { method: 'POST', path: '/v1/auth/logout', tag: 'auth', summary: 'Refuse this token from now on, on every instance', status: 204, response: NoContent, auth: true },
  logoutAll: { method: 'POST', path: '/v1/auth/logout-all', tag: 'auth', summary: 'Sign out everywhere: every token and browser session of this user is refused from now on (API keys are not)', status: 204, response: NoContent, auth: true },
  changePassword: { method: 'PUT', path: '/v1/auth/me/password', tag: 'auth', summary: 'Change the password; every token and session issued before is refused afterwards', status: 204, body: ChangePasswordBody, encoding: 'json', response: NoContent, auth: true, errors: [429] },
  createSession: { method: 'POST', path: '/v1/auth/session', tag: 'auth', summary: 'Browser sign-in: sets the HttpOnly session cookie and the CSRF cookie', status: 200, body: SessionBody, encoding: 'json', response: Session, auth: false, errors: [401, 403, 429] },
  requestPasswordReset: { method: 'POST', path: '/v1/auth/password-reset', tag: 'auth', summary: 'Mail a password-reset link (valid 1 hour, single use; a newer one voids it); 202 whether or not the account exists', status: 202, body: PasswordResetBody, encoding: 'json', response: PasswordResetAccepted, auth: false, errors: [429] },
  confirmPasswordReset: { method: 'POST', path: '/v1/auth/password-reset/confirm', tag: 'auth', summary: "Set a new password with a reset link's token; every token, session and API key of the user is refused afterwards", status: 204, body: ConfirmPasswordResetBody, encoding: 'json', response: NoContent, auth: false, errors: [429] },
  deleteSession: { method: 'DELETE', path: '/v1/auth/session', tag: 'auth', summary: 'Browser sign-out: refuses the session token from now on and clears the cookies', status: 204, response: NoContent, auth: true },

  listClients: { method: 'GET', path: '/v1/clients', tag: 'clients', summary: 'Your clients, by name then id; q matches part of the name or of the phone digits', status: 200, query: ListClientsQuery, response: ClientPage, auth: true, apiKey: true, errors: [429] },
  createClient: { method: 'POST', path: '/v1/clients', tag: 'clients', summary: 'Add a client (phone stored in E.164)', status: 201, body: CreateClientBody, encoding: 'json', response: Client, auth: true, apiKey: true },
  getClient: { method: 'GET', path: '/v1/clients/:id', tag: 'clients', summary: 'One of your clients', status: 200, params: IdParams, response: Client, auth: true, apiKey: true, errors: [404] },
  updateClient: { method: 'PATCH', path: '/v1/clients/:id', tag: 'clients', summary: 'Change any of name and phone', status: 200, params: IdParams, body: UpdateClientBody, encoding: 'json', response: Client, auth: true, apiKey: true, errors: [404] },
  deleteClient: { method: 'DELETE', path: '/v1/clients/:id', tag: 'clients', summary: "Delete a client and the client's appointments", status: 204, params: IdParams, response: NoContent, auth: true, apiKey: true, errors: [404] },

  listAppointments: { method: 'GET', path: '/v1/appointments', tag: 'appointments', summary: 'Your appointments overlapping [from, to), by start; cancelled ones only when status= asks', status: 200, query: ListAppointmentsQuery, response: AppointmentPage, auth: true, apiKey: true, errors: [429] },
  createAppointment: { method: 'POST', path: '/v1/appointments', tag: 'appointments', summary: 'Book an appointment; a 409 names the appointment it overlaps', status: 201, body: CreateAppointmentBody, encoding: 'json', response: Appointment, auth: true, apiKey: true, errors: [404, 409] },
  getAppointment: { method: 'GET', path: '/v1/appointments/:id', tag: 'appointments', summary: 'One of your appointments', status: 200, params: IdParams, response: Appointment, auth: true, apiKey: true, errors: [404] },
  updateAppointment: { method: 'PATCH', path: '/v1/appointments/:id', tag: 'appointments', summary: 'Change any field or the status; time order and overlap are checked again', status: 200, params: IdParams, body: UpdateAppointmentBody, encoding: 'json', response: Appointment, auth: true, apiKey: true, errors: [404, 409] },
  cancelAppointment: { method: 'POST', path: '/v1/appointments/:id/cancel', tag: 'appointments', summary: 'Cancel an appointment: its time is free again (undo: PATCH status back to scheduled)', status: 200, params: IdParams, response: Appointment, auth: true, apiKey: true, errors: [404] },
  deleteAppointment: { method: 'DELETE', path: '/v1/appointments/:id', tag: 'appointments', summary: 'Remove an appointment for good (POST …/cancel keeps it, cancelled)', status: 204, params: IdParams, response: NoContent, auth: true, apiKey: true, errors: [404] },

  availability: { method: 'GET', path: '/v1/availability', tag: 'availability', summary: 'Bookable slots of duration_minutes inside [from, to) per your schedule, at most 31 days; exclude_appointment_id frees one of your appointments (to move it)', status: 200, query: AvailabilityQuery, response: Availability, auth: true, apiKey: true, errors: [404, 429] },

  getSchedule: { method: 'GET', path: '/v1/schedule', tag: 'schedule', summary: 'When you take appointments: time zone, weekly hours, date overrides, grid, buffers, notice, horizon', status: 200, response: Schedule, auth: true, apiKey: true },
  putSchedule: { method: 'PUT', path: '/v1/schedule', tag: 'schedule', summary: 'Replace your schedule; 422 on an unknown zone, overlapping or reversed intervals, values out of range', status: 200, body: Schedule, encoding: 'json', response: Schedule, auth: true },

  createApiKey: { method: 'POST', path: '/v1/api-keys', tag: 'apiKeys', summary: 'Create an API key for a program; the key is in this answer only (stored as a hash)', status: 201, body: CreateApiKeyBody, encoding: 'json', response: CreatedApiKey, auth: true, errors: [409] },
  listApiKeys: { method: 'GET', path: '/v1/api-keys', tag: 'apiKeys', summary: 'Your live API keys: name, prefix, creation and last use (never the key)', status: 200, response: ApiKeyList, auth: true },
  revokeApiKey: { method: 'DELETE', path: '/v1/api-keys/:id', tag: 'apiKeys', summary: 'Revoke an API key: refused from now on, on every instance', status: 204, params: IdParams, response: NoContent, auth: true, errors: [404] },

  createCall: { method: 'POST', path: '/v1/calls', tag: 'calls', summary: "Record a call and its outcome; call_back needs call_back_at, booked needs the client's appointment", status: 201, body: CreateCallBody, encoding: 'json', response: Call, auth: true, apiKey: true, errors: [404] },
  listCalls: { method: 'GET', path: '/v1/calls', tag: 'calls', summary: 'Your calls started in [from, to), newest first; client_id narrows to one client', status: 200, query: ListCallsQuery, response: CallPage, auth: true, apiKey: true, errors: [404, 429] },
  dueCalls: { method: 'GET', path: '/v1/calls/due', tag: 'calls', summary: 'The call-back queue: clients whose latest call is call_back with call_back_at now or past, oldest first', status: 200, query: DueCallsQuery, response: DueCalls, auth: true, apiKey: true, errors: [429] },

  listAdminUsers: { method: 'GET', path: '/v1/admin/users', tag: 'admin', summary: 'Every account, by email then id; q matches part of the email', status: 200, query: ListAdminUsersQuery, response: AdminUserPage, auth: true, admin: true },
  updateAdminUser: { method: 'PATCH', path: '/v1/admin/users/:id', tag: 'admin', summary: 'Deactivate or reactivate an account, grant or take away administration; deactivating ends its tokens, sessions and API keys at once', status: 200, params: IdParams, body: UpdateAdminUserBody, encoding: 'json', response: AdminUser, auth: true, admin: true, errors: [404, 409] },
  deleteAdminUser: { method: 'DELETE', path: '/v1/admin/users/:id', tag: 'admin', summary: 'Delete an account with its clients, appointments, calls, schedule and API keys, in one transaction', status: 204, params: IdParams, response: NoContent, auth: true, admin: true, errors: [404, 409] },

  health: { method: 'GET', path: '/health', tag: 'service', summary: 'The process is running', status: 200, response: Health, auth: false },
  ready: { method: 'GET', path: '/ready', tag: 'service', summary: 'The database answers (503 otherwise)', status: 200, response: Ready, auth: false },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;

type Part<K extends RouteName, F extends string> = Routes[K] extends Record<F, infer S extends TSchema> ? Static<S> : undefined;
/** A route's JSON body, query and path parameters, and success body, typed from its schemas. */
export type RouteBody<K extends RouteName> = Part<K, 'body'>;
export type RouteQuery<K extends RouteName> = Part<K, 'query'>;

/** Bodies whose rules across fields the schema leaves to the server: the caller's type is narrower. */
interface CallerBodies {
  createCall: CreateCallBody;
}
/** The body a caller (the SDK) sends: the route's body type, narrowed where the server checks rules across fields. */
export type CallerBody<K extends RouteName> = K extends keyof CallerBodies ? CallerBodies[K] : RouteBody<K>;
export type RouteParams<K extends RouteName> = Part<K, 'params'>;
export type RouteOutput<K extends RouteName> = Static<Routes[K]['response']>;

/** The methods whose requests carry a body (Fastify never reads one of GET or HEAD). */
export const WRITES: ReadonlySet<RouteDef['method']> = new Set<RouteDef['method']>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The largest body a route reads, in bytes (413 above it): a route that needs no credentials reads less. */
export function bodyLimitOf(def: RouteDef): number {
  return def.auth ? BODY_LIMIT_BYTES : PUBLIC_BODY_LIMIT_BYTES;
}

/**
 * Every error status a route can answer, in order: what its body and parameters can cause, its
 * own (`errors`), what authentication causes, and what any request can meet (500, 503).
 */
export function errorStatuses(def: RouteDef): number[] {
  // Any request can be unreadable (a URL with bad percent-encoding, a malformed request line or
  // header), too slow (408) or have headers over 16 KiB (431).
  const statuses = new Set<number>([400, 408, 431, ...(def.errors ?? [])]);
  if (def.body) statuses.add(422);
  // A write without a body of its own still reads (and drops) any body that comes: its size limit applies.
  if (WRITES.has(def.method)) statuses.add(413);
  if (def.params || def.query) statuses.add(422);
  if (def.auth) [401, 403].forEach((status) => statuses.add(status));
  // An API key's requests per window, and one account's writes at once beyond their queue.
  if (def.apiKey || (def.auth && WRITES.has(def.method))) statuses.add(429);
  [500, 503].forEach((status) => statuses.add(status));
  return [...statuses].sort((a, b) => a - b);
}

/** Names of the OpenAPI security schemes (FastAPI called its OAuth2 scheme `OAuth2PasswordBearer`). */
export const SECURITY_SCHEMES = {
  oauth2: 'OAuth2PasswordBearer',
  bearer: 'bearerAuth',
  session: 'sessionCookie',
  csrf: 'csrfHeader',
} as const;

/**
 * How a route may be called, as an OpenAPI `security` list (any one entry suffices): public routes
 * need nothing (`[]`); the others take a bearer token (from the OAuth2 password form) or the
 * browser's session cookie, which on writes must come with the `X-CSRF-Token` header; those open
 * to programs also take an API key (`bearerAuth`).
 */
export function securityOf(def: RouteDef): Record<string, string[]>[] {
  if (!def.auth) return [];
  const session: Record<string, string[]> = { [SECURITY_SCHEMES.session]: [] };
  if (WRITES.has(def.method)) session[SECURITY_SCHEMES.csrf] = [];
  return [{ [SECURITY_SCHEMES.oauth2]: [] }, ...(def.apiKey ? [{ [SECURITY_SCHEMES.bearer]: [] }] : []), session];
}
