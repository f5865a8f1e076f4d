// Calls against a spawned server (real HTTP), and the databases the fault tests run on.
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@agentcaller/db/testing';
import type { ServerProcess } from '../process.js';

/**
 * The PostgreSQL server of this machine and of CI. Tests that need PostgreSQL itself (a crash of
 * the API on it, two instances sharing one database) use it even in the run without DATABASE_URL:
 * that server is always there, so such a test never depends on which of the two runs it is in.
 */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh PostgreSQL database: on DATABASE_URL's server when it is PostgreSQL, else on LOCAL_POSTGRES. */
export function createPostgresDatabase(): Promise<TestDatabase> {
  const fromEnv = process.env.DATABASE_URL;
  return createTestDatabase(fromEnv && /^postgres(ql)?(\+[a-z0-9_]+)?:\/\//i.test(fromEnv) ? fromEnv : LOCAL_POSTGRES);
}

/** Unique per run and call: Redis and the PostgreSQL server outlive a run. */
export function uniqueEmail(label: string): string {
  return `${label}-${process.pid}-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
}

export const PASSWORD = 'correct horse battery';

const TIMEOUT = () => AbortSignal.timeout(10_000);

export async function register(server: ServerProcess, email: string, password = PASSWORD): Promise<{ id: number; email: string }> {
  const res = await fetch(`${server.url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: TIMEOUT(),
  });
  if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number; email: string };
}

/** The raw login answer (status and body), for tests that expect a refusal. */
export async function loginAttempt(server: ServerProcess, email: string, password: string): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const res = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password }).toString(),
    signal: TIMEOUT(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

export async function login(server: ServerProcess, email: string, password = PASSWORD): Promise<string> {
  const res = await loginAttempt(server, email, password);
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

export interface WireClient {
  id: number;
  name: string;
  phone: string;
  created_at: string;
}

/** Every client of the token's user, through GET /v1/clients page by page. */
export async function allClients(server: ServerProcess, token: string): Promise<Map<number, WireClient>> {
  const found = new Map<number, WireClient>();
  for (let offset = 0; ; offset += 100) {
    const res = await fetch(`${server.url}/v1/clients?limit=100&offset=${offset}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: TIMEOUT(),
    });
    if (res.status !== 200) throw new Error(`GET /v1/clients: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: WireClient[]; total: number };
    for (const item of page.items) found.set(item.id, item);
    if (page.items.length === 0 || offset + page.items.length >= page.total) {
      if (found.size !== page.total) throw new Error(`listed ${found.size} clients but total says ${page.total}`);
      return found;
    }
  }
}

export async function readyStatus(server: ServerProcess): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/ready`, { signal: TIMEOUT() });
  return { status: res.status, body: await res.json() };
}
