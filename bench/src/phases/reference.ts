// `--reference`: the original Python service's three auth endpoints (bench/reference/app.py:
// FastAPI, SQLAlchemy, passlib bcrypt 12, python-jose HS256), on its own database of the same
// PostgreSQL server, under the same load as the API's phases of the same names. It runs after the
// API has stopped, so the two never share the cores.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import postgres from 'postgres';
import { CpuMeter } from '../cpu.js';
import { PASSWORD, calendarUser, databaseUrl, recreateDatabase } from '../dataset.js';
import { log, type Harness } from '../harness.js';
import { bearer, cycle, logins, registrations, sanity, signIn } from '../http.js';
import { measure } from '../measure.js';
import { runs } from '../options.js';
import { freePort, RssSampler, run, startServer, stopServer } from '../processes.js';

/** Debian's interpreter: its packages are the original's stack (a pyenv or venv python lacks them). */
const PYTHON = '/usr/bin/python3';
const DEBIAN_PACKAGES = ['python3-fastapi', 'python3-sqlalchemy', 'python3-passlib', 'python3-bcrypt', 'python3-jose', 'python3-uvicorn', 'python3-psycopg2'];
const MODULES = ['fastapi', 'sqlalchemy', 'passlib', 'bcrypt', 'jose', 'uvicorn', 'psycopg2', 'multipart'];

/** The versions of the original's stack, or why it cannot run (with the command that installs it). */
function referenceStack(): { versions: Record<string, string> } | { missing: string } {
  const script = `import ${MODULES.join(', ')}, sys; print(sys.version.split()[0], fastapi.__version__, sqlalchemy.__version__, passlib.__version__, bcrypt.__version__, uvicorn.__version__)`;
  try {
    const out = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(' ');
    const names = ['Python', 'FastAPI', 'SQLAlchemy', 'passlib', 'bcrypt (Python)', 'uvicorn'];
    return { versions: Object.fromEntries(names.map((name, i) => [name, out[i] ?? '?'])) };
  } catch (err) {
    const reason = (err as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? (err as Error).message;
    return { missing: `${PYTHON} cannot import the original's stack (${reason}); install it with: sudo apt-get install -y ${DEBIAN_PACKAGES.join(' ')}` };
  }
}

export async function measureReference(harness: Harness): Promise<Record<string, string> | undefined> {
  const { options, root } = harness;
  // `--only me` runs both sides of that row; `--only original-me` only the original's.
  const wants = (phase: 'me' | 'login' | 'register') => runs(options, phase) || runs(options, `original-${phase}`);
  if (!options.reference || !(['me', 'login', 'register'] as const).some(wants)) return undefined;
  const stack = referenceStack();
  if ('missing' in stack) {
    harness.failures.push(`--reference: ${stack.missing}`);
    return undefined;
  }
  const name = `${options.database}_reference`;
  const url = databaseUrl(options.serverUrl, name);
  const users = Array.from({ length: options.dataset.calendarUsers }, (_, i) => calendarUser(i + 1));
  const appPath = join(root, 'bench/reference/app.py');
  log(`the original service: ${name} with ${users.length} users (one bcrypt-12 hash), ${Object.entries(stack.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  await recreateDatabase(options.serverUrl, name);
  await run(PYTHON, [appPath, 'seed'], { cwd: root, env: { PATH: process.env.PATH, REFERENCE_PASSWORD: PASSWORD }, quiet: true, input: [url, ...users].join('\n') });
  const port = await freePort(options.ports);
  const server = await startServer({
    name: 'the original (FastAPI)',
    command: PYTHON,
    args: [appPath, 'serve'],
    env: { PATH: process.env.PATH, SECRET_KEY: harness.secretKey, DATABASE_URL: url, PORT: String(port) },
    cwd: root,
    port,
    readyPath: '/health',
    timeoutMs: 30_000,
  });
  const monitor = postgres(url, { max: 1, onnotice: () => {} });
  const sampler = new RssSampler(server.child.pid!);
  try {
    const meter = new CpuMeter(server.child.pid, monitor, name);
    const common = { server, meter, sampler };
    if (wants('me')) {
      const tokenUsers = users.slice(0, Math.min(options.tokens, users.length));
      const tokens: string[] = [];
      for (const email of tokenUsers) tokens.push(await signIn(server, email));
      const nextToken = cycle(tokens);
      const next = () => ({ path: '/v1/auth/me', headers: bearer(nextToken()) });
      await sanity(server, 'original-me', next(), 200, (b: { email?: string }) => typeof b.email === 'string');
      await measure(harness, { ...common, name: 'original-me', title: 'GET /v1/auth/me (the original)', connections: options.fastConnections, next });
    }
    if (wants('login')) {
      const next = logins((n) => users[n]!, users.length);
      await sanity(server, 'original-login', next(), 200, (b: { access_token?: string }) => typeof b.access_token === 'string');
      await measure(harness, { ...common, name: 'original-login', title: 'POST /v1/auth/login (the original)', connections: options.authConnections, next, health: true });
    }
    if (wants('register')) {
      const next = registrations();
      await sanity(server, 'original-register', next(), 201, (b: { id?: number }) => typeof b.id === 'number');
      await measure(harness, { ...common, name: 'original-register', title: 'POST /v1/auth/register (the original)', connections: options.authConnections, next, health: true });
    }
  } finally {
    sampler.stop();
    await monitor.end({ timeout: 5 });
    await stopServer(server);
  }
  return stack.versions;
}
