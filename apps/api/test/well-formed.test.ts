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

// The break test of round 8: raw bytes that are not UTF-8 were 201 with U+FFFD stored, a body
// declared UTF-16 was read as UTF-8, and a __proto__ member was "not valid JSON".
describe('JSON bodies in another encoding, or not text at all', () => {
  const send = (payload: string | Buffer, contentType = 'application/json') =>
    ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: { authorization: `Bearer ${user.token}`, 'content-type': contentType }, payload });
  const stored = async () => (await user.send('GET', '/v1/clients')).json<{ items: { name: string }[] }>().items.map((c) => c.name);

  it.each([
    ['\\xff\\xfe in a string', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","phone":"+14155550101"}')])],
    ['a truncated sequence', Buffer.concat([Buffer.from('{"name":"Zo'), Buffer.from([0xc3]), Buffer.from('","phone":"+14155550101"}')])],
    ['an encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","phone":"+14155550101"}')])],
  ])('%s is 400, and nothing is stored', async (_label, payload) => {
    const before = await stored();
    const res = await send(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: '/problems/bad-request', detail: 'The request body is not valid UTF-8' });
    expect(await stored()).toEqual(before);
  });

  it('a charset other than UTF-8 is 400; charset=utf-8 in any case, or a BOM, is read', async () => {
    const utf16 = await send(Buffer.from('{"name":"Ann","phone":"+14155550102"}', 'utf16le'), 'application/json; charset=utf-16');
    expect(utf16.statusCode).toBe(400);
    expect(utf16.json()).toMatchObject({ type: '/problems/bad-request', detail: 'JSON is read in UTF-8 only: send charset=utf-8, or no charset' });
    expect((await send('{"name":"Zoë","phone":"+14155550103"}', 'application/json; charset="UTF-8"')).statusCode).toBe(201);
    expect((await send(`\ufeff{"name":"Bom","phone":"+14155550104"}`)).statusCode).toBe(201);
    expect(await stored()).toEqual(expect.arrayContaining(['Zoë', 'Bom']));
  });

  it('a member named __proto__ is 400 and says so, not "not valid JSON"', async () => {
    const res = await send('{"__proto__":{"x":1},"name":"a","phone":"+14155550105"}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: '/problems/bad-request', detail: 'A JSON member named __proto__, or constructor holding prototype, is not accepted' });
  });
});
