import {
  CSRF_COOKIE,
  CSRF_HEADER,
  routes,
  type CallerBody,
  type RouteDef,
  type RouteName,
  type RouteOutput,
  type RouteParams,
  type RouteQuery,
  type Routes,
} from '@agentcaller/contracts';
import type { TSchema } from 'typebox';
import { ApiError, NetworkError, type ReceivedProblem } from './errors.js';

/** What a route takes: path parameters, query and body, typed from the contracts. */
export type RouteInput<K extends RouteName> = (Routes[K] extends { params: TSchema } ? { params: RouteParams<K> } : unknown) &
  (Routes[K] extends { query: TSchema } ? { query: RouteQuery<K> } : unknown) &
  (Routes[K] extends { body: TSchema } ? { body: CallerBody<K> } : unknown);

export interface ClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:8000` or `''` for the page's own origin. */
  baseUrl: string;
  /** A bearer token from `auth.login`; `login` also sets it. */
  token?: string | undefined;
  /**
   * An API key (`ac_…`, made in Settings or by `apiKeys.create`): programs use it instead of a
   * person's password. Sent as `Authorization: Bearer` when no token is set. It acts as its user on
   * clients, appointments, availability, schedule (read) and calls; account routes answer 403.
   */
  apiKey?: string | undefined;
  /** Another fetch (tests, retries, instrumentation); the global one by default. */
  fetch?: typeof fetch;
  /** Extra fetch options for every call. */
  init?: Omit<RequestInit, 'method' | 'body'>;
  /**
   * Browser session: send the HttpOnly session cookie (`credentials: 'include'`) and, on every
   * write, the CSRF token from the readable `ac_csrf` cookie as `X-CSRF-Token`.
   */
  cookieSession?: boolean;
  /** Where the CSRF token comes from; by default the `ac_csrf` cookie of `document`. */
  csrfToken?: () => string | undefined;
}

function csrfFromDocument(): string | undefined {
  const cookies = (globalThis as { document?: { cookie?: string } }).document?.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${CSRF_COOKIE}=([^;]*)`).exec(cookies);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => encodeURIComponent(String(params?.[name])));
}

/** A query or form field as text: the contract's fields are strings, numbers and booleans, never objects. */
function fieldText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new TypeError(`${key}: a query or form field must be a string, number or boolean`);
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.append(key, fieldText(key, value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function encodeBody(def: RouteDef, body: unknown): { body?: string; contentType?: string } {
  if (!def.body) return {};
  if (def.encoding === 'form') {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (value !== undefined && value !== null) form.append(key, fieldText(key, value));
    }
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

async function problemOf(response: Response): Promise<ReceivedProblem> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as Partial<ReceivedProblem>;
    if (parsed && typeof parsed === 'object' && typeof parsed.status === 'number') {
      return { type: 'about:blank', title: response.statusText, detail: '', ...parsed } as ReceivedProblem;
    }
  } catch {
    // not JSON: described below
  }
  return { type: 'about:blank', title: response.statusText || 'Error', status: response.status, detail: text.slice(0, 500) || response.statusText };
}

/** The generic caller under every typed method: one route by name. */
export class Transport {
  token: string | undefined;
  private readonly apiKey: string | undefined;
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly init: Omit<RequestInit, 'method' | 'body'>;
  private readonly csrf: (() => string | undefined) | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.apiKey = options.apiKey;
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.init = options.cookieSession ? { credentials: 'include', ...options.init } : (options.init ?? {});
    this.csrf = options.csrfToken ?? (options.cookieSession ? csrfFromDocument : undefined);
  }

  async call<K extends RouteName>(name: K, input: RouteInput<K>): Promise<RouteOutput<K>> {
    const def: RouteDef = routes[name];
    const parts = input as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const url = `${this.baseUrl}${fillPath(def.path, parts.params)}${queryString(parts.query)}`;
    const { body, contentType } = encodeBody(def, parts.body);
    const headers = new Headers(this.init.headers);
    headers.set('accept', 'application/json, application/problem+json');
    if (contentType) headers.set('content-type', contentType);
    const credential = this.token ?? this.apiKey;
    if (def.auth && credential) headers.set('authorization', `Bearer ${credential}`);
    const csrf = def.method === 'GET' ? undefined : this.csrf?.();
    if (csrf) headers.set(CSRF_HEADER, csrf);

    let response: Response;
    try {
      response = await this.fetcher(url, { ...this.init, method: def.method, headers, ...(body === undefined ? {} : { body }) });
    } catch (err) {
      throw new NetworkError(`${def.method} ${def.path}: ${(err as Error)?.message ?? 'network failure'}`, { cause: err });
    }
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
      throw new ApiError(await problemOf(response), Number.isFinite(retryAfter) ? retryAfter : undefined);
    }
    if (response.status === 204) return null as RouteOutput<K>;
    try {
      return (await response.json()) as RouteOutput<K>;
    } catch (err) {
      throw new NetworkError(`${def.method} ${def.path}: the answer is not JSON`, { cause: err });
    }
  }
}
