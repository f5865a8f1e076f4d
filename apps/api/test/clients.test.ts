import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import {
  appointmentRow,
  clientRow,
  countAppointments,
  countClients,
  JSON_UTF8,
  makeAppointment,
  makeClient,
  expect422At,
  expectProblem as problemOfType,
  signUp,
  UTC_MS,
  type Caller,
  type ProblemBody,
  type WireClient,
} from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
});
afterAll(() => ctx.close());

type Page = { items: WireClient[]; total: number; limit: number; offset: number };

/** The problem type each status has in these tests (PROBLEM_TYPES in the contracts). */
const TYPE_OF_STATUS: Record<number, string> = {
  400: '/problems/bad-request',
  401: '/problems/unauthorized',
  404: '/problems/not-found',
  405: '/problems/method-not-allowed',
  409: '/problems/email-taken',
  413: '/problems/payload-too-large',
  422: '/problems/validation',
};

/** The problem of this status, with the one `type` the API gives that status in these routes. */
const expectProblem = (res: Parameters<typeof problemOfType>[0], status: number): ProblemBody => problemOfType(res, status, TYPE_OF_STATUS[status]!);

const list = async (user: Caller, query = '') => {
  const res = await user.send('GET', `/v1/clients${query}`);
  expect(res.statusCode).toBe(200);
  return res.json<Page>();
};

describe('authentication', () => {
  it.each([
    ['GET', '/v1/clients'],
    ['POST', '/v1/clients'],
    ['GET', '/v1/clients/1'],
    ['PATCH', '/v1/clients/1'],
    ['DELETE', '/v1/clients/1'],
  ] as const)('%s %s without a bearer token is 401 and changes nothing', async (method, url) => {
    const before = await countClients(ctx.app);
    const res = await ctx.app.inject({
      method,
      url,
      ...(method === 'POST' || method === 'PATCH'
        ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'Sneaky', phone: '+14155550123' }) }
        : {}),
    });
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(await countClients(ctx.app)).toBe(before);
  });

  it('a garbage bearer token is 401', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/clients', headers: { authorization: 'Bearer not.a.token' } });
    expectProblem(res, 401);
  });
});

describe('POST /v1/clients', () => {
  it('creates a client: 201, exact shape, national number read as US and returned in E.164, stored for the caller', async () => {
    const res = await alice.send('POST', '/v1/clients', { name: 'Ada Lovelace', phone: '(415) 555-0123' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const body = res.json<WireClient>();
    expect(Object.keys(body)).toEqual(['id', 'name', 'phone', 'created_at']);
    expect(body).toMatchObject({ name: 'Ada Lovelace', phone: '+14155550123' });
    expect(Number.isInteger(body.id) && body.id > 0).toBe(true);
    expect(body.created_at).toMatch(UTC_MS);
    expect(Math.abs(Date.parse(body.created_at) - Date.now())).toBeLessThan(60_000);
    const row = await clientRow(ctx.app, body.id);
    expect(row).toMatchObject({ id: body.id, name: 'Ada Lovelace', phone: '+14155550123', ownerId: alice.id });
    expect(row?.createdAt.toISOString()).toBe(body.created_at);
  });

  it('GET /v1/clients/{id} answers the same shape', async () => {
    const created = await makeClient(alice, 'Grace Hopper', '+1 212 555 0199');
    const res = await alice.send('GET', `/v1/clients/${created.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<WireClient>();
    expect(Object.keys(body)).toEqual(['id', 'name', 'phone', 'created_at']);
    expect(body).toEqual(created);
  });

  it.each([
    ['E.164 kept', '+14155550123', '+14155550123'],
    ['international with spaces', '+44 20 7946 0018', '+442079460018'],
    ['dots and dashes', '415.555.0123', '+14155550123'],
    ['leading and trailing spaces', '  +1 415-555-0123  ', '+14155550123'],
  ])('phone %s → %s', async (_name, phone, e164) => {
    const res = await alice.send('POST', '/v1/clients', { name: `Phone ${phone}`, phone });
    expect(res.statusCode).toBe(201);
    const body = res.json<WireClient>();
    expect(body.phone).toBe(e164);
    expect((await clientRow(ctx.app, body.id))?.phone).toBe(e164);
  });

  it('trims the name and keeps inner spaces and any script', async () => {
    const res = await alice.send('POST', '/v1/clients', { name: '  Émile  Zola 東京  ', phone: '+14155550123' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Émile  Zola 東京' });
    expect((await clientRow(ctx.app, res.json<WireClient>().id))?.name).toBe('Émile  Zola 東京');
  });

  it('accepts a name of exactly 255 characters', async () => {
    const name = 'n'.repeat(255);
    const res = await alice.send('POST', '/v1/clients', { name, phone: '+14155550123' });
    expect(res.statusCode).toBe(201);
    expect((await clientRow(ctx.app, res.json<WireClient>().id))?.name).toBe(name);
  });

  it('the 255-character limit applies to the trimmed name (surrounding spaces do not count)', async () => {
    const name = 'm'.repeat(255);
    const res = await alice.send('POST', '/v1/clients', { name: `  ${name}  `, phone: '+14155550123' });
    expect(res.statusCode).toBe(201);
    expect(res.json<WireClient>().name).toBe(name);
    expect((await clientRow(ctx.app, res.json<WireClient>().id))?.name).toBe(name);
  });

  it('counts characters, not UTF-16 units: 255 emoji are accepted', async () => {
    const name = '😀'.repeat(255);
    const res = await alice.send('POST', '/v1/clients', { name, phone: '+14155550123' });
    expect(res.statusCode).toBe(201);
    expect((await clientRow(ctx.app, res.json<WireClient>().id))?.name).toBe(name);
  });

  it('ignores unknown fields, including an attempt to pick the owner or the id', async () => {
    const res = await alice.send('POST', '/v1/clients', { name: 'Owner Trick', phone: '+14155550123', owner_id: bob.id, id: 424242 });
    expect(res.statusCode).toBe(201);
    const body = res.json<WireClient>();
    expect(Object.keys(body)).toEqual(['id', 'name', 'phone', 'created_at']);
    expect(body.id).not.toBe(424242);
    expect((await clientRow(ctx.app, body.id))?.ownerId).toBe(alice.id);
    expect(await clientRow(ctx.app, 424242)).toBeUndefined();
  });

  it('a national number in DEFAULT_PHONE_REGION=US is not a UK number', async () => {
    const before = await countClients(ctx.app);
    const res = await alice.send('POST', '/v1/clients', { name: 'London', phone: '020 7946 0018' });
    expect422At(res, '/phone');
    expect(await countClients(ctx.app)).toBe(before);
  });

  describe('bad names', () => {
    it.each([
      ['empty', ''],
      ['blank after trimming', '   '],
      ['256 characters', 'x'.repeat(256)],
      ['256 emoji', '😀'.repeat(256)],
      ['256 characters inside spaces', `  ${'x'.repeat(256)}  `],
      ['2000 characters', 'x'.repeat(2000)],
      ['a newline', 'Ada\nLovelace'],
      ['a carriage return', 'Ada\rLovelace'],
      ['a tab', 'Ada\tLovelace'],
      ['a NUL', 'Ada\u0000Lovelace'],
      ['a DEL', 'Ada\u007f'],
      ['a next-line control (U+0085)', 'Ada\u0085Lovelace'],
      ['a Unicode line separator (U+2028)', 'Ada\u2028Lovelace'],
      ['a Unicode paragraph separator (U+2029)', 'Ada\u2029Lovelace'],
    ])('%s is 422 at /name and nothing is stored', async (_label, name) => {
      const before = await countClients(ctx.app);
      const res = await alice.send('POST', '/v1/clients', { name, phone: '+14155550123' });
      expect422At(res, '/name');
      expect(await countClients(ctx.app)).toBe(before);
    });
  });

  describe('bad phones', () => {
    it.each([
      ['too short', '12'],
      ['a US local number without area code', '555-0123'],
      ['letters', 'call me maybe'],
      ['a NUL', '+1415555\u00000123'],
      ['65 characters', '1'.repeat(65)],
      ['empty', ''],
      ['blank', '   '],
      ['an unassigned country code', '+999 1234 5678'],
      ['a newline', '+1415555\n0123'],
      // E.164 cannot hold an extension: stored without it, the number would be another one.
      ['an extension', '+1 (212) 555-7788 ext. 12'],
      ['an extension after x', '+12125557788x12'],
    ])('%s is 422 at /phone and nothing is stored', async (_label, phone) => {
      const before = await countClients(ctx.app);
      const res = await alice.send('POST', '/v1/clients', { name: 'Bad Phone', phone });
      expect422At(res, '/phone');
      expect(await countClients(ctx.app)).toBe(before);
    });
  });

  describe('wrong types and shapes', () => {
    it.each([
      ['number as name', { name: 123, phone: '+14155550123' }, '/name'],
      ['number as phone (no coercion)', { name: 'Num', phone: 14155550123 }, '/phone'],
      ['null name', { name: null, phone: '+14155550123' }, '/name'],
      ['array as phone', { name: 'Arr', phone: ['+14155550123'] }, '/phone'],
      ['missing name', { phone: '+14155550123' }, '/name'],
      ['missing phone', { name: 'No Phone' }, '/phone'],
      ['an array body', [{ name: 'A', phone: '+14155550123' }], ''],
      ['a string body', 'Ada', ''],
    ])('%s is 422 naming %s', async (_label, body, path) => {
      const before = await countClients(ctx.app);
      const res = await alice.send('POST', '/v1/clients', body);
      expect422At(res, path);
      expect(await countClients(ctx.app)).toBe(before);
    });

    it('malformed JSON is 400', async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/clients',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        payload: '{"name": "Ada", "phone": ',
      });
      expect(expectProblem(res, 400)).toEqual({
        type: '/problems/bad-request',
        title: 'Bad Request',
        status: 400,
        detail: 'The request body is not valid JSON',
      });
    });

    it('a text/plain body is 400', async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/clients',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' },
        payload: 'name=Ada',
      });
      expect(expectProblem(res, 400).detail).toBe('Unsupported content type for this route: send application/json');
    });

    it('an empty JSON body is 400', async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/clients',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      });
      expectProblem(res, 400);
    });
  });
});

describe('DEFAULT_PHONE_REGION=GB', () => {
  let gb: TestContext;
  beforeAll(async () => {
    gb = await startApp({ env: { DEFAULT_PHONE_REGION: 'GB' } });
  });
  afterAll(() => gb.close());

  it('reads a national number as British and still keeps E.164 input', async () => {
    const user = await signUp(gb.app, 'uk@example.com');
    const res = await user.send('POST', '/v1/clients', { name: 'London Office', phone: '020 7946 0018' });
    expect(res.statusCode).toBe(201);
    const body = res.json<WireClient>();
    expect(body.phone).toBe('+442079460018');
    expect((await clientRow(gb.app, body.id))?.phone).toBe('+442079460018');
    const us = await user.send('POST', '/v1/clients', { name: 'SF Office', phone: '+1 415 555 0123' });
    expect(us.statusCode).toBe(201);
    expect(us.json<WireClient>().phone).toBe('+14155550123');
    // A US national number means nothing in the UK.
    const national = await user.send('POST', '/v1/clients', { name: 'SF national', phone: '(415) 555-0123' });
    expect422At(national, '/phone');
  });
});

describe('GET /v1/clients paging', () => {
  let paged: Caller;
  beforeAll(async () => {
    paged = await signUp(ctx.app, 'paged@example.com');
    for (let i = 0; i < 25; i++) await makeClient(paged, `Client ${String(i).padStart(2, '0')}`);
  });

  it('answers the page shape with the default limit of 20', async () => {
    const res = await paged.send('GET', '/v1/clients');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const page = res.json<Page>();
    expect(Object.keys(page)).toEqual(['items', 'total', 'limit', 'offset']);
    expect(page.total).toBe(25);
    expect(page.limit).toBe(20);
    expect(page.offset).toBe(0);
    expect(page.items).toHaveLength(20);
    expect(Object.keys(page.items[0]!)).toEqual(['id', 'name', 'phone', 'created_at']);
    expect(page.items.map((c) => c.name)).toEqual(Array.from({ length: 20 }, (_, i) => `Client ${String(i).padStart(2, '0')}`));
  });

  it('limit and offset select the rest, pages do not overlap', async () => {
    const first = await list(paged, '?limit=10&offset=0');
    const second = await list(paged, '?limit=10&offset=10');
    const third = await list(paged, '?limit=10&offset=20');
    expect([first.items.length, second.items.length, third.items.length]).toEqual([10, 10, 5]);
    expect(third).toMatchObject({ total: 25, limit: 10, offset: 20 });
    const ids = [...first.items, ...second.items, ...third.items].map((c) => c.id);
    expect(new Set(ids).size).toBe(25);
    expect(ids).toEqual((await list(paged, '?limit=100')).items.map((c) => c.id));
  });

  it.each(['?offset=25', '?offset=1000', '?limit=100&offset=999999'])('%s past the end is an empty page with the right total', async (query) => {
    const page = await list(paged, query);
    expect(page.items).toEqual([]);
    expect(page.total).toBe(25);
  });

  it('limit 1 and 100 are accepted', async () => {
    expect((await list(paged, '?limit=1')).items).toHaveLength(1);
    const all = await list(paged, '?limit=100');
    expect(all.items).toHaveLength(25);
    expect(all.limit).toBe(100);
  });

  it.each([
    ['?limit=0', '/limit'],
    ['?limit=101', '/limit'],
    ['?limit=-1', '/limit'],
    ['?limit=abc', '/limit'],
    ['?limit=1.5', '/limit'],
    ['?offset=-1', '/offset'],
    ['?offset=abc', '/offset'],
  ])('%s is 422 at %s', async (query, path) => {
    expect422At(await paged.send('GET', `/v1/clients${query}`), path);
  });
});

describe('GET /v1/clients ordering', () => {
  let sorter: Caller;
  beforeAll(async () => {
    sorter = await signUp(ctx.app, 'sorter@example.com');
    // Inserted so that id order, plain byte order and case-insensitive order all differ.
    for (const name of ['bob', 'alice', 'Zoe', 'Alice', 'Émile', 'Bob']) await makeClient(sorter, name);
  });

  it('orders by name case-insensitively (code-point order), then by id', async () => {
    const page = await list(sorter);
    expect(page.items.map((c) => c.name)).toEqual(['alice', 'Alice', 'bob', 'Bob', 'Zoe', 'Émile']);
    const ids = page.items.map((c) => c.id);
    // Equal names (ignoring case) come in id order.
    expect(ids[0]!).toBeLessThan(ids[1]!);
    expect(ids[2]!).toBeLessThan(ids[3]!);
  });

  it('the order is stable across pages', async () => {
    const names: string[] = [];
    for (let offset = 0; offset < 6; offset += 2) names.push(...(await list(sorter, `?limit=2&offset=${offset}`)).items.map((c) => c.name));
    expect(names).toEqual(['alice', 'Alice', 'bob', 'Bob', 'Zoe', 'Émile']);
  });
});

describe('GET /v1/clients?q=', () => {
  let searcher: Caller;
  beforeAll(async () => {
    searcher = await signUp(ctx.app, 'searcher@example.com');
    await makeClient(searcher, 'Ann Archer', '+14155550123');
    await makeClient(searcher, 'Ben Baker', '+14155559876');
    await makeClient(searcher, 'Cat Cooper', '+442079460018');
    await makeClient(searcher, '100% Real', '+12125550100');
    await makeClient(searcher, 'under_score', '+12125550101');
    await makeClient(searcher, 'back\\slash', '+12125550102');
    await makeClient(searcher, 'Room 101', '+12125550177');
    await makeClient(searcher, 'Émile Éclair', '+12125550188');
  });

  const names = async (q: string) => {
    const page = await list(searcher, `?q=${encodeURIComponent(q)}`);
    expect(page.total).toBe(page.items.length);
    return page.items.map((c) => c.name);
  };

  it.each([
    ['ann', ['Ann Archer']],
    ['ARCH', ['Ann Archer']],
    ['bAkEr', ['Ben Baker']],
    ['er', ['Ann Archer', 'Ben Baker', 'Cat Cooper', 'under_score']],
    ['éclair', ['Émile Éclair']],
    ['ÉMILE', ['Émile Éclair']],
    ['  ben  ', ['Ben Baker']],
  ])('q=%j matches any part of the name in any case', async (q, expected) => {
    expect(await names(q)).toEqual(expected);
  });

  it.each([
    ['555 012', ['Ann Archer']],
    ['555 01', ['100% Real', 'Ann Archer', 'back\\slash', 'Room 101', 'under_score', 'Émile Éclair']],
    ['4155', ['Ann Archer', 'Ben Baker']],
    ['(415) 555-0123', ['Ann Archer']],
    ['+44', ['Cat Cooper']],
    ['7946-0018', ['Cat Cooper']],
    ['212.555.01', ['100% Real', 'back\\slash', 'Room 101', 'under_score', 'Émile Éclair']],
  ])('q=%j matches any part of the phone digits', async (q, expected) => {
    expect(await names(q)).toEqual(expected);
  });

  it('digits also match the name', async () => {
    // 'Room 101' by its name; '100% Real' by its phone (…5550100 has no "101") is not matched.
    expect(await names('101')).toEqual(['Room 101', 'under_score']);
  });

  it.each([
    ['%', ['100% Real']],
    ['0% r', ['100% Real']],
    ['_', ['under_score']],
    ['r_s', ['under_score']],
    ['\\', ['back\\slash']],
    ['k\\s', ['back\\slash']],
  ])('LIKE metacharacters are literal: q=%j', async (q, expected) => {
    expect(await names(q)).toEqual(expected);
  });

  it.each(['zzz', 'Ann Baker', '999999', '%%%', '__________________'])('q=%j matches nothing: empty page, total 0', async (q) => {
    const page = await list(searcher, `?q=${encodeURIComponent(q)}`);
    expect(page).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
  });

  it('an empty or blank q is no filter', async () => {
    expect((await list(searcher, '?q=')).total).toBe(8);
    expect((await list(searcher, '?q=%20%20')).total).toBe(8);
  });

  it('q with paging: total counts every match, items the page', async () => {
    const page = await list(searcher, `?q=er&limit=2&offset=1`);
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.items.map((c) => c.name)).toEqual(['Ben Baker', 'Cat Cooper']);
  });

  it.each([
    ['er', 4],
    ['555 01', 6],
    ['101', 2],
  ])('q=%j on a page past the end: no items, the total of every match (name, or name and phone)', async (q, total) => {
    expect(await list(searcher, `?q=${encodeURIComponent(q)}&offset=50`)).toEqual({ items: [], total, limit: 20, offset: 50 });
  });

  it.each([
    ['a NUL', '?q=a%00b'],
    ['256 characters', `?q=${'a'.repeat(256)}`],
  ])('q with %s is 422 at /q', async (_label, query) => {
    expect422At(await searcher.send('GET', `/v1/clients${query}`), '/q');
  });

  it("never shows another user's clients", async () => {
    expect(await list(bob, '?q=Ann%20Archer')).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    expect((await list(bob, '?q=4155555')).total).toBe(0);
  });
});

describe('GET /v1/clients?q= takes every character literally', () => {
  // The name search is a prefix query over the name's suffixes (a tsquery): none of q's characters
  // may be read as its syntax (& | ! : * ( ) < - > \\ '), nor change what it matches.
  let quoter: Caller;
  const NAMES = ["O'Brien & Sons", 'a|b', '!bang', 'c:*d', '(paren)', 'x<->y', 'back\\\\slash', 'Zoë  Two'];
  beforeAll(async () => {
    quoter = await signUp(ctx.app, 'quoter@example.com');
    for (const [i, name] of NAMES.entries()) await makeClient(quoter, name, `+1212555${String(1000 + i)}`);
  });

  const names = async (q: string) => (await list(quoter, `?q=${encodeURIComponent(q)}`)).items.map((c) => c.name);

  it.each([
    ["o'b", ["O'Brien & Sons"]],
    ["'", ["O'Brien & Sons"]],
    ['& s', ["O'Brien & Sons"]],
    ['&', ["O'Brien & Sons"]],
    ['|', ['a|b']],
    ['a|', ['a|b']],
    ['!', ['!bang']],
    ['!b', ['!bang']],
    [':*', ['c:*d']],
    [':', ['c:*d']],
    ['*', ['c:*d']],
    ['(', ['(paren)']],
    ['n)', ['(paren)']],
    ['<->', ['x<->y']],
    ['\\\\s', ['back\\\\slash']],
    ['\\', ['back\\\\slash']],
    ['ë  t', ['Zoë  Two']],
    ['ë t', []],
    ["''", []],
    ['*:', []],
  ])('q=%j', async (q, expected) => {
    expect(await names(q)).toEqual(expected);
  });
});

describe("another user's client", () => {
  let secret: WireClient;
  let appointmentId: number;
  beforeAll(async () => {
    secret = await makeClient(alice, 'Alice Secret', '+14155550142');
    appointmentId = (await makeAppointment(alice, secret.id, '2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z')).id;
  });

  it('GET is 404 with the same body as a client that does not exist', async () => {
    const res = await bob.send('GET', `/v1/clients/${secret.id}`);
    const body = expectProblem(res, 404);
    expect(body).toEqual({ type: '/problems/not-found', title: 'Not Found', status: 404, detail: 'Client not found' });
    expect(res.body).not.toContain('Alice Secret');
    const missing = await bob.send('GET', '/v1/clients/2147483647');
    expect(missing.json()).toEqual(body);
  });

  it('PATCH is 404 and the row is unchanged', async () => {
    const res = await bob.send('PATCH', `/v1/clients/${secret.id}`, { name: 'Hijacked', phone: '+14155550143' });
    expectProblem(res, 404);
    expect(await clientRow(ctx.app, secret.id)).toMatchObject({ name: 'Alice Secret', phone: '+14155550142', ownerId: alice.id });
  });

  it('DELETE is 404 and neither the client nor its appointments are removed', async () => {
    const res = await bob.send('DELETE', `/v1/clients/${secret.id}`);
    expectProblem(res, 404);
    expect(await clientRow(ctx.app, secret.id)).toMatchObject({ id: secret.id, ownerId: alice.id });
    expect(await appointmentRow(ctx.app, appointmentId)).toMatchObject({ id: appointmentId, clientId: secret.id });
  });

  it('the owner still sees it', async () => {
    const res = await alice.send('GET', `/v1/clients/${secret.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(secret);
  });

  it("does not appear in the other user's list", async () => {
    const own = await makeClient(bob, 'Bob Own', '+14155550144');
    const page = await list(bob, '?limit=100');
    expect(page.items.map((c) => c.id)).toEqual([own.id]);
    expect(page.total).toBe(1);
  });
});

describe('PATCH /v1/clients/{id}', () => {
  let target: WireClient;
  beforeAll(async () => {
    target = await makeClient(alice, 'Patch Me', '+14155550111');
  });

  it('changes only the name', async () => {
    const res = await alice.send('PATCH', `/v1/clients/${target.id}`, { name: '  Patched Name ' });
    expect(res.statusCode).toBe(200);
    const body = res.json<WireClient>();
    expect(Object.keys(body)).toEqual(['id', 'name', 'phone', 'created_at']);
    expect(body).toEqual({ ...target, name: 'Patched Name' });
    expect(await clientRow(ctx.app, target.id)).toMatchObject({ name: 'Patched Name', phone: '+14155550111', ownerId: alice.id });
  });

  it('changes only the phone, reading a national number', async () => {
    const res = await alice.send('PATCH', `/v1/clients/${target.id}`, { phone: '(212) 555-0199' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...target, name: 'Patched Name', phone: '+12125550199' });
    expect(await clientRow(ctx.app, target.id)).toMatchObject({ name: 'Patched Name', phone: '+12125550199' });
  });

  it('changes both', async () => {
    const res = await alice.send('PATCH', `/v1/clients/${target.id}`, { name: 'Both', phone: '+442079460018' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...target, name: 'Both', phone: '+442079460018' });
    expect(await clientRow(ctx.app, target.id)).toMatchObject({ name: 'Both', phone: '+442079460018' });
  });

  it.each([
    ['an empty body', {}, ''],
    ['only unknown fields', { owner_id: 5 }, ''],
    ['a blank name', { name: '   ' }, '/name'],
    ['a null name', { name: null }, '/name'],
    ['a 256-character name', { name: 'y'.repeat(256) }, '/name'],
    ['a name with a newline', { name: 'a\nb' }, '/name'],
    ['a bad phone', { phone: '12' }, '/phone'],
    ['a numeric phone', { phone: 2125550199 }, '/phone'],
    ['a good name with a bad phone', { name: 'Half Good', phone: '555-0123' }, '/phone'],
  ])('%s is 422 at %s and the row is unchanged', async (_label, body, path) => {
    const before = await clientRow(ctx.app, target.id);
    expect422At(await alice.send('PATCH', `/v1/clients/${target.id}`, body), path);
    expect(await clientRow(ctx.app, target.id)).toEqual(before);
  });

  it('unknown fields cannot move the client to another owner', async () => {
    const res = await alice.send('PATCH', `/v1/clients/${target.id}`, { name: 'Still Mine', owner_id: bob.id, id: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json<WireClient>().id).toBe(target.id);
    expect(await clientRow(ctx.app, target.id)).toMatchObject({ id: target.id, name: 'Still Mine', ownerId: alice.id });
  });

  it('a client that does not exist is 404', async () => {
    expectProblem(await alice.send('PATCH', '/v1/clients/987654', { name: 'Ghost' }), 404);
    expect(await clientRow(ctx.app, 987654)).toBeUndefined();
  });

  it('bad JSON is 400 and the row is unchanged', async () => {
    const before = await clientRow(ctx.app, target.id);
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/v1/clients/${target.id}`,
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expectProblem(res, 400);
    expect(await clientRow(ctx.app, target.id)).toEqual(before);
  });
});

describe('DELETE /v1/clients/{id}', () => {
  it("answers 204 and removes the client and the client's appointments, not others'", async () => {
    const doomed = await makeClient(alice, 'Doomed', '+14155550166');
    const kept = await makeClient(alice, 'Kept', '+14155550167');
    const a1 = await makeAppointment(alice, doomed.id, '2027-01-04T09:00:00Z', '2027-01-04T10:00:00Z');
    const a2 = await makeAppointment(alice, doomed.id, '2027-01-05T09:00:00Z', '2027-01-05T10:00:00Z', 'second');
    const a3 = await makeAppointment(alice, kept.id, '2027-01-06T09:00:00Z', '2027-01-06T10:00:00Z');
    const before = await countAppointments(ctx.app, alice.id);

    const res = await alice.send('DELETE', `/v1/clients/${doomed.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    expect(await clientRow(ctx.app, doomed.id)).toBeUndefined();
    expect(await appointmentRow(ctx.app, a1.id)).toBeUndefined();
    expect(await appointmentRow(ctx.app, a2.id)).toBeUndefined();
    expect(await appointmentRow(ctx.app, a3.id)).toMatchObject({ id: a3.id, clientId: kept.id });
    expect(await countAppointments(ctx.app, alice.id)).toBe(before - 2);
    expect(await clientRow(ctx.app, kept.id)).toMatchObject({ name: 'Kept' });

    expectProblem(await alice.send('GET', `/v1/clients/${doomed.id}`), 404);
    expectProblem(await alice.send('GET', `/v1/appointments/${a1.id}`), 404);
    expectProblem(await alice.send('DELETE', `/v1/clients/${doomed.id}`), 404);
  });
});

describe('ids in the path', () => {
  it.each([
    ['abc', 422],
    ['0', 422],
    ['-1', 422],
    ['1.5', 422],
    ['99999999999', 422],
    ['2147483648', 422],
    ['2147483647', 404],
    ['876543', 404],
  ])('/v1/clients/%s is %i on GET, PATCH and DELETE', async (id, status) => {
    const before = await countClients(ctx.app);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await alice.send(method, `/v1/clients/${id}`, method === 'PATCH' ? { name: 'Whatever' } : undefined);
      const body = expectProblem(res, status);
      if (status === 422) expect(body.errors?.map((e) => e.path)).toContain('/id');
    }
    expect(await countClients(ctx.app)).toBe(before);
  });

  it('an unknown method on a known path is 405 with Allow, never 500', async () => {
    const res = await ctx.app.inject({ method: 'PUT', url: '/v1/clients/1', headers: { authorization: `Bearer ${alice.token}` } });
    expectProblem(res, 405);
    expect(res.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
  });
});
