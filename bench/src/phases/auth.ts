// The authentication phases: GET /v1/auth/me with tokens in turn, the same with API keys, then the
// sign-in and registration floods (argon2-bound) with /health probed meanwhile.
import { availableParallelism } from 'node:os';
import { measureParallelHashing } from '../argon2-bound.js';
import { calendarUser } from '../dataset.js';
import { log } from '../harness.js';
import { INTERLEAVED_PAIRS, interleave } from '../interleave.js';
import { bearer, createApiKey, cycle, logins, registrations, sanity } from '../http.js';
import { measure, measurePaced } from '../measure.js';
import { runs } from '../options.js';
import type { LoadedApi } from './api-load.js';

/** API keys the api-key phase spreads its requests over (one per user). */
const API_KEYS = 10;

export async function measureAuth(loaded: LoadedApi): Promise<void> {
  const { harness, api, meter, sampler, tokens, tokenUsers } = loaded;
  const { options } = harness;

  if (runs(options, 'me')) {
    const nextToken = cycle(tokens);
    await sanity(api, 'me', { path: '/v1/auth/me', headers: bearer(tokens[0]!) }, 200, (b: { email?: string }) => b.email === tokenUsers[0]);
    const next = () => ({ path: '/v1/auth/me', headers: bearer(nextToken()) });
    await measure(harness, { name: 'me', title: 'GET /v1/auth/me', server: api, connections: options.fastConnections, next, meter, sampler });
    // The reference measured again, the same way, right after: /me is judged against the mean of
    // its phase before (on a machine without the API yet) and this one (evaluate.ts).
    const reference = harness.reference1Query;
    if (reference) {
      const title = 'GET /user (bare Fastify + 1 PostgreSQL query), again right after /me';
      await measure(harness, { name: 'baseline-db-after', title, server: reference.server, connections: options.fastConnections, next: reference.next, meter: reference.meter });
      // Then both again in alternating slices of an eighth of a phase: the figure judged (interleave.ts).
      const pairs = options.mode === 'smoke' ? 2 : INTERLEAVED_PAIRS;
      const result = await interleave({ server: api, next, meter }, reference, options.fastConnections, options.durationS / 8, Math.min(0.25, options.warmupS / 8), pairs);
      harness.interleaved = result;
      log(
        `me interleaved with the reference, ${pairs} slices each of ${result.sliceS} s: /me at ${result.ratios.map((r) => `${(r * 100).toFixed(1)}`).join(', ')} % of the reference either side; median ${(result.median * 100).toFixed(1)} %` +
          `; µs/req ${result.slices.map((s) => `${s.side === 'me' ? 'M' : 'R'}${s.processUsPerReq.toFixed(0)}`).join(' ')}; other side's CPU during slices ${Math.max(...result.slices.map((s) => s.otherMs)).toFixed(0)} ms at most`,
      );
    }
  }

  if (runs(options, 'api-key')) {
    // A program's request: an API key of each of the first users (found by prefix, compared by
    // hash, read from the database every time), at the read phases' concurrency.
    const keys: string[] = [];
    for (const token of tokens.slice(0, API_KEYS)) keys.push(await createApiKey(api, token));
    const nextKey = cycle(keys);
    const next = () => ({ path: '/v1/auth/me', headers: bearer(nextKey()) });
    await sanity(api, 'api-key', next(), 200, (b: { email?: string }) => typeof b.email === 'string');
    const title = 'GET /v1/auth/me with an API key';
    await measure(harness, { name: 'api-key', title, server: api, connections: options.readConnections, next, meter, sampler });
    await measurePaced(harness, { name: 'api-key', title, server: api, next, meter, sampler });
  }

  // The hashing rate the floods are judged against, measured right before and right after them.
  const floods = runs(options, 'login') || runs(options, 'register');
  const hashingBefore = floods ? await measureParallelHashing(3 * options.argon2Hashes) : undefined;

  if (runs(options, 'login')) {
    const next = logins((n) => calendarUser(n + 1), options.dataset.calendarUsers);
    await sanity(api, 'login', next(), 200, (b: { access_token?: string }) => typeof b.access_token === 'string');
    await measure(harness, { name: 'login', title: 'POST /v1/auth/login', server: api, connections: options.authConnections, next, meter, sampler, health: true });
  }

  if (runs(options, 'register')) {
    const next = registrations();
    await sanity(api, 'register', next(), 201, (b: { id?: number }) => typeof b.id === 'number');
    await measure(harness, { name: 'register', title: 'POST /v1/auth/register', server: api, connections: options.authConnections, next, meter, sampler, health: true });
  }
  if (hashingBefore !== undefined) {
    const after = await measureParallelHashing(3 * options.argon2Hashes);
    harness.hashingAroundFloods = { before: hashingBefore, after };
    log(`argon2id with ${availableParallelism()} at once: ${hashingBefore.toFixed(1)}/s right before the sign-in flood, ${after.toFixed(1)}/s right after the sign-up flood`);
  }
}
