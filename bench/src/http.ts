// Single requests the phases make before they are timed: a checked answer, a sign-in, and the
// request shapes they cycle through.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { PASSWORD } from './dataset.js';
import type { RequestShape } from './load.js';
import type { Server } from './processes.js';

/**
 * One request on a connection of its own (closed after the answer): these calls come between
 * long phases, and a pooled keep-alive socket may have been closed by the API meanwhile.
 */
async function call(server: Server, shape: RequestShape): Promise<{ status: number; body: unknown }> {
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const headers = shape.body === undefined ? shape.headers : { ...shape.headers, 'content-length': String(Buffer.byteLength(shape.body)) };
    const req = request(`${server.url}${shape.path}`, { method: shape.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      const exited = server.child.exitCode ?? server.child.signalCode;
      reject(new Error(`${server.name}: ${shape.method ?? 'GET'} ${shape.path} failed (${err.message})` + (exited !== null ? `; it exited (${exited}):\n${server.output().slice(-2000)}` : '')));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.end(shape.body);
  });
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the failure message
  }
  return { status, body };
}

/** A request that must answer `status` and a body that passes `check` before a phase is timed. */
export async function sanity<T>(server: Server, phase: string, shape: RequestShape, status: number, check: (body: T) => boolean) {
  const { status: got, body } = await call(server, shape);
  if (got !== status || !check(body as T)) {
    throw new Error(`${phase}: ${shape.method ?? 'GET'} ${shape.path} answered ${got} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

const loginForm = (email: string) => `username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Sign-ups with a new email each time (a tag per run, so a reused database takes them too). */
export function registrations(): () => RequestShape {
  const tag = randomBytes(4).toString('hex');
  let n = 0;
  return () => ({
    method: 'POST',
    path: '/v1/auth/register',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `reg-${tag}-${n++}@example.com`, password: PASSWORD }),
  });
}

/** Sign-ins of `users` in turn. */
export function logins(users: (n: number) => string, count: number): () => RequestShape {
  let n = 0;
  return () => ({ method: 'POST', path: '/v1/auth/login', headers: FORM, body: loginForm(users(n++ % count)) });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function signIn(server: Server, email: string): Promise<string> {
  const { status, body } = await call(server, { method: 'POST', path: '/v1/auth/login', headers: FORM, body: loginForm(email) });
  const token = (body as { access_token?: unknown }).access_token;
  if (status !== 200 || typeof token !== 'string') throw new Error(`sign-in of ${email} answered ${status} ${JSON.stringify(body)}`);
  return token;
}

/** A new API key of the token's user (a random name: a reused database keeps the earlier ones). */
export async function createApiKey(server: Server, token: string): Promise<string> {
  const name = `bench ${randomBytes(6).toString('hex')}`;
  const { status, body } = await call(server, { method: 'POST', path: '/v1/api-keys', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  const key = (body as { key?: unknown }).key;
  if (status !== 201 || typeof key !== 'string') throw new Error(`creating an API key answered ${status} ${JSON.stringify(body)}`);
  return key;
}

/** The items in turn, forever. */
export function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}
