/**
 * What the fuzz suite checks on every answer, and how it sees the database.
 */
import { createHmac } from 'node:crypto';
import { apiKeys, appointments, calls, clients, resultRows, revokedTokens, users } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';
import { TEST_SECRET } from '../helpers.js';

export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** A digest of every row of the tables requests write, and of the second user's rows alone. */
export interface Snapshot {
  tables: Record<'users' | 'clients' | 'appointments' | 'revoked_tokens' | 'api_keys' | 'calls', string>;
  bob: string;
}

export async function snapshot(app: App, bobId: number): Promise<Snapshot> {
  const digest = (table: unknown, order: unknown) =>
    sql`(select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by ${order})), '-') from ${table} t)`;
  const mine = (table: unknown, column: string) =>
    sql`coalesce((select string_agg(t::text, '|' order by t.id) from ${table} t where t.${sql.raw(column)} = ${bobId}), '')`;
  const result = await app.db.execute(sql`select
    ${digest(users, sql`t.id`)} as users,
    ${digest(clients, sql`t.id`)} as clients,
    ${digest(appointments, sql`t.id`)} as appointments,
    ${digest(revokedTokens, sql`t.token_hash`)} as revoked_tokens,
    (select count(*) || ':' || coalesce(md5(string_agg((t.id, t.user_id, t.name, t.prefix, t.key_hash, t.revoked_at)::text, '|' order by t.id)), '-') from ${apiKeys} t) as api_keys,
    ${digest(calls, sql`t.id`)} as calls,
    md5(${mine(users, 'id')} || '#' || ${mine(clients, 'owner_id')} || '#' || ${mine(appointments, 'owner_id')}) as bob`);
  const [row] = resultRows(result);
  if (!row) throw new Error('snapshot query returned nothing');
  return {
    tables: {
      users: String(row.users),
      clients: String(row.clients),
      appointments: String(row.appointments),
      revoked_tokens: String(row.revoked_tokens),
      // Without last_used_at: using a key is not a change of the key.
      api_keys: String(row.api_keys),
      calls: String(row.calls),
    },
    bob: String(row.bob),
  };
}

/**
 * A mark that moves whenever a transaction ends, and so whenever a row may have changed (a change
 * of a row needs a transaction id): the first transaction id not yet completed. Unmoved across a
 * request, the request changed nothing, and a snapshot taken before it still holds. (On a shared
 * PostgreSQL server other databases' transactions move it too: then the snapshot is taken again.)
 */
export async function writeMark(app: App): Promise<string> {
  const [row] = resultRows(await app.db.execute(sql`select pg_snapshot_xmax(pg_current_snapshot())::text as mark`));
  if (!row) throw new Error('write mark query returned nothing');
  return String(row.mark);
}

/** The tables whose rows differ between two snapshots. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return (Object.keys(before.tables) as (keyof Snapshot['tables'])[]).filter((table) => before.tables[table] !== after.tables[table]);
}

const clip = (text: string, max = 240) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

/** One line naming a request and its answer, short enough for a failure report. */
export function summary(request: InjectOptions, res: LightMyRequestResponse): string {
  const url = typeof request.url === 'string' ? request.url : JSON.stringify(request.url);
  return `${request.method} ${clip(url, 160)} → ${res.statusCode} ${String(res.headers['content-type'] ?? '')} ${clip(res.body)}`;
}

interface ProblemShape {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/**
 * Every answer: never 5xx; every 4xx an RFC 9457 problem (type, title, status equal to the HTTP
 * status, detail a string); 401 with `WWW-Authenticate: Bearer`; 422 with `errors[]`; 429 with
 * `Retry-After`; no hash or secret anywhere.
 */
export function assertWellFormed(request: InjectOptions, res: LightMyRequestResponse): void {
  const where = summary(request, res);
  if (res.statusCode >= 500) throw new Error(`server error: ${where}`);
  if (res.statusCode < 200) throw new Error(`unexpected status: ${where}`);
  // Echoed input is fine (a note may say "hashed_password"); a field of that name or a hash is not.
  for (const leak of [/"hashed_password"\s*:/, /"hashedPassword"\s*:/, /\$argon2(?:id|i|d)\$v=\d+\$m=\d+/, /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/]) {
    if (leak.test(res.body)) throw new Error(`answer leaks ${String(leak)}: ${where}`);
  }
  if (res.body.includes(TEST_SECRET)) throw new Error(`answer leaks the secret key: ${where}`);
  if (res.statusCode < 400) return;
  if (res.headers['content-type'] !== PROBLEM_JSON) throw new Error(`a ${res.statusCode} that is not application/problem+json: ${where}`);
  let body: ProblemShape;
  try {
    body = JSON.parse(res.body) as ProblemShape;
  } catch {
    throw new Error(`problem body is not JSON: ${where}`);
  }
  if (typeof body !== 'object' || body === null) throw new Error(`problem body is not an object: ${where}`);
  if (typeof body.type !== 'string' || typeof body.title !== 'string' || typeof body.detail !== 'string') {
    throw new Error(`problem lacks a string type/title/detail: ${where}`);
  }
  if (body.status !== res.statusCode) throw new Error(`problem status ${String(body.status)} differs from HTTP ${res.statusCode}: ${where}`);
  if (res.statusCode === 401 && !/^Bearer\b/.test(String(res.headers['www-authenticate'] ?? ''))) {
    throw new Error(`401 without WWW-Authenticate: Bearer: ${where}`);
  }
  if (res.statusCode === 422) {
    const errors = body.errors;
    const ok =
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every((e: unknown) => typeof e === 'object' && e !== null && typeof (e as { path?: unknown }).path === 'string' && typeof (e as { message?: unknown }).message === 'string');
    if (!ok) throw new Error(`422 without errors[{path, message}]: ${where}`);
  }
  if (res.statusCode === 429 && !res.headers['retry-after']) throw new Error(`429 without Retry-After: ${where}`);
}

/** An HS256-shaped JWT over any header and claims, signed with `key` by `hash` (or unsigned). */
export function forgeToken(header: unknown, claims: unknown, key: string | null = TEST_SECRET, hash = 'sha256'): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = key === null ? '' : createHmac(hash, key).update(input).digest('base64url');
  return `${input}.${signature}`;
}
