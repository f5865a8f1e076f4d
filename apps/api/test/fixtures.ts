import { appointments, clients } from '@agentcaller/db';
import { and, count, eq, lt, ne } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { App } from '../src/app.js';
import { bearer, login, register } from './helpers.js';

export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
export const JSON_UTF8 = 'application/json; charset=utf-8';
/** An output instant: UTC, `Z`, milliseconds. */
export const UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Caller {
  id: number;
  email: string;
  token: string;
  /** Sends a request as this user; a body (when given) is sent as JSON. */
  send(method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

export async function signUp(app: App, email: string): Promise<Caller> {
  const { id } = await register(app, email);
  const token = await login(app, email);
  return {
    id,
    email,
    token,
    send: (method, url, body) =>
      app.inject(
        body === undefined
          ? { method, url, headers: bearer(token) }
          : { method, url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(body) },
      ),
  };
}

export interface WireClient {
  id: number;
  name: string;
  phone: string;
  created_at: string;
}

export interface WireAppointment {
  id: number;
  client_id: number;
  starts_at: string;
  ends_at: string;
  notes: string | null;
  notes_truncated: boolean;
  status: string;
  client: { id: number; name: string; phone: string };
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
  conflicting_appointment_id?: number;
}

/** The answer is a problem of this status and type (RFC 9457, our media type); its body, to look further. */
export function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json<T>(): T }, status: number, type: string): ProblemBody {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe(PROBLEM_JSON);
  const body = res.json<ProblemBody>();
  expect(body.type).toBe(type);
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  return body;
}

/** A 422 validation problem whose `errors` name `path` (JSON Pointer), each with a message. */
export function expect422At(res: Parameters<typeof expectProblem>[0], path: string): void {
  const body = expectProblem(res, 422, '/problems/validation');
  expect(body.title).toBe('Unprocessable Entity');
  expect(body.errors?.map((e) => e.path)).toContain(path);
  for (const e of body.errors ?? []) expect(typeof e.message).toBe('string');
}

export async function makeClient(user: Caller, name: string, phone = '+14155550123'): Promise<WireClient> {
  const res = await user.send('POST', '/v1/clients', { name, phone });
  if (res.statusCode !== 201) throw new Error(`create client failed: ${res.statusCode} ${res.body}`);
  return res.json<WireClient>();
}

export async function makeAppointment(
  user: Caller,
  clientId: number,
  startsAt: string,
  endsAt: string,
  notes?: string | null,
): Promise<WireAppointment> {
  const body: Record<string, unknown> = { client_id: clientId, starts_at: startsAt, ends_at: endsAt };
  if (notes !== undefined) body.notes = notes;
  const res = await user.send('POST', '/v1/appointments', body);
  if (res.statusCode !== 201) throw new Error(`create appointment failed: ${res.statusCode} ${res.body}`);
  return res.json<WireAppointment>();
}

export async function clientRow(app: App, id: number) {
  const [row] = await app.db.select().from(clients).where(eq(clients.id, id));
  return row;
}

export async function appointmentRow(app: App, id: number) {
  const [row] = await app.db.select().from(appointments).where(eq(appointments.id, id));
  return row;
}

export async function countClients(app: App, ownerId?: number): Promise<number> {
  const [row] = await app.db
    .select({ n: count() })
    .from(clients)
    .where(ownerId === undefined ? undefined : eq(clients.ownerId, ownerId));
  return row?.n ?? -1;
}

export async function countAppointments(app: App, ownerId?: number): Promise<number> {
  const [row] = await app.db
    .select({ n: count() })
    .from(appointments)
    .where(ownerId === undefined ? undefined : eq(appointments.ownerId, ownerId));
  return row?.n ?? -1;
}

/** Every pair of one owner's appointments whose half-open intervals overlap (should be none). */
export async function overlappingPairs(app: App): Promise<{ a: number; b: number }[]> {
  const x = alias(appointments, 'x');
  const y = alias(appointments, 'y');
  return app.db
    .select({ a: x.id, b: y.id })
    .from(x)
    .innerJoin(y, and(eq(x.ownerId, y.ownerId), lt(x.id, y.id), lt(x.startsAt, y.endsAt), lt(y.startsAt, x.endsAt)))
    // Cancelled appointments do not hold their time (the no-overlap rule counts the others only).
    .where(and(ne(x.status, 'cancelled'), ne(y.status, 'cancelled')));
}

/** An instant `minutes` after `base` (an ISO string), as the API prints it. */
export function plusMinutes(base: string, minutes: number): string {
  return new Date(new Date(base).getTime() + minutes * 60_000).toISOString();
}
