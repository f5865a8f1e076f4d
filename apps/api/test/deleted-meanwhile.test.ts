// Round 13's break test: a write that raced the deletion of its own account failed on a foreign key
// (schedules, clients, password-reset links) and answered 500. The race is made certain here: a
// request marked `x-test-delete-account` has its account deleted (and committed) right after its
// authentication, as another request's DELETE would be; the reset link's statement, which reads the
// account itself, meets a trigger that deletes the account before the link is written.
import { users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, login, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp({
    beforeReady: (app) =>
      app.addHook('preHandler', async (request) => {
        if (request.headers['x-test-delete-account'] !== undefined && request.currentUser) await app.db.delete(users).where(eq(users.id, request.currentUser.id));
        // And the table out of reach by its name: the error handler's own read of it fails (foreign
        // keys name a table by its oid, so the write still meets the deleted account).
        if (request.headers['x-test-hide-users'] !== undefined) await app.db.execute(sql.raw('alter table users rename to users_hidden'));
      }),
  });
});
afterAll(() => ctx.close());

const PASSWORD = 'a password deleted meanwhile';

/** Until the test ends, inserting into `table` first deletes the account its `column` names (rolled back with the failed statement). */
async function deleteOwnerBeforeInsertInto(table: 'password_reset_tokens', column: 'user_id') {
  await ctx.app.db.execute(sql.raw(`create or replace function test_delete_owner() returns trigger language plpgsql as $$ begin delete from users where id = new.${column}; return new; end $$`));
  await ctx.app.db.execute(sql.raw(`create trigger test_delete_owner before insert on ${table} for each row execute function test_delete_owner()`));
  dropTrigger = () => ctx.app.db.execute(sql.raw(`drop trigger test_delete_owner on ${table}`)).then(() => undefined);
}
let dropTrigger: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dropTrigger?.();
  dropTrigger = undefined;
  await ctx.app.db.execute(sql.raw('alter table if exists users_hidden rename to users'));
});

/** A JSON body with the caller's credentials, whose account goes right after authentication. */
const withBody = (auth: Record<string, string>, body: unknown) => {
  const request = json(body);
  return { ...request, headers: { ...request.headers, ...auth, 'x-test-delete-account': '1' } };
};

async function signedIn(email: string) {
  await register(ctx.app, email, PASSWORD);
  return bearer(await login(ctx.app, email, PASSWORD));
}

describe('a write whose account is deleted while it runs', () => {
  it('saving the schedule is 401, not 500', async () => {
    const auth = await signedIn('gone-schedule@example.com');
    const schedule = (await ctx.app.inject({ method: 'GET', url: '/v1/schedule', headers: auth })).json<Record<string, unknown>>();
    const res = await ctx.app.inject({ method: 'PUT', url: '/v1/schedule', ...withBody(auth, schedule) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ type: '/problems/unauthorized', detail: 'The account was deleted while this request ran' });
  });

  it('adding a client is 401, not 500', async () => {
    const auth = await signedIn('gone-client@example.com');
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/clients', ...withBody(auth, { name: 'Ada', phone: '+4930123456' }) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ detail: 'The account was deleted while this request ran' });
  });

  it('whose error handler cannot read the account either is a 500 problem, not Fastify\'s own answer', async () => {
    const auth = await signedIn('gone-unreadable@example.com');
    const request = withBody(auth, { name: 'Ada', phone: '+4930123456' });
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/clients', ...request, headers: { ...request.headers, 'x-test-hide-users': '1' } });
    await ctx.app.db.execute(sql.raw('alter table users_hidden rename to users'));
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({ type: '/problems/internal', title: 'Internal Server Error', status: 500, detail: 'Internal server error', request_id: expect.any(String) as unknown });
  });

  it('asking for a reset link is the answer for an unknown address, not 500', async () => {
    await register(ctx.app, 'gone-reset@example.com', PASSWORD);
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email: 'nobody-at-all@example.com' }) });
    await deleteOwnerBeforeInsertInto('password_reset_tokens', 'user_id');
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email: 'gone-reset@example.com' }) });
    expect(res.statusCode).toBe(unknown.statusCode);
    expect(res.body).toBe(unknown.body);
  });
});
