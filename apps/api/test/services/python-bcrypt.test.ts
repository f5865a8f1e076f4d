// The Python side's view of PASSWORD_HASH=bcrypt, checked with verifiers that are not ours:
// Debian's python3-passlib (what the original service used) and python3-bcrypt, run by
// /usr/bin/python3 (CI installs both: .ci/run). Every hash AgentCaller writes in this mode must
// verify there, and a legacy hash must stay verifiable after sign-ins here.
import { execFileSync } from 'node:child_process';
import { SEED_USERS } from '@agentcaller/db/seed-era';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, login, type TestContext } from '../helpers.js';
import { startOnSeedEra, storedHash } from '../seed-era.js';

const PYTHON = '/usr/bin/python3';
// Reads [[password, hash], ...] as JSON on stdin; prints, per pair, what passlib and bcrypt say.
const VERIFY = `
import json, sys
import bcrypt
from passlib.hash import bcrypt as passlib_bcrypt
pairs = json.load(sys.stdin)
print(json.dumps([[passlib_bcrypt.verify(p, h), bcrypt.checkpw(p.encode(), h.encode())] for p, h in pairs]))
`;

/** [passlib's answer, python-bcrypt's answer] for each (password, hash). */
function pythonVerifies(pairs: [string, string][]): [boolean, boolean][] {
  const out = execFileSync(PYTHON, ['-c', VERIFY], { input: JSON.stringify(pairs), encoding: 'utf8' });
  return JSON.parse(out) as [boolean, boolean][];
}

const [admin, ops] = SEED_USERS;
let ctx: TestContext;

const hashOf = (email: string) => storedHash(ctx, email);
const signIn = (email: string, password: string) => login(ctx.app, email, password);

beforeAll(async () => {
  ctx = await startOnSeedEra({ PASSWORD_HASH: 'bcrypt' });
});
afterAll(async () => {
  await ctx?.close();
});

describe('PASSWORD_HASH=bcrypt, seen by the Python service’s own verifiers', () => {
  it('the verifier is independent and discriminating: it accepts the original’s hash and refuses a wrong password', () => {
    expect(pythonVerifies([
      [admin.password, admin.hash],
      ['wrong password', admin.hash],
    ])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it('after sign-ins here, the legacy user still verifies there', async () => {
    await signIn('ADMIN@example.com', admin.password);
    expect(pythonVerifies([[admin.password, await hashOf(admin.email)]])).toEqual([[true, true]]);
  });

  it('a user registered here signs in there: $2b$12$, verified by passlib and bcrypt', async () => {
    const password = 'registered here ✓';
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'both@example.com', password }) })).statusCode).toBe(201);
    const hash = await hashOf('both@example.com');
    expect(hash.startsWith('$2b$12$')).toBe(true);
    expect(pythonVerifies([
      [password, hash],
      ['registered here', hash],
    ])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it('a password changed here is the one that works there, the old one no longer', async () => {
    const token = await signIn(ops.email, ops.password);
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/auth/me/password',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: JSON.stringify({ current_password: ops.password, new_password: 'changed on AgentCaller' }),
    });
    expect(res.statusCode).toBe(204);
    const hash = await hashOf(ops.email);
    expect(pythonVerifies([
      ['changed on AgentCaller', hash],
      [ops.password, hash],
    ])).toEqual([
      [true, true],
      [false, false],
    ]);
  });
});
