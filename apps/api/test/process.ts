// Spawns the real server (`src/server.ts`, bundled once per run by globalSetup: see
// built-server.ts) as a child process, for tests that need a listening socket, signals, exit codes
// and the process's own stdout/stderr.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_VARIABLES } from '../src/config.js';
import { builtEntry, type ENTRIES } from './built-server.js';
import { TEST_SECRET } from './constants.js';
import { appendToSink } from './log-sink.js';
import { afterAll, afterEach } from 'vitest';
import { listeningPorts, waitUntilHealthy, type TestDatabase } from '@agentcaller/db/testing';

/** apps/api: the child runs from here, as `pnpm start` runs the server. */
const API_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** A fresh temporary directory, removed by `removeTempDirs()`. */
const tempDirs: string[] = [];
export function tempDir(prefix = 'agentcaller-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  /**
   * The port the child listens on (it is started on `PORT=0`), found through its own socket
   * (`listeningPorts`) and kept once found; throws while it does not listen yet.
   */
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written on stdout so far. */
  logs(): Record<string, unknown>[];
  /** How the process ended, or undefined while it runs. */
  exitStatus(): Exit | undefined;
  /** Resolves when the process has exited; rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<Exit>;
  /** Resolves once `predicate` holds for the stdout log lines; rejects after `timeoutMs` or on exit. */
  waitForLogs(predicate: (logs: Record<string, unknown>[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

const live = new Set<ChildProcess>();

/**
 * The environment of the child: this process's environment without any variable the API reads
 * (so the test runner's NODE_ENV or DATABASE_URL never leaks in), then `env` (undefined = unset).
 */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ENV_VARIABLES) delete result[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

/**
 * Spawns `node server.mjs` (the bundled `src/server.ts`) with exactly the API variables in `env`,
 * on the port the system gives it (`PORT=0`) unless `env` names one.
 */
export function spawnServer(env: Record<string, string | undefined>): ServerProcess {
  const entry = builtEntry('server');
  const child = spawn(process.execPath, entry.args, {
    cwd: API_DIR,
    env: childEnv({ ...entry.env, PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' (not 'exit'): every byte of stdout/stderr has been read by then.
  const exit = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      live.delete(child);
      appendToSink(stdout + stderr);
      resolve({ code, signal });
      notify();
    });
  });
  let exitedInfo: Exit | undefined;
  void exit.then((info) => (exitedInfo = info));

  const logs = () =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const exited = (timeoutMs = 15_000) => withTimeout(exit, timeoutMs, () => `server did not exit within ${timeoutMs} ms`);

  const waitForLogs = (predicate: (logs: Record<string, unknown>[]) => boolean, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        listeners.delete(check);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (predicate(logs())) done();
        else if (exitedInfo) done(new Error(`server exited (${JSON.stringify(exitedInfo)}) while waiting; stderr: ${stderr}`));
      };
      const timer = setTimeout(() => done(new Error(`log lines not seen within ${timeoutMs} ms; stdout: ${stdout}`)), timeoutMs);
      listeners.add(check);
      check();
    });

  let port: number | undefined;
  const listeningPort = () => {
    if (port !== undefined) return port;
    const ports = child.pid === undefined ? [] : listeningPorts(child.pid);
    if (ports.length > 1) throw new Error(`the server listens on ${ports.length} ports: ${ports.join(', ')}`);
    if (ports[0] === undefined) throw new Error(`the server does not listen yet${exitedInfo ? ` (exited: ${JSON.stringify(exitedInfo)})` : ''}`);
    port = ports[0];
    return port;
  };

  return {
    child,
    get port() {
      return listeningPort();
    },
    get url() {
      return `http://127.0.0.1:${listeningPort()}`;
    },
    stdout: () => stdout,
    stderr: () => stderr,
    logs,
    exitStatus: () => exitedInfo,
    exited,
    waitForLogs,
    stop: async (signal = 'SIGTERM', timeoutMs = 15_000) => {
      if (!exitedInfo) child.kill(signal);
      return exited(timeoutMs);
    },
  };
}

/**
 * Starts the server on the port the system gives it and waits until `GET /health` on that port
 * answers 200 (at most `timeoutMs`); the child is killed when it does not come up.
 */
export async function startServer(env: Record<string, string | undefined>, timeoutMs = 40_000): Promise<ServerProcess> {
  const server = spawnServer({ HOST: '127.0.0.1', ...env, PORT: '0' });
  try {
    await waitUntilHealthy(server.child, timeoutMs);
    return server;
  } catch (err) {
    server.child.kill('SIGKILL');
    throw new Error(`server: ${(err as Error).message}; stderr: ${server.stderr()}; stdout: ${server.stdout()}`);
  }
}

/** Runs the server until it exits by itself (bad configuration), at most `timeoutMs`. */
export async function runToExit(env: Record<string, string | undefined>, timeoutMs = 20_000) {
  const server = spawnServer(env);
  try {
    const exit = await server.exited(timeoutMs);
    return { ...exit, stdout: server.stdout(), stderr: server.stderr() };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
}

/** SIGKILLs every child still running (for afterAll). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.once('exit', killAll);

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message())), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For a test file that starts servers: the lists to register them and their databases in, and the
 * hooks that kill every server and drop every database after each test, and clean up at the end.
 */
export function useServerCleanup(): { servers: ServerProcess[]; databases: TestDatabase[] } {
  const servers: ServerProcess[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if (!server.exitStatus()) await server.stop('SIGKILL', 5_000).catch(() => {});
    }
    for (const database of databases.splice(0)) await database.drop();
  });
  afterAll(() => {
    killAll();
    removeTempDirs();
  });
  return { servers, databases };
}

/**
 * Runs a built command-line entry (`pnpm db:doctor`, `pnpm admin:grant`) to its end on the
 * embedded database in `dataDir`, with `stdin` piped in; its stdout and stderr together.
 */
export function runCli(entry: Exclude<keyof typeof ENTRIES, 'server'>, dataDir: string, args: string[], stdin = ''): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve) => {
    const built = builtEntry(entry);
    const child = execFile(
      process.execPath,
      [...built.args, ...args],
      { cwd: API_DIR, env: { ...process.env, ...built.env, DATABASE_URL: '', DATA_DIR: dataDir, SECRET_KEY: TEST_SECRET, NODE_ENV: 'test' }, timeout: 60_000 },
      (_err, stdout, stderr) => resolve({ output: stdout + stderr, code: child.exitCode }),
    );
    child.stdin?.end(stdin);
  });
}
