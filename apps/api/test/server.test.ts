// The real server as a child process: the original service's curl session, the embedded on-disk
// database across restarts, graceful stop on SIGTERM, and start-up refused on bad configuration.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, writeDataDir } from '@agentcaller/db/testing';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from './helpers.js';
import { runToExit, startServer, tempDir, useServerCleanup, type ServerProcess } from './process.js';

const execFileAsync = promisify(execFile);

/** The real curl binary; `-s` and a bound on the time like every call of the original session. */
async function curl(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('curl', ['-s', '--max-time', '10', ...args], { timeout: 15_000 });
  return stdout;
}

// Every server and database a test started; stopped and dropped after each test, whatever happened.
const { servers, databases } = useServerCleanup();
async function serverOnTestDatabase(env: Record<string, string | undefined> = {}) {
  const database = await createTestDatabase();
  databases.push(database);
  // On PGlite the server opens a migrated database in DATA_DIR (as after a restart) instead of
  // creating and migrating one in memory: seconds of CPU less per server.
  const dataDir = tempDir();
  if (database.target.kind === 'pglite') await writeDataDir(join(dataDir, 'pglite'), 'migrated');
  const server = await startServer({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SECRET_KEY: TEST_SECRET,
    DATABASE_URL: database.target.kind === 'pglite' ? undefined : database.url,
    DATA_DIR: dataDir,
    ...env,
  });
  servers.push(server);
  return server;
}


const post = (url: string, body: string, contentType: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(10_000) });
const registerUser = (server: ServerProcess, email: string, password: string) =>
  post(`${server.url}/v1/auth/register`, JSON.stringify({ email, password }), 'application/json');
const loginUser = (server: ServerProcess, email: string, password: string) =>
  post(`${server.url}/v1/auth/login`, new URLSearchParams({ username: email, password }).toString(), 'application/x-www-form-urlencoded');
const me = (server: ServerProcess, token: string) =>
  fetch(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });

describe('the original service curl session', () => {
  it('registers, logs in with the default curl form and reads /me on a listening server', async () => {
    const server = await serverOnTestDatabase();
    const base = server.url;

    const registered = await curl(
      '-X', 'POST', `${base}/v1/auth/register`,
      '-H', 'Content-Type: application/json',
      '-d', '{"email":"admin@example.com","password":"changeme123"}',
    );
    expect(registered).toBe('{"id":1,"email":"admin@example.com"}');

    // No -H: curl sends application/x-www-form-urlencoded, as the original session did.
    const loggedIn = await curl('-X', 'POST', `${base}/v1/auth/login`, '-d', 'username=admin@example.com&password=changeme123');
    const token = JSON.parse(loggedIn) as { access_token: string; token_type: string };
    expect(token.token_type).toBe('bearer');
    expect(token.access_token.split('.')).toHaveLength(3);
    expect(token.access_token.split('.').every((part) => /^[A-Za-z0-9_-]+$/.test(part))).toBe(true);

    // The hashes ran on libuv's pool, sized one thread per core (src/threadpool.ts), not libuv's 4:
    // each thread that hashed keeps argon2's 19 MiB for its next hash.
    const threads = readdirSync(`/proc/${server.child.pid}/task`).map((task) => readFileSync(`/proc/${server.child.pid}/task/${task}/comm`, 'utf8').trim());
    expect(threads.filter((name) => name === 'libuv-worker')).toHaveLength(availableParallelism());

    const meBody = JSON.parse(await curl(`${base}/v1/auth/me`, '-H', `Authorization: Bearer ${token.access_token}`)) as Record<string, unknown>;
    expect(meBody).toMatchObject({ id: 1, email: 'admin@example.com' });
    expect(meBody).not.toHaveProperty('hashed_password');

    // Without a token: 401, WWW-Authenticate: Bearer, a problem document.
    const raw = await curl('-i', `${base}/v1/auth/me`);
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const [statusLine = '', ...headerLines] = head.split('\r\n');
    const headers = new Map(headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
    }));
    expect(statusLine).toMatch(/^HTTP\/1\.1 401 /);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
    expect(JSON.parse(body)).toMatchObject({ status: 401, title: 'Unauthorized', detail: expect.any(String) as unknown });
  });
});

describe('embedded on-disk database (DATABASE_URL unset)', () => {
  it('keeps users and the generated secret key in DATA_DIR across a restart', async () => {
    const dataDir = tempDir();
    const env = { NODE_ENV: 'development', LOG_LEVEL: 'warn', DATA_DIR: dataDir, DATABASE_URL: undefined, SECRET_KEY: undefined };

    const first = await startServer(env);
    servers.push(first);
    const ready = await fetch(`${first.url}/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'not configured' });
    const registered = await registerUser(first, 'disk@example.com', 'persisted password');
    expect(registered.status).toBe(201);
    const firstLogin = await loginUser(first, 'disk@example.com', 'persisted password');
    expect(firstLogin.status).toBe(200);
    const { access_token: firstToken } = (await firstLogin.json()) as { access_token: string };
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    // The database and the development key live under DATA_DIR; the key is private to the user.
    const keyFile = join(dataDir, 'secret_key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.byteLength(readFileSync(keyFile, 'utf8').trim())).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    const second = await startServer(env);
    servers.push(second);
    const secondLogin = await loginUser(second, 'disk@example.com', 'persisted password');
    expect(secondLogin.status).toBe(200);
    const again = await registerUser(second, 'disk@example.com', 'persisted password');
    expect(again.status).toBe(409);
    // The key was kept, so the token signed by the first run still verifies.
    const meRes = await me(second, firstToken);
    expect(meRes.status).toBe(200);
    expect(await meRes.json()).toMatchObject({ id: 1, email: 'disk@example.com' });
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    // The first start creates the database (PostgreSQL's initdb, then every migration, in
    // WebAssembly): ~8 s of CPU alone, which a loaded two-core machine stretches past vitest's 30 s.
  }, 120_000);
});

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

interface HeldLogin {
  /** Sends the last byte of the body: the server can then finish reading and answer. */
  release(): void;
  outcome: Promise<Outcome>;
}

/**
 * One login on its own connection, sent up to the last byte of its body: the server has the
 * request (it logs "incoming request") but cannot answer it before `release()`. A reset or an
 * abort is an outcome, not an exception.
 */
function heldLogin(port: number, email: string, password: string): HeldLogin {
  const payload = Buffer.from(new URLSearchParams({ username: email, password }).toString());
  let req!: ClientRequest;
  const outcome = new Promise<Outcome>((resolve) => {
    req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/auth/login',
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': payload.length },
        timeout: 15_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (err) => resolve({ status: res.statusCode, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
    req.write(payload.subarray(0, -1));
  });
  return { outcome, release: () => req.end(payload.subarray(-1)) };
}

describe('graceful stop', () => {
  it('answers every in-flight request before exiting 0 on SIGTERM', async () => {
    const server = await serverOnTestDatabase();
    const password = 'correct horse battery';
    const count = 20;
    // One account each: parallel sign-ins of one account are throttled (SECURITY.md).
    const emails = Array.from({ length: count }, (_, i) => `drain${i}@example.com`);
    for (const email of emails) expect((await registerUser(server, email, password)).status).toBe(201);

    const logins = emails.map((email) => heldLogin(server.port, email, password));
    // Once the server has every request, let them all go and send SIGTERM right away: the
    // signal lands while the 20 logins are being read and checked (argon2, ~20-40 ms each).
    const isLogin = (line: Record<string, unknown>) => (line.req as { url?: string } | undefined)?.url === '/v1/auth/login';
    await server.waitForLogs((lines) => lines.filter((line) => line.msg === 'incoming request' && isLogin(line)).length >= count, 15_000);
    for (const login of logins) login.release();
    server.child.kill('SIGTERM');

    const outcomes = await Promise.all(logins.map((login) => login.outcome));
    const exit = await server.exited(15_000);

    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    for (const outcome of outcomes) {
      const token = JSON.parse(outcome.body ?? '{}') as { access_token?: string; token_type?: string };
      expect(token.token_type).toBe('bearer');
      expect(token.access_token?.split('.')).toHaveLength(3);
    }
    expect(exit).toEqual({ code: 0, signal: null });

    const logs = server.logs();
    const shuttingDownAt = logs.findIndex((line) => line.msg === 'shutting down: finishing in-flight requests');
    const closedAt = logs.findIndex((line) => line.msg === 'closed');
    const completedAt = logs.flatMap((line, index) => (line.msg === 'request completed' && (line.res as { statusCode?: number } | undefined)?.statusCode === 200 ? [index] : []));
    expect(shuttingDownAt).toBeGreaterThan(-1);
    expect(closedAt).toBeGreaterThan(shuttingDownAt);
    // The signal really came while logins were running: answers were still being sent after it.
    // (No order is asserted between "closed" and the last "request completed": Fastify writes that
    // line from an onResponse hook, which may run after the socket, and so the server, has closed.)
    expect(completedAt.filter((index) => index > shuttingDownAt).length).toBeGreaterThan(0);
  });
});

describe('bad configuration stops start-up', () => {
  const nonEmptyLines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

  it('exits 78 with one line per bad variable', async () => {
    const result = await runToExit({
      NODE_ENV: 'test',
      PORT: 'abc',
      ACCESS_TOKEN_EXPIRE_MINUTES: '0',
      DATABASE_URL: 'mysql://x',
      SECRET_KEY: TEST_SECRET,
      DATA_DIR: tempDir(),
    });
    expect(result.code).toBe(78);
    const lines = nonEmptyLines(result.stderr);
    for (const line of lines) expect(line).toMatch(/^config error: /);
    for (const name of ['PORT', 'ACCESS_TOKEN_EXPIRE_MINUTES', 'DATABASE_URL']) {
      expect(lines.filter((line) => line.includes(name)), `${name} in ${result.stderr}`).toHaveLength(1);
    }
    expect(lines).toHaveLength(3);
    expect(result.stderr).not.toContain(TEST_SECRET);
  });

  it('refuses to start on a database it cannot reach, with one line and no stack trace', async () => {
    // Port 1 on loopback: nothing listens there (the break test got a 30-line stack trace).
    const result = await runToExit({
      NODE_ENV: 'production',
      SECRET_KEY: 'x'.repeat(16) + 'a-long-random-enough-test-key-for-this',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://agent:hunter2-secret@127.0.0.1:1/agentcaller',
    });
    expect(result.code).toBe(69);
    const lines = nonEmptyLines(result.stderr);
    expect(lines).toEqual(['start refused: database: nothing listens at that address (connection refused) (`pnpm db:doctor` explains more)']);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });

  it('refuses production without SECRET_KEY', async () => {
    const dataDir = tempDir();
    const result = await runToExit({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: 'memory://',
      DATA_DIR: dataDir,
    });
    expect(result.code).toBe(78);
    const lines = nonEmptyLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config error: SECRET_KEY /);
    // No key was generated in its place.
    expect(existsSync(join(dataDir, 'secret_key'))).toBe(false);
  });

  it.each([
    ['a placeholder', 'changeme-changeme-changeme-changeme'],
    ['a short key', 'Zq8-short-but-random'],
  ])('refuses production with %s as SECRET_KEY and never prints it', async (_label, secret) => {
    const result = await runToExit({
      NODE_ENV: 'production',
      SECRET_KEY: secret,
      HOST: '127.0.0.1',
      DATABASE_URL: 'memory://',
      DATA_DIR: tempDir(),
    });
    expect(result.code).toBe(78);
    const lines = nonEmptyLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config error: SECRET_KEY /);
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).not.toContain(secret);
  });
});
