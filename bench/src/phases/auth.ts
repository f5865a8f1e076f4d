// The authentication phases: GET /v1/auth/me with tokens in turn, then the sign-in and
// registration floods (argon2-bound) with /health probed meanwhile.
import { randomBytes } from 'node:crypto';
import { PASSWORD, calendarUser } from '../dataset.js';
import { bearer, cycle, FORM, loginForm, sanity } from '../http.js';
import { measure } from '../measure.js';
import type { RequestShape } from '../load.js';
import { runs } from '../options.js';
import type { LoadedApi } from './api-load.js';

export async function measureAuth(loaded: LoadedApi): Promise<void> {
  const { harness, api, meter, sampler, tokens, tokenUsers } = loaded;
  const { options } = harness;

  if (runs(options, 'me')) {
    const nextToken = cycle(tokens);
    await sanity(api, 'me', { path: '/v1/auth/me', headers: bearer(tokens[0]!) }, 200, (b: { email?: string }) => b.email === tokenUsers[0]);
    const next = () => ({ path: '/v1/auth/me', headers: bearer(nextToken()) });
    await measure(harness, { name: 'me', title: 'GET /v1/auth/me', server: api, connections: options.fastConnections, next, meter, sampler });
  }

  if (runs(options, 'login')) {
    let n = 0;
    const users = options.dataset.calendarUsers;
    const next = (): RequestShape => ({ method: 'POST', path: '/v1/auth/login', headers: FORM, body: loginForm(calendarUser((n++ % users) + 1)) });
    await sanity(api, 'login', next(), 200, (b: { access_token?: string }) => typeof b.access_token === 'string');
    await measure(harness, { name: 'login', title: 'POST /v1/auth/login', server: api, connections: options.authConnections, next, meter, sampler, health: true });
  }

  if (runs(options, 'register')) {
    const tag = randomBytes(4).toString('hex');
    let n = 0;
    const next = (): RequestShape => ({
      method: 'POST',
      path: '/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `reg-${tag}-${n++}@example.com`, password: PASSWORD }),
    });
    await sanity(api, 'register', next(), 201, (b: { id?: number }) => typeof b.id === 'number');
    await measure(harness, { name: 'register', title: 'POST /v1/auth/register', server: api, connections: options.authConnections, next, meter, sampler, health: true });
  }
}
