// Single requests the phases make before they are timed: a checked answer, a sign-in, and the
// request shapes they cycle through.
import { PASSWORD } from './dataset.js';
import type { RequestShape } from './load.js';
import type { Server } from './processes.js';

async function call(server: Server, shape: RequestShape): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${shape.path}`, {
    method: shape.method ?? 'GET',
    headers: shape.headers,
    body: shape.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the failure message
  }
  return { status: response.status, body };
}

/** A request that must answer `status` and a body that passes `check` before a phase is timed. */
export async function sanity<T>(server: Server, phase: string, shape: RequestShape, status: number, check: (body: T) => boolean) {
  const { status: got, body } = await call(server, shape);
  if (got !== status || !check(body as T)) {
    throw new Error(`${phase}: ${shape.method ?? 'GET'} ${shape.path} answered ${got} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

export const loginForm = (email: string) => `username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`;
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function signIn(server: Server, email: string): Promise<string> {
  const { status, body } = await call(server, { method: 'POST', path: '/v1/auth/login', headers: FORM, body: loginForm(email) });
  const token = (body as { access_token?: unknown }).access_token;
  if (status !== 200 || typeof token !== 'string') throw new Error(`sign-in of ${email} answered ${status} ${JSON.stringify(body)}`);
  return token;
}

/** The items in turn, forever. */
export function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}
