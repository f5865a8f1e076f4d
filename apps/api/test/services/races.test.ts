// Two writes to one row at the same moment, on PostgreSQL (a real pool, so they truly overlap):
// neither may lose the other's change (issue 10, item 9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../faults/api.js';
import { bearer, json, login, register, startApp, type TestContext } from '../helpers.js';

let ctx: TestContext;
let auth: { authorization: string };
const ROUNDS = 25;

beforeAll(async () => {
  ctx = await startApp({ database: await createPostgresDatabase() });
  await register(ctx.app, 'race@example.com');
  auth = bearer(await login(ctx.app, 'race@example.com'));
}, 60_000);
afterAll(() => ctx?.close());

const send = (method: 'POST' | 'PATCH' | 'GET', url: string, body?: unknown) =>
  ctx.app.inject({ method, url, ...(body === undefined ? { headers: auth } : { ...json(body), headers: { ...json(body).headers, ...auth } }) });

describe('concurrent PATCHes of one row', () => {
  it('an appointment keeps both changes: notes from one, times from the other', async () => {
    const client = (await send('POST', '/v1/clients', { name: 'Ann', phone: '+14155550123' })).json<{ id: number }>();
    const base = Date.UTC(2031, 0, 6, 9);
    const created = await send('POST', '/v1/appointments', {
      client_id: client.id,
      starts_at: new Date(base).toISOString(),
      ends_at: new Date(base + 1800_000).toISOString(),
    });
    const { id } = created.json<{ id: number }>();
    const lost: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const startsAt = new Date(base + (round + 1) * 3600_000).toISOString();
      const endsAt = new Date(base + (round + 1) * 3600_000 + 1800_000).toISOString();
      const [a, b] = await Promise.all([
        send('PATCH', `/v1/appointments/${id}`, { notes: `round ${round}` }),
        send('PATCH', `/v1/appointments/${id}`, { starts_at: startsAt, ends_at: endsAt }),
      ]);
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      const now = (await send('GET', `/v1/appointments/${id}`)).json<{ notes: string; starts_at: string; ends_at: string }>();
      if (now.notes !== `round ${round}` || now.starts_at !== startsAt || now.ends_at !== endsAt) lost.push(round);
    }
    expect(lost).toEqual([]);
  });

  it('a client keeps both changes: name from one, phone from the other', async () => {
    const { id } = (await send('POST', '/v1/clients', { name: 'Bo', phone: '+14155550100' })).json<{ id: number }>();
    const lost: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const phone = `+1415555${String(1000 + round).padStart(4, '0')}`;
      const [a, b] = await Promise.all([
        send('PATCH', `/v1/clients/${id}`, { name: `Bo ${round}` }),
        send('PATCH', `/v1/clients/${id}`, { phone }),
      ]);
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      const now = (await send('GET', `/v1/clients/${id}`)).json<{ name: string; phone: string }>();
      if (now.name !== `Bo ${round}` || now.phone !== phone) lost.push(round);
    }
    expect(lost).toEqual([]);
  });
});
