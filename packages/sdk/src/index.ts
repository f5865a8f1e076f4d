import type { RouteName } from '@agentcaller/contracts';
import type { RouteOutput } from '@agentcaller/contracts';
import { Transport, type ClientOptions, type RouteInput } from './client.js';

export { ApiError, NetworkError, isApiError, type ReceivedProblem } from './errors.js';
export type { ClientOptions, RouteInput } from './client.js';
export type * from '@agentcaller/contracts';
// The limits the API enforces and the problem types it answers, as values (forms check the same numbers).
export {
  API_KEY_NAME_MAX,
  API_KEY_PATTERN,
  API_KEYS_PER_USER_MAX,
  CALL_DURATION_MAX_SECONDS,
  CLIENT_NAME_MAX,
  currentTimeZoneName,
  currentZoneOf,
  EMAIL_MAX,
  MAX_AVAILABILITY_DAYS,
  NOTES_MAX,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_BYTES,
  PROBLEM_TYPES,
  problemType,
} from '@agentcaller/contracts';

type Body<K extends RouteName> = RouteInput<K> extends { body: infer B } ? B : never;
type Query<K extends RouteName> = RouteInput<K> extends { query: infer Q } ? Q : never;

/**
 * A typed client for every route of the API. Inputs and outputs are the contracts' types; a failed
 * call throws `ApiError` (the problem details) or `NetworkError` (no usable answer).
 */
export function createClient(options: ClientOptions) {
  const t = new Transport(options);
  const done = async (promise: Promise<null>) => {
    await promise;
  };
  return {
    /** The bearer token the client sends (set by `auth.login`, or by you). */
    get token() {
      return t.token;
    },
    setToken(token: string | undefined) {
      t.token = token;
    },
    auth: {
      register: (body: Body<'register'>) => t.call('register', { body }),
      /** Signs in and keeps the token for the following calls. */
      login: async (body: Body<'login'>): Promise<RouteOutput<'login'>> => {
        const token = await t.call('login', { body });
        t.token = token.access_token;
        return token;
      },
      me: () => t.call('me', {}),
      /** Refuses this token from now on, on every API instance. */
      logout: async () => {
        await t.call('logout', {});
        t.token = undefined;
      },
      /** Signs out everywhere: every token and browser session of the user is refused from now on. */
      logoutAll: async () => {
        await t.call('logoutAll', {});
        t.token = undefined;
      },
      /** Refuses every token issued before it; sign in again afterwards. */
      changePassword: (body: Body<'changePassword'>) => done(t.call('changePassword', { body })),
      /** Browser sign-in: the API sets an HttpOnly session cookie (use with `cookieSession: true`). */
      createSession: (body: Body<'createSession'>) => t.call('createSession', { body }),
      /** Browser sign-out: ends the session and clears its cookies. */
      deleteSession: () => done(t.call('deleteSession', {})),
      /** Mails a reset link if an account has this address (the answer is the same either way). */
      requestPasswordReset: (body: Body<'requestPasswordReset'>) => t.call('requestPasswordReset', { body }),
      /**
       * Sets a new password with the token of a reset link; afterwards every token, session and API
       * key of the account is refused. A used, replaced or expired link: `ApiError` `/problems/invalid-reset-token`.
       */
      confirmPasswordReset: (body: Body<'confirmPasswordReset'>) => done(t.call('confirmPasswordReset', { body })),
    },
    /** Administrators only (`is_superuser`): others get 403 `/problems/admin-required`, API keys 403 too. */
    admin: {
      users: {
        /** Every account, by email; `q` matches part of the address. */
        list: (query: Query<'listAdminUsers'> = {}) => t.call('listAdminUsers', { query }),
        /** `{ is_active: false }` deactivates (tokens, sessions and keys end at once), `{ is_superuser }` grants or demotes. */
        update: (id: number, body: Body<'updateAdminUser'>) => t.call('updateAdminUser', { params: { id }, body }),
        /** Deletes the account and everything it holds; 409 `/problems/last-admin` for the last administrator. */
        delete: (id: number) => done(t.call('deleteAdminUser', { params: { id } })),
      },
    },
    clients: {
      list: (query: Query<'listClients'> = {}) => t.call('listClients', { query }),
      create: (body: Body<'createClient'>) => t.call('createClient', { body }),
      get: (id: number) => t.call('getClient', { params: { id } }),
      update: (id: number, body: Body<'updateClient'>) => t.call('updateClient', { params: { id }, body }),
      delete: (id: number) => done(t.call('deleteClient', { params: { id } })),
    },
    appointments: {
      list: (query: Query<'listAppointments'> = {}) => t.call('listAppointments', { query }),
      create: (body: Body<'createAppointment'>) => t.call('createAppointment', { body }),
      get: (id: number) => t.call('getAppointment', { params: { id } }),
      update: (id: number, body: Body<'updateAppointment'>) => t.call('updateAppointment', { params: { id }, body }),
      /** Cancels: the time is free again; undo with `update(id, { status: 'scheduled' })` (409 if taken meanwhile). */
      cancel: (id: number) => t.call('cancelAppointment', { params: { id } }),
      delete: (id: number) => done(t.call('deleteAppointment', { params: { id } })),
    },
    /** The bookable slots of `duration_minutes` inside [from, to) per the schedule, at most 31 days. */
    availability: (query: Query<'availability'>) => t.call('availability', { query }),
    schedule: {
      /** When the business takes appointments (the default if never set). */
      get: () => t.call('getSchedule', {}),
      /** Replaces the whole schedule; answers the stored (canonical) one. */
      put: (body: Body<'putSchedule'>) => t.call('putSchedule', { body }),
    },
    /** Keys for programs (a person's session only: a key gets 403 here). */
    apiKeys: {
      /** The answer holds the key itself, this once: store it where the program reads it. */
      create: (body: Body<'createApiKey'>) => t.call('createApiKey', { body }),
      list: () => t.call('listApiKeys', {}),
      /** Refused from now on, on every API instance. */
      revoke: (id: number) => done(t.call('revokeApiKey', { params: { id } })),
    },
    calls: {
      /** Records a call: `call_back` needs `call_back_at`, `booked` needs the client's `appointment_id`. */
      create: (body: Body<'createCall'>) => t.call('createCall', { body }),
      /** Calls started in [from, to), newest first; `client_id` for one client's history. */
      list: (query: Query<'listCalls'> = {}) => t.call('listCalls', { query }),
      /** The call-back queue: clients whose latest call asked to be called back by now, longest waiting first. */
      due: (query: Query<'dueCalls'> = {}) => t.call('dueCalls', { query }),
    },
    /** Any route by name, for what the typed methods above do not cover. */
    call: <K extends RouteName>(name: K, input: RouteInput<K>) => t.call(name, input),
  };
}

export type AgentCallerClient = ReturnType<typeof createClient>;
