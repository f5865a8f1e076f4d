import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect as connectSocket, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Who holds an embedded database folder. */
export interface LockHolder {
  pid: number;
  command: string;
  started_at: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `process ${holder.pid} (${holder.command}, running since ${holder.started_at})` : 'another process (it did not say which)';
    const hint = holder?.command === 'pnpm dev' ? 'stop `pnpm dev` first, or run this while it is stopped' : 'stop it first';
    super(
      `the embedded database ${dataDir} is in use by ${who}: two processes on one PGlite folder lose each other's writes. ` +
        `${hint[0]!.toUpperCase()}${hint.slice(1)}, or set DATABASE_URL to a PostgreSQL server that both can share.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** What this process is, in the words its user typed (`pnpm dev`, `pnpm db:seed`, …). */
function describeCommand(): string {
  const script = process.env.npm_lifecycle_event;
  if (script) return `pnpm ${script}`;
  return ['node', ...process.argv.slice(1).map((arg, i) => (i === 0 ? basename(arg) : arg))].join(' ').slice(0, 200);
}

/** The lock is a Unix socket beside the folder (or, for a path too long for a socket, in tmpdir). */
function socketPath(dataDir: string): string {
  const beside = `${dataDir}.lock`;
  if (Buffer.byteLength(beside) <= 100) return beside;
  return join(tmpdir(), `agentcaller-${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}.lock`);
}

/** Asks the socket's owner who it is; undefined when nobody listens (a stale socket). */
function askHolder(path: string): Promise<{ alive: boolean; holder?: LockHolder }> {
  return new Promise((done) => {
    const socket = connectSocket(path);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      done({ alive: true });
    }, 1000);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        done({ alive: true, holder: JSON.parse(text) as LockHolder });
      } catch {
        done({ alive: true });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done({ alive: err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT' });
    });
  });
}

function listen(server: Server, path: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    server.once('error', (err: NodeJS.ErrnoException) => done(err));
    server.listen(path, () => done(undefined));
  });
}

/**
 * Takes the embedded database folder for this process alone, or refuses, naming the process that
 * holds it. The lock is a listening Unix socket: the operating system ends it with its process
 * (a crash leaves no lock behind, only a socket file nobody answers on, which is taken over), and
 * whoever asks learns from it who holds the folder. Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const dir = resolve(dataDir);
  mkdirSync(dirname(dir), { recursive: true });
  const path = socketPath(dir);
  const me: LockHolder = { pid: process.pid, command: describeCommand(), started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = createServer((socket) => socket.end(JSON.stringify(me)));
    const err = await listen(server, path);
    if (!err) {
      // The lock must not keep a finished command's process alive.
      server.unref();
      return () =>
        new Promise<void>((done) => {
          server.close(() => done());
        });
    }
    if (err.code !== 'EADDRINUSE') throw err;
    const { alive, holder } = await askHolder(path);
    if (alive) throw new DataDirLockedError(dir, holder);
    // Left by a process that died: nobody answers, so take it over.
    if (existsSync(path)) unlinkSync(path);
  }
  throw new DataDirLockedError(dir, undefined);
}

/** For commands: a held folder is one clear line on stderr and exit 1, not a stack trace. */
export function exitIfLocked(err: unknown): never {
  if (err instanceof DataDirLockedError) {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
