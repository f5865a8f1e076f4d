/**
 * The README's agent session, written against a client that `openapi-typescript` and
 * `openapi-fetch` generate from the served `/openapi.json` (`schema.d.ts`, made by
 * test/openapi.tools.test.ts): what a team pointing its own tools at the document gets. It must
 * compile with `tsc` against the generated types, and run against a listening API.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Problem = components['schemas']['Problem'];

export interface SessionResult {
  clientPhone: string;
  bookedId: number;
  conflict: { status: number; contentType: string | null; problem: Problem };
}

export async function agentSession(baseUrl: string, username: string, password: string): Promise<SessionResult> {
  const api = createClient<paths>({ baseUrl });

  // OAuth2 password form, as FastAPI's clients sent it.
  const login = await api.POST('/v1/auth/login', {
    body: { username, password },
    bodySerializer: (body) => new URLSearchParams({ username: body.username, password: body.password }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (!login.data) throw new Error(`login: ${login.response.status}`);
  const token: string = login.data.access_token;
  api.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });

  const client = await api.POST('/v1/clients', { body: { name: 'Ann Lee', phone: '(415) 555-0123' } });
  if (!client.data) throw new Error(`create client: ${client.response.status}`);

  const from = new Date();
  from.setUTCHours(24, 0, 0, 0); // tomorrow, 00:00 UTC
  // A week ahead: the default schedule has no hours on weekends, and tomorrow may be one.
  const to = new Date(from.getTime() + 7 * 24 * 3600_000);
  const availability = await api.GET('/v1/availability', {
    params: { query: { from: from.toISOString(), to: to.toISOString(), duration_minutes: 30 } },
  });
  if (!availability.data) throw new Error(`availability: ${availability.response.status}`);
  const starts_at = availability.data.slots[0]!.starts_at;
  const ends_at = new Date(Date.parse(starts_at) + 30 * 60_000).toISOString();

  const booked = await api.POST('/v1/appointments', { body: { client_id: client.data.id, starts_at, ends_at, notes: 'first call' } });
  if (!booked.data) throw new Error(`book: ${booked.response.status}`);

  const again = await api.POST('/v1/appointments', { body: { client_id: client.data.id, starts_at, ends_at } });
  if (!again.error) throw new Error('booking the same time twice succeeded');
  return {
    clientPhone: client.data.phone,
    bookedId: booked.data.id,
    conflict: { status: again.response.status, contentType: again.response.headers.get('content-type'), problem: again.error },
  };
}
