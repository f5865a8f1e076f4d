// What the end-to-end test runs against: the real API as a child process on a fresh database,
// the built web app behind Vite's preview server (proxying /v1 to that API), and Debian's
// Chromium driven by playwright-core. Everything started here is stopped by `stopAll()`.
import { createTestDatabase, waitUntilHealthy, type TestDatabase } from '@agentcaller/db/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { startSmtp, type TestSmtp } from '../../../api/test/smtp';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const API_DIR = resolve(WEB_DIR, '../api');
export const RESULTS_DIR = join(WEB_DIR, 'test-results', 'e2e');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// Every variable the API reads: the child gets none of ours, only what is set below.
const API_VARIABLES = ['PORT', 'HOST', 'DATABASE_URL', 'SECRET_KEY', 'ACCESS_TOKEN_EXPIRE_MINUTES', 'REDIS_URL', 'CORS_ORIGINS', 'DEFAULT_PHONE_REGION', 'NODE_ENV', 'LOG_LEVEL', 'DATA_DIR', 'SMTP_URL', 'MAIL_FROM', 'PUBLIC_WEB_URL'];

const cleanups: (() => Promise<void> | void)[] = [];
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

export interface RunningApi {
  url: string;
  database: TestDatabase;
  output(): string;
}

/**
 * `node --import tsx src/server.ts` in apps/api, on a fresh database; resolves once /health answers.
 * A start-up that fails (on a machine busy enough that the embedded database misses Fastify's
 * 10 s plugin timeout) is tried once more, on a new database.
 */
export async function startApi(webOrigin: string, mail: { smtpUrl: string }): Promise<RunningApi> {
  try {
    return await startApiOnce(webOrigin, mail);
  } catch (err) {
    console.error(`e2e: the API did not start, trying once more: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`);
    return startApiOnce(webOrigin, mail);
  }
}

async function startApiOnce(webOrigin: string, mail: { smtpUrl: string }): Promise<RunningApi> {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  // E2E_API_PORT pins the port (machines where only some ports may be used); else the system picks
  // one at listen (PORT=0), found below through the child's own socket: a port picked here first
  // could be taken by another test's server before the child listens, and answer in its place.
  const pinned = Number(process.env.E2E_API_PORT) || 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'agentcaller-e2e-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of API_VARIABLES) delete env[name];
  Object.assign(env, {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(pinned),
    DATABASE_URL: database.url,
    SECRET_KEY: randomBytes(48).toString('base64'),
    CORS_ORIGINS: webOrigin,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // Password-reset mails go to the test's SMTP server, with links to the site under test.
    SMTP_URL: mail.smtpUrl,
    PUBLIC_WEB_URL: webOrigin,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@agentcaller/source', 'src/server.ts'], { cwd: API_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  void exited.then(() => children.delete(child));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });

  try {
    return { url: await waitUntilHealthy(child, 60_000), database, output: () => output };
  } catch (err) {
    throw new Error(`the API: ${(err as Error).message}:\n${output}`);
  }
}

/** Builds the app as `pnpm build` does (into a temporary folder) and serves it with `vite preview` on `port`. */
export async function buildAndServe(port: number, apiUrl: string): Promise<{ url: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'agentcaller-web-'));
  cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
  const previousBase = process.env.VITE_API_BASE_URL;
  delete process.env.VITE_API_BASE_URL; // same origin: the preview server proxies /v1
  try {
    await build({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    if (previousBase !== undefined) process.env.VITE_API_BASE_URL = previousBase;
  }
  const server: PreviewServer = await preview({
    root: WEB_DIR,
    configFile: join(WEB_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
    // app.test: the name the HTTPS test opens it under (mapped to 127.0.0.1 in that browser).
    preview: { host: '127.0.0.1', port, strictPort: true, open: false, allowedHosts: ['app.test'], proxy: { '/v1': { target: apiUrl } } },
  });
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${port}` };
}

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}. Install Debian's: apt-get install -y chromium (or set CHROMIUM_PATH). Nothing is downloaded.`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
  cleanups.push(() => browser.close());
  return browser;
}

/**
 * The API suite's SMTP server on loopback (apps/api/test/smtp.ts: the `smtp-server` package on a
 * free port of 8100-8199), stopped with the rest: the API mails it through nodemailer as it would a
 * production mail server.
 */
export async function startMailbox(): Promise<TestSmtp> {
  const smtp = await startSmtp();
  cleanups.push(() => smtp.close());
  return smtp;
}

/** Stops everything started above, last first. */
export async function stopAll(): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
}
