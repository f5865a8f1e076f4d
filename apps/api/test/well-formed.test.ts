import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expect422At, signUp, type Caller } from './fixtures.js';
import { startApp, type TestContext } from './helpers.js';

// The break test: POST /v1/clients {"name":"a\ud800b"} was 201 and stored "a\ufffdb", a name that
// was not the one sent. JSON can spell a lone surrogate; no text holds one: 422 at its place.
let ctx: TestContext;
let user: Caller;

beforeAll(async () => {
  ctx = await startApp();
  user = await signUp(ctx.app, 'surrogates@example.com');
});
afterAll(() => ctx.close());

/** A JSON body sent exactly as written (JSON.stringify would escape the lone surrogate the same way). */
const raw = (url: string, payload: string) =>
  ctx.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, payload });

describe('JSON bodies that spell a lone surrogate', () => {
  it.each([
    ['a high one', String.raw`{"name":"a\ud800b","phone":"+14155550100"}`, '/name'],
    ['a low one', String.raw`{"name":"\udc00","phone":"+14155550100"}`, '/name'],
    ['a reversed pair', String.raw`{"name":"\udc00\ud800","phone":"+14155550100"}`, '/name'],
    ['one in a member name', String.raw`{"name":"Ann","phone":"+14155550100","x\ud800/~":1}`, '/x\ud800~1~0'],
  ])('%s is 422 at its place, and nothing is stored', async (_label, payload, path) => {
    expect422At(await raw('/v1/clients', payload), path);
    const list = await user.send('GET', '/v1/clients');
    expect(list.json<{ total: number }>().total).toBe(0);
  });

  it('a pair is one character and is stored as sent', async () => {
    const res = await raw('/v1/clients', String.raw`{"name":"Zoë \ud83d\ude00","phone":"+14155550100"}`);
    expect(res.statusCode).toBe(201);
    expect(res.json<{ name: string }>().name).toBe('Zoë 😀');
  });

  it('a deeply nested body is walked without recursion: 422 at the innermost place, not a crash', async () => {
    const res = await raw('/v1/clients', `${'['.repeat(20_000)}"\\ud800"${']'.repeat(20_000)}`);
    expect422At(res, '/0'.repeat(20_000));
  });
});
