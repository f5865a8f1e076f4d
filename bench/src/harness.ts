// What every phase of a run shares: the options, where the repository and the API's build are,
// the log, the problems found so far and the phases measured, and how the built API is started.
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from './options.js';
import { freePort, startServer, type Server } from './processes.js';
import type { RequestShape } from './load.js';
import type { PhaseResult } from './results.js';
import type { CpuMeter } from './cpu.js';
import type { Interleaved } from './interleave.js';

export interface Harness {
  options: Options;
  /** The repository's root. */
  root: string;
  /** bench/results: the JSON of each run, and CPU profiles. */
  resultsDir: string;
  /** The API package that runs (apps/api, or --api-dir) and its build. */
  apiDir: string;
  apiDist: string;
  /** A fresh SECRET_KEY for every API process of this run. */
  secretKey: string;
  /** Each problem found; any fails the run. */
  failures: string[];
  /** Each phase measured, in order. */
  phases: PhaseResult[];
  /**
   * Bare Fastify + 1 query, kept running after its own phase (with its CPU meter) so it can be
   * measured again right after `/me` (phases/auth.ts); main.ts stops it.
   */
  reference1Query?: { server: Server; next: () => RequestShape; meter: CpuMeter; close: () => Promise<void> } | undefined;
  /** `/me` and that reference in alternating slices (interleave.ts), the figure its target is judged on. */
  interleaved?: Interleaved | undefined;
  /** argon2id hashes per second, one per core at a time, right before and after the floods. */
  hashingAroundFloods?: { before: number; after: number } | undefined;
}

export function createHarness(options: Options): Harness {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const apiDir = resolve(options.apiDir ?? join(root, 'apps/api'));
  return {
    options,
    root,
    resultsDir: join(root, 'bench/results'),
    apiDir,
    apiDist: join(apiDir, 'dist'),
    secretKey: randomBytes(48).toString('base64url'),
    failures: [],
    phases: [],
  };
}

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Generous throttles: the load comes from one address, and sign-in throughput is what is measured. */
const THROTTLE_ENV = {
  THROTTLE_SOURCE_ATTEMPTS: '10000000',
  THROTTLE_SOURCE_WINDOW_SECONDS: '1',
  THROTTLE_LOGIN_FAILURES: '1000',
  // The api-key phase measures a key's request, not its rate limit.
  THROTTLE_API_KEY_REQUESTS: '10000000',
  THROTTLE_API_KEY_WINDOW_SECONDS: '1',
};

/**
 * The API's environment as the report states it (all but the secret, the host and the port).
 * glibc's default arenas, as the production image and `pnpm start` run it (MALLOC_ARENA_MAX=2
 * doubled the CPU of a sign-in) and 8 MB semi-spaces for V8's young generation.
 */
export function reportedApiEnv(options: Options): Record<string, string> {
  return { NODE_ENV: 'production', LOG_LEVEL: 'warn', NODE_OPTIONS: '--max-semi-space-size=8 --max-old-space-size=1024', ...THROTTLE_ENV, ...options.apiEnv };
}

function apiEnv(harness: Harness, extra: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SECRET_KEY: harness.secretKey,
    HOST: '127.0.0.1',
    ...reportedApiEnv(harness.options),
    ...extra,
  };
}

/** Starts the built API on a free port and waits for its first 200 from /ready. */
export async function startApi(harness: Harness, extra: Record<string, string | undefined>, nodeFlags: string[] = []): Promise<Server> {
  const port = await freePort(harness.options.ports);
  return startServer({
    name: 'API',
    args: [...nodeFlags, join(harness.apiDist, 'server.js')],
    env: apiEnv(harness, { PORT: String(port), ...extra }),
    cwd: harness.apiDir,
    port,
    readyPath: '/ready',
    timeoutMs: 60_000,
  });
}
