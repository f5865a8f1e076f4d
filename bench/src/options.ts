// What a run does: the full benchmark or the CI smoke run, and the flags that adjust either.
import { parseArgs } from 'node:util';
import { FULL_DATASET, SMOKE_DATASET, type Dataset } from './dataset.js';

const PHASES = [
  'baseline',
  'baseline-db',
  'me',
  'login',
  'register',
  'api-key',
  'search',
  'week',
  'availability',
  'growth',
  'original-me',
  'original-login',
  'original-register',
] as const;
/**
 * The phases `--only` selects, and `baseline-db-after`: bare Fastify + 1 query measured again right
 * after `/me` (phases/auth.ts), run whenever both `baseline-db` and `me` are.
 */
export type PhaseName = (typeof PHASES)[number] | 'baseline-db-after';

export interface Options {
  mode: 'full' | 'smoke';
  serverUrl: string;
  database: string;
  /** Ports the servers may listen on, or undefined for any free port. */
  ports: { low: number; high: number } | undefined;
  dataset: Dataset;
  /** Seconds measured per phase, and seconds of warm-up before (not counted). */
  durationS: number;
  warmupS: number;
  /** Connections for the baseline and GET /v1/auth/me (the same for both, so the ratio is fair). */
  fastConnections: number;
  /** Connections for search, week and availability. */
  readConnections: number;
  /**
   * Requests per second offered in the paced runs of api-key, search, week and availability (open
   * loop), the load their latency targets are judged at; and how long each paced run lasts.
   */
  pacedRate: number;
  pacedDurationS: number;
  /** Connections for login and registration (a flood: more than the hashes the cores can do at once). */
  authConnections: number;
  /** GET /health per second during the login and registration floods. */
  healthRate: number;
  /** Users signed in for tokens (their requests are spread over them). */
  tokens: number;
  argon2Hashes: number;
  coldStarts: number;
  only: Set<PhaseName>;
  apiEnv: Record<string, string>;
  build: boolean;
  reuseData: boolean;
  keepDatabase: boolean;
  profile: boolean;
  /** The API package whose dist/server.js runs (default apps/api): lets a candidate build be compared. */
  apiDir: string | undefined;
  writeDoc: boolean;
  /** Also measure the original Python service's auth endpoints (bench/reference/app.py). */
  reference: boolean;
  argv: string[];
}

export const USAGE = `usage: pnpm bench [--smoke] [options]
  --smoke                  tiny data, ~1.5 s per phase, exits non-zero on any error (CI)
  --reference              also run the original Python service's register, login and me
                           (bench/reference/app.py, Debian's python3 packages) under the same load
  --database-url URL       PostgreSQL server to create the bench database on
                           (default: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
  --database NAME          the bench database's name (default agentcaller_bench, smoke
                           agentcaller_bench_smoke); the reference app's is NAME_reference
  --ports LOW-HIGH         start the servers on free ports in this range (default: any free port)
  --duration S             seconds measured per phase (full 12, smoke 1.5)
  --warmup S               seconds of warm-up per phase, not counted (full 2, smoke 0)
  --connections N          connections for baseline and /v1/auth/me (full 50, smoke 10)
  --read-connections N     connections for search, week, availability (full 10, smoke 4)
  --auth-connections N     connections for the login and registration floods (full 32, smoke 4)
  --paced-rate N           requests per second offered in the paced runs of api-key, search, week
                           and availability, whose p99 the latency targets judge (full 50, smoke 20)
  --paced-duration S       seconds of each paced run (full 30, smoke 1.5)
  --only a,b               run only these phases (${PHASES.join(', ')}); the doc is not written
  --api-env KEY=VALUE      extra environment for the API (repeatable), e.g. MAX_IN_FLIGHT=64
  --profile                run the API under --cpu-prof and print where its time went
  --api-dir DIR            run DIR/dist/server.js instead of apps/api's build (a candidate change);
                           the doc is not written
  --reuse-data             keep the bench database if it already holds the dataset (skip seeding)
  --keep-database          do not drop the smoke database at the end
  --no-build               do not build the API first
  --no-doc                 do not rewrite docs/benchmarks.md (a full run does by default)`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${JSON.stringify(value)})`);
  return n;
}

function databaseName(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[a-z_][a-z0-9_]{0,40}$/.test(value)) throw new Error(`--database takes a lower-case SQL identifier (got ${JSON.stringify(value)})`);
  return value;
}

function portRange(value: string | undefined): Options['ports'] {
  if (value === undefined) return undefined;
  const match = /^(\d+)-(\d+)$/.exec(value);
  const [low, high] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(low >= 1024 && high <= 65535 && low <= high)) throw new Error(`--ports takes LOW-HIGH within 1024-65535 (got ${JSON.stringify(value)})`);
  return { low, high };
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean' },
      reference: { type: 'boolean' },
      'database-url': { type: 'string' },
      database: { type: 'string' },
      ports: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'read-connections': { type: 'string' },
      'auth-connections': { type: 'string' },
      'paced-rate': { type: 'string' },
      'paced-duration': { type: 'string' },
      only: { type: 'string' },
      'api-env': { type: 'string', multiple: true },
      profile: { type: 'boolean' },
      'api-dir': { type: 'string' },
      'reuse-data': { type: 'boolean' },
      'keep-database': { type: 'boolean' },
      'no-build': { type: 'boolean' },
      'no-doc': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const smoke = values.smoke ?? false;
  const only = new Set<PhaseName>();
  for (const name of (values.only ?? '').split(',').filter(Boolean)) {
    if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--only: unknown phase ${name} (one of ${PHASES.join(', ')})`);
    only.add(name as PhaseName);
  }
  const apiEnv: Record<string, string> = {};
  for (const pair of values['api-env'] ?? []) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(pair);
    if (!match) throw new Error(`--api-env takes KEY=VALUE (got ${JSON.stringify(pair)})`);
    apiEnv[match[1]!] = match[2]!;
  }
  return {
    mode: smoke ? 'smoke' : 'full',
    serverUrl: values['database-url'] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    database: databaseName(values.database) ?? (smoke ? 'agentcaller_bench_smoke' : 'agentcaller_bench'),
    ports: portRange(values.ports),
    dataset: smoke ? SMOKE_DATASET : FULL_DATASET,
    durationS: positive('duration', values.duration, smoke ? 1.5 : 12),
    warmupS: values.warmup === '0' ? 0 : positive('warmup', values.warmup, smoke ? 0 : 2),
    fastConnections: positive('connections', values.connections, smoke ? 10 : 50),
    readConnections: positive('read-connections', values['read-connections'], smoke ? 4 : 10),
    authConnections: positive('auth-connections', values['auth-connections'], smoke ? 4 : 32),
    pacedRate: positive('paced-rate', values['paced-rate'], smoke ? 20 : 50),
    pacedDurationS: positive('paced-duration', values['paced-duration'], smoke ? 1.5 : 30),
    healthRate: smoke ? 20 : 50,
    tokens: smoke ? 5 : 50,
    argon2Hashes: smoke ? 4 : 20,
    coldStarts: smoke ? 1 : 3,
    only,
    apiEnv,
    build: !values['no-build'],
    reuseData: values['reuse-data'] ?? false,
    keepDatabase: values['keep-database'] ?? !smoke,
    profile: values.profile ?? false,
    apiDir: values['api-dir'],
    writeDoc: !smoke && !values['no-doc'] && only.size === 0 && !values.profile && !values['api-dir'],
    reference: values.reference ?? false,
    argv,
  };
}

export function runs(options: Options, phase: PhaseName): boolean {
  return options.only.size === 0 || options.only.has(phase);
}
