// `pnpm bench`: builds the API, seeds PostgreSQL, and load-tests the production build against a
// bare Fastify baseline started here, then prints the table and writes docs/benchmarks.md.
// `pnpm bench --smoke`: the same on tiny data in seconds, failing on any error (CI).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, migrate } from '@agentcaller/db';
import postgres from 'postgres';
import { measureArgon2, type Argon2Bound } from './argon2-bound.js';
import {
  AVAILABILITY_SLOT_MINUTES,
  CALENDAR_START,
  PASSWORD,
  availabilityOwner,
  calendarUser,
  databaseUrl,
  dropDatabase,
  holdsDataset,
  recreateDatabase,
  searchOwner,
  seedDataset,
  type SeedReport,
} from './dataset.js';
import { CpuMeter } from './cpu.js';
import { explainAll, type ExplainCall, type Plan } from './explain.js';
import { load, type RequestShape } from './load.js';
import { parseOptions, runs, USAGE, type Options, type PhaseName } from './options.js';
import { RssSampler, freePort, memoryOf, run, startServer, stopServer, type Server } from './processes.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile.js';
import { collectEnvironment, evaluateTargets, printReport, writeDoc, type PhaseResult, type RunReport } from './report.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const resultsDir = join(root, 'bench/results');
const DAY_MS = 24 * 3600_000;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(64);
}
const apiDir = resolve(options.apiDir ?? join(root, 'apps/api'));
const apiDist = join(apiDir, 'dist');

const secretKey = randomBytes(48).toString('base64url');
/** Generous throttles: the load comes from one address, and sign-in throughput is what is measured. */
const THROTTLE_ENV = {
  THROTTLE_SOURCE_ATTEMPTS: '10000000',
  THROTTLE_SOURCE_WINDOW_SECONDS: '1',
  THROTTLE_LOGIN_FAILURES: '1000',
};

function apiEnv(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    SECRET_KEY: secretKey,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    // As the production image and `pnpm start` run it.
    MALLOC_ARENA_MAX: '2',
    ...THROTTLE_ENV,
    ...options.apiEnv,
    ...extra,
  };
}

async function startApi(extra: Record<string, string | undefined>, nodeFlags: string[] = []): Promise<Server> {
  const port = await freePort();
  return startServer({
    name: 'API',
    args: [...nodeFlags, join(apiDist, 'server.js')],
    env: apiEnv({ PORT: String(port), ...extra }),
    cwd: apiDir,
    port,
    readyPath: '/ready',
    timeoutMs: 60_000,
  });
}

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
async function sanity<T>(server: Server, phase: string, shape: RequestShape, status: number, check: (body: T) => boolean) {
  const { status: got, body } = await call(server, shape);
  if (got !== status || !check(body as T)) {
    throw new Error(`${phase}: ${shape.method ?? 'GET'} ${shape.path} answered ${got} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

const loginForm = (email: string) => `username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signIn(server: Server, email: string): Promise<string> {
  const { status, body } = await call(server, { method: 'POST', path: '/v1/auth/login', headers: FORM, body: loginForm(email) });
  const token = (body as { access_token?: unknown }).access_token;
  if (status !== 200 || typeof token !== 'string') throw new Error(`sign-in of ${email} answered ${status} ${JSON.stringify(body)}`);
  return token;
}

function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function main(): Promise<number> {
  const began = Date.now();
  const failures: string[] = [];
  const phases: PhaseResult[] = [];
  const loadAvgBefore = loadavg();
  mkdirSync(resultsDir, { recursive: true });
  log(`${options.mode} run: ${options.durationS} s per phase${options.warmupS ? ` after ${options.warmupS} s of warm-up` : ''}; load average ${loadavg()[0]!.toFixed(2)}`);

  if (options.build) {
    log('building the API and its packages (turbo; cached when nothing changed)');
    await run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@agentcaller/api...', '--output-logs=errors-only'], {
      cwd: root,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
  }

  log(`timing ${options.argon2Hashes} argon2id hashes on one core`);
  const argon2: Argon2Bound = await measureArgon2(options.argon2Hashes);
  log(`argon2id: ${argon2.hashMs.toFixed(1)} ms a hash -> bound ${argon2.boundPerSecond.toFixed(1)}/s on ${argon2.cores} cores (measured ${argon2.parallelPerSecond.toFixed(1)}/s with ${argon2.cores} at once)`);

  const measure = async (
    name: PhaseName,
    title: string,
    server: Server,
    connections: number,
    next: () => RequestShape,
    meter: CpuMeter,
    extra: { sampler?: RssSampler; health?: boolean } = {},
  ): Promise<PhaseResult> => {
    const loadAvg = loadavg()[0]!;
    if (options.warmupS > 0) await load({ url: server.url, connections, durationS: options.warmupS, next });
    extra.sampler?.take();
    const cpuStart = await meter.snapshot();
    const healthRun = extra.health
      ? load({ url: server.url, connections: 1, durationS: options.durationS, overallRate: options.healthRate, next: () => ({ path: '/health' }) })
      : undefined;
    const result = await load({ url: server.url, connections, durationS: options.durationS, next });
    const health = await healthRun;
    const cpu = await meter.since(cpuStart);
    const phase: PhaseResult = {
      name,
      title,
      connections,
      load: result,
      loadAvg,
      cpu,
      ...(extra.sampler ? { peakRssBytes: extra.sampler.take() } : {}),
      ...(health ? { health } : {}),
    };
    log(
      `${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}, shed ${result.shed}` +
        (health ? `; /health p99 ${health.p99.toFixed(1)} ms (max ${health.max.toFixed(1)})` : '') +
        `; CPU ${(cpu.apiMs / cpu.wallMs).toFixed(2)} API, ${(cpu.postgresMs / cpu.wallMs).toFixed(2)} PG, ${(cpu.generatorMs / cpu.wallMs).toFixed(2)} generator, ${(cpu.otherMs / cpu.wallMs).toFixed(2)} other (cores)`,
    );
    if (result.errors > 0) failures.push(`${name}: ${result.errors} errors (statuses ${JSON.stringify(result.statuses)})`);
    if (result.responses === 0 || result.rps === 0) failures.push(`${name}: no successful request`);
    if (options.mode === 'smoke' && result.shed > 0) failures.push(`${name}: ${result.shed} requests shed or throttled`);
    if (health && health.errors + health.shed > 0) failures.push(`${name}: /health failed ${health.errors + health.shed} times during the flood`);
    phases.push(phase);
    return phase;
  };

  // 1. The ceiling, before anything else runs.
  if (runs(options, 'baseline')) {
    const port = await freePort();
    const hello = await startServer({
      name: 'hello-world',
      args: [join(root, 'bench/src/hello-server.mjs')],
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port) },
      cwd: join(root, 'bench'),
      port,
      readyPath: '/',
      timeoutMs: 15_000,
    });
    try {
      await measure('baseline', 'GET / (bare Fastify hello-world)', hello, options.fastConnections, () => ({ path: '/' }), new CpuMeter(hello.child.pid, undefined, ''));
    } finally {
      await stopServer(hello);
    }
  }

  // 2. The data.
  const url = databaseUrl(options.serverUrl, options.database);
  let seedReport: SeedReport | undefined;
  if (options.reuseData && (await holdsDataset(url, options.dataset))) {
    log(`reusing ${options.database}: it holds the dataset`);
  } else {
    log(`creating ${options.database} and seeding ${options.dataset.calendarAppointments + options.dataset.availabilityAppointments} appointments, ${options.dataset.searchClients + options.dataset.calendarClients} clients`);
    await recreateDatabase(options.serverUrl, options.database);
    seedReport = await seedDataset(url, options.dataset);
    log(`seeded in ${(seedReport.totalMs / 1000).toFixed(1)} s (${options.dataset.calendarAppointments} appointments in ${(seedReport.calendarAppointmentsMs / 1000).toFixed(1)} s)`);
  }

  // A second reference: the same bare Fastify plus one indexed query per request.
  if (runs(options, 'baseline-db')) {
    const port = await freePort();
    const hello = await startServer({
      name: 'hello-world with PostgreSQL',
      args: [join(root, 'bench/src/hello-server.mjs')],
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), DATABASE_URL: url },
      cwd: join(root, 'bench'),
      port,
      readyPath: '/',
      timeoutMs: 15_000,
    });
    const monitor = postgres(url, { max: 1, onnotice: () => {} });
    try {
      let n = 0;
      const users = options.dataset.calendarUsers;
      const next = () => ({ path: `/user?email=${encodeURIComponent(calendarUser((n++ % users) + 1))}` });
      await sanity(hello, 'baseline-db', next(), 200, (b: { email?: string }) => typeof b.email === 'string');
      await measure('baseline-db', 'GET /user (bare Fastify + 1 PostgreSQL query)', hello, options.fastConnections, next, new CpuMeter(hello.child.pid, monitor, options.database));
    } finally {
      await monitor.end({ timeout: 5 });
      await stopServer(hello);
    }
  }

  // 3. Cold starts on PostgreSQL; the last start stays up for the load.
  const coldPostgres: number[] = [];
  const profileDir = join(resultsDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  let api: Server | undefined;
  for (let i = 0; i < options.coldStarts; i++) {
    const last = i === options.coldStarts - 1;
    const flags = last && options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const server = await startApi({ DATABASE_URL: url }, flags);
    coldPostgres.push(server.startMs);
    log(`cold start on PostgreSQL: ${server.startMs.toFixed(0)} ms to the first 200 from /ready`);
    if (last) api = server;
    else await stopServer(server);
  }
  if (!api) throw new Error('the API did not start');

  let plans: Plan[] = [];
  let peakRssBytes = 0;
  let apiExit: number | null = null;
  const sampler = new RssSampler(api.child.pid!);
  const monitor = postgres(url, { max: 1, onnotice: () => {} });
  const meter = new CpuMeter(api.child.pid, monitor, options.database);
  try {
    const tokenUsers = Array.from({ length: Math.min(options.tokens, options.dataset.calendarUsers) }, (_, i) => calendarUser(i + 1));
    const tokens: string[] = [];
    for (const email of tokenUsers) tokens.push(await signIn(api, email));
    const searchToken = await signIn(api, searchOwner);
    const availabilityToken = await signIn(api, availabilityOwner);

    if (runs(options, 'me')) {
      const nextToken = cycle(tokens);
      await sanity(api, 'me', { path: '/v1/auth/me', headers: bearer(tokens[0]!) }, 200, (b: { email?: string }) => b.email === tokenUsers[0]);
      await measure('me', 'GET /v1/auth/me', api, options.fastConnections, () => ({ path: '/v1/auth/me', headers: bearer(nextToken()) }), meter, { sampler });
    }

    if (runs(options, 'login')) {
      let n = 0;
      const users = options.dataset.calendarUsers;
      const next = (): RequestShape => ({ method: 'POST', path: '/v1/auth/login', headers: FORM, body: loginForm(calendarUser((n++ % users) + 1)) });
      await sanity(api, 'login', next(), 200, (b: { access_token?: string }) => typeof b.access_token === 'string');
      await measure('login', 'POST /v1/auth/login', api, options.authConnections, next, meter, { sampler, health: true });
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
      await measure('register', 'POST /v1/auth/register', api, options.authConnections, next, meter, { sampler, health: true });
    }

    // Search: a surname (1 % of the list), a first name (2 %), one whole name, a phone fragment,
    // and a miss, in turn.
    const searches = ['smith', 'Rosa', 'Maria B. Ross', '415 20', 'nobody'];
    if (runs(options, 'search')) {
      const nextQ = cycle(searches);
      await sanity(api, 'search', { path: `/v1/clients?q=${encodeURIComponent(searches[0]!)}`, headers: bearer(searchToken) }, 200, (b: { total?: number }) => (b.total ?? 0) > 0);
      await measure('search', `GET /v1/clients?q= (${options.dataset.searchClients.toLocaleString('en')} clients)`, api, options.readConnections, () => ({
        path: `/v1/clients?q=${encodeURIComponent(nextQ())}`,
        headers: bearer(searchToken),
      }), meter, { sampler });
    }

    // The first week of a calendar (every half hour booked in the full run), 100 to a page.
    const weekFrom = CALENDAR_START.toISOString();
    const weekTo = new Date(CALENDAR_START.getTime() + 7 * DAY_MS).toISOString();
    const weekPath = `/v1/appointments?from=${encodeURIComponent(weekFrom)}&to=${encodeURIComponent(weekTo)}&limit=100`;
    if (runs(options, 'week')) {
      const nextToken = cycle(tokens);
      await sanity(api, 'week', { path: weekPath, headers: bearer(tokens[0]!) }, 200, (b: { items?: unknown[] }) => (b.items?.length ?? 0) > 0);
      await measure('week', `GET /v1/appointments, a week (${options.dataset.calendarAppointments.toLocaleString('en')} appointments)`, api, options.readConnections, () => ({
        path: weekPath,
        headers: bearer(nextToken()),
      }), meter, { sampler });
    }

    // 31 days of the dense calendar, for a 30-minute call.
    const availabilityTo = new Date(CALENDAR_START.getTime() + 31 * DAY_MS).toISOString();
    const availabilityPath = `/v1/availability?from=${encodeURIComponent(CALENDAR_START.toISOString())}&to=${encodeURIComponent(availabilityTo)}&duration_minutes=30`;
    if (runs(options, 'availability')) {
      await sanity(api, 'availability', { path: availabilityPath, headers: bearer(availabilityToken) }, 200, (b: { slots?: unknown[] }) => Array.isArray(b.slots));
      await measure('availability', `GET /v1/availability, 31 days (${options.dataset.availabilityAppointments.toLocaleString('en')} appointments)`, api, options.readConnections, () => ({
        path: availabilityPath,
        headers: bearer(availabilityToken),
      }), meter, { sampler });
    }

    const ids = await ownerIds(url);
    const explainCalls: ExplainCall[] = [
      ...['smith', 'Rosa', '415 20'].map(
        (q): ExplainCall => ({ phase: 'search', label: `GET /v1/clients?q=${q}`, run: (s) => s.clients.list(ids.search, { q, limit: 20, offset: 0 }) }),
      ),
      { phase: 'week', label: 'GET /v1/appointments, a week', run: (s) => s.appointments.list(ids.calendar, { from: weekFrom, to: weekTo, limit: 100, offset: 0 }) },
      {
        phase: 'availability',
        label: 'GET /v1/availability, 31 days',
        run: (s) => s.appointments.availability(ids.availability, { from: CALENDAR_START.toISOString(), to: availabilityTo, duration_minutes: 30 }),
      },
    ];
    try {
      plans = await explainAll(apiDist, url, explainCalls.filter((c) => runs(options, c.phase as PhaseName)));
    } catch (err) {
      failures.push(`EXPLAIN: ${(err as Error).message}`);
    }
  } finally {
    peakRssBytes = memoryOf(api.child.pid!)?.peak ?? 0;
    sampler.stop();
    await monitor.end({ timeout: 5 });
    apiExit = await stopServer(api);
  }
  if (apiExit !== 0) failures.push(`the API exited with ${apiExit} after SIGTERM:\n${api.output().slice(-2000)}`);

  let profile: ProfileSummary | undefined;
  if (options.profile) {
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) {
      profile = summarizeProfile(join(profileDir, file));
      process.stdout.write(`\n${formatProfile(profile)}\n`);
    } else {
      failures.push('--profile: the API wrote no .cpuprofile');
    }
  }

  // 4. Cold start on embedded PGlite with migrations already applied (done here first, as
  // `pnpm db:migrate` would), timed over several starts.
  const dataDir = mkdtempSync(join(tmpdir(), 'agentcaller-bench-pglite-'));
  const coldPglite: number[] = [];
  let pgliteMigrateMs = 0;
  try {
    const migrateBegan = performance.now();
    const embedded = await connect({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      await migrate(embedded.db);
    } finally {
      await embedded.close();
    }
    pgliteMigrateMs = performance.now() - migrateBegan;
    for (let i = 0; i < options.coldStarts; i++) {
      const server = await startApi({ DATABASE_URL: undefined, DATA_DIR: dataDir });
      coldPglite.push(server.startMs);
      await stopServer(server);
    }
    log(`cold start on PGlite (created and migrated in ${pgliteMigrateMs.toFixed(0)} ms): ${coldPglite.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  } catch (err) {
    failures.push(`PGlite cold start: ${(err as Error).message}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  const report: RunReport = {
    mode: options.mode,
    command: `pnpm bench${options.argv.length ? ` ${options.argv.join(' ')}` : ''}`,
    startedAt: new Date(began).toISOString(),
    elapsedS: (Date.now() - began) / 1000,
    environment: await collectEnvironment(root, url, loadAvgBefore),
    options: {
      durationS: options.durationS,
      warmupS: options.warmupS,
      fastConnections: options.fastConnections,
      readConnections: options.readConnections,
      authConnections: options.authConnections,
      healthRate: options.healthRate,
      apiEnv: { NODE_ENV: 'production', LOG_LEVEL: 'warn', MALLOC_ARENA_MAX: '2', ...THROTTLE_ENV, ...options.apiEnv },
      availabilitySlotMinutes: AVAILABILITY_SLOT_MINUTES,
    },
    dataset: options.dataset,
    seed: seedReport,
    argon2,
    phases,
    coldStart: { postgres: coldPostgres, pglite: coldPglite, pgliteMigrateMs },
    peakRssBytes,
    plans,
    profile,
    failures,
  };
  report.targets = evaluateTargets(report);
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `${options.mode}-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
  if (options.writeDoc) {
    writeDoc(join(root, 'docs/benchmarks.md'), report);
    log('wrote docs/benchmarks.md');
  }
  if (options.mode === 'smoke' && !options.keepDatabase) await dropDatabase(options.serverUrl, options.database);
  if (failures.length > 0) {
    process.stderr.write(`\nbench: ${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** Ids of the owners EXPLAIN runs as (the API's services take the caller's id). */
async function ownerIds(url: string): Promise<{ search: number; calendar: number; availability: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ email: string; id: number }[]>`select email, id from users where email in (${searchOwner}, ${calendarUser(1)}, ${availabilityOwner})`;
    const id = (email: string) => {
      const row = rows.find((r) => r.email === email);
      if (!row) throw new Error(`no user ${email}`);
      return row.id;
    };
    return { search: id(searchOwner), calendar: id(calendarUser(1)), availability: id(availabilityOwner) };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
