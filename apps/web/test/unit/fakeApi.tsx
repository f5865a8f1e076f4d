// A fake API behind the real SDK: each test says what each route answers and reads what was sent.
import { createClient, PROBLEM_TYPES, problemType, type AgentCallerClient, type Appointment, type Client, type Me, type ProblemKind, type Schedule } from '@agentcaller/sdk';
import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { AppProviders } from '../../src/app/App';
import { routes } from '../../src/app/routes';

export interface SentRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
export type Handler = (request: SentRequest) => Reply | Promise<Reply>;

const BASE_URL = 'http://api.test';

export function json(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers ? { headers } : {}) };
}

/** A problem as the API sends it: `type`, status and title of its kind (PROBLEM_TYPES). */
export function problem(kind: ProblemKind, detail: string, extra: Record<string, unknown> = {}): Reply {
  const { status, title } = PROBLEM_TYPES[kind];
  return { status, body: { type: problemType(kind), title, status, detail, ...extra } };
}

export class FakeApi {
  readonly requests: SentRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  readonly client: AgentCallerClient;

  constructor() {
    this.client = createClient({ baseUrl: BASE_URL, cookieSession: true, fetch: (input, init) => this.fetch(input, init) });
    // What pages read besides their own subject, empty unless a test says otherwise: the call-back
    // queue (home), a client's calls, the API keys (settings).
    this.on('GET /v1/calls/due', { status: 200, body: { items: [] } })
      .on('GET /v1/calls', { status: 200, body: { items: [], total: 0, limit: 100, offset: 0 } })
      .on('GET /v1/api-keys', { status: 200, body: { items: [] } });
  }

  /** `on('GET /v1/clients', handler)`; a path segment `:id` matches any id. */
  on(route: string, handler: Handler | Reply): this {
    this.handlers.set(route, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  sent(route: string): SentRequest[] {
    const [method, pattern] = route.split(' ') as [string, string];
    return this.requests.filter((r) => r.method === method && matches(pattern, r.path));
  }

  private async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? 'GET';
    const request: SentRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: new Headers(init?.headers),
    };
    this.requests.push(request);
    for (const [route, handler] of this.handlers) {
      const [m, pattern] = route.split(' ') as [string, string];
      if (m === method && matches(pattern, url.pathname)) {
        const reply = await handler(request);
        const isProblem = reply.status >= 400;
        return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
          status: reply.status,
          headers: { 'content-type': isProblem ? 'application/problem+json' : 'application/json', ...reply.headers },
        });
      }
    }
    return new Response(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no fake for ${method} ${url.pathname}` }), { status: 404 });
  }
}

function matches(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.split('/');
  return a.length === b.length && a.every((part, i) => part === b[i] || (part.startsWith(':') && b[i] !== ''));
}

export const USER: Me = { id: 1, email: 'owner@example.com', is_active: true, is_superuser: false, created_at: '2026-11-01T09:00:00.000Z' };

export const ANN: Client = { id: 7, name: 'Ann Lee', phone: '+14155550123', created_at: '2026-11-02T09:00:00.000Z' };

export function appointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: 41,
    client_id: ANN.id,
    starts_at: '2026-12-07T15:00:00.000Z',
    ends_at: '2026-12-07T15:30:00.000Z',
    notes: null,
    notes_truncated: false,
    status: 'scheduled',
    client: { id: ANN.id, name: ANN.name, phone: ANN.phone },
    ...overrides,
  };
}

/** A weekly schedule, Monday to Friday 09:00-17:00 in `timeZone`, half-hour grid, an hour's notice. */
export function nineToFive(timeZone: string): Schedule {
  const hours = [{ start: '09:00', end: '17:00' }];
  return {
    time_zone: timeZone,
    weekly_hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] },
    date_overrides: [],
    slot_interval_minutes: 30,
    buffer_before_minutes: 0,
    buffer_after_minutes: 0,
    minimum_notice_minutes: 60,
    booking_horizon_days: 60,
  };
}

export function page<T>(items: T[], total = items.length, limit = 20, offset = 0) {
  return { items, total, limit, offset };
}

/** The whole app at `path`, in memory, on the fake API. */
export function renderApp(api: FakeApi, path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <AppProviders api={api.client} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...view, router, queryClient };
}
