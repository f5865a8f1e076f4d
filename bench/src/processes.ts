// Child processes the harness starts (the API, the hello-world baseline): free ports, time to the
// first 200, resident memory, and a clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

export interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** Milliseconds from spawn to the first 200 from the ready path. */
  startMs: number;
  /** What the process wrote to stderr (and stdout), for a failure report. */
  output(): string;
}

/** Listens on `port` (0: any) on loopback and closes again: the port it got, or undefined when taken. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      const got = typeof address === 'object' && address ? address.port : undefined;
      probe.close(() => resolve(got));
    });
  });
}

let nextInRange = 0;

/** A free port: any, or the next free one of `range` (taken in turn, so a port just closed is not reused at once). */
export async function freePort(range?: { low: number; high: number }): Promise<number> {
  if (!range) {
    const port = await tryPort(0);
    if (port === undefined) throw new Error('no free port');
    return port;
  }
  const size = range.high - range.low + 1;
  for (let i = 0; i < size; i++) {
    const port = range.low + (nextInRange++ % size);
    if ((await tryPort(port)) !== undefined) return port;
  }
  throw new Error(`no free port in ${range.low}-${range.high}`);
}

/** One GET on loopback: the status, or 0 when nothing answered (yet). */
function probe(port: number, path: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export interface StartOptions {
  name: string;
  /** The program (default: this Node). */
  command?: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  port: number;
  readyPath: string;
  timeoutMs: number;
}

/** Spawns `node ...args` (or `command ...args`) and polls `readyPath` every 5 ms until it answers 200. */
export async function startServer(options: StartOptions): Promise<Server> {
  const began = performance.now();
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  child.once('exit', (code, signal) => {
    exited = code ?? (signal ? -1 : null);
  });
  const server: Server = {
    name: options.name,
    child,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    startMs: 0,
    output: () => output,
  };
  const deadline = began + options.timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`${options.name} exited (${exited}) before it was ready:\n${output.trim()}`);
    if ((await probe(options.port, options.readyPath, 500)) === 200) break;
    if (performance.now() > deadline) {
      await stopServer(server);
      throw new Error(`${options.name} was not ready within ${options.timeoutMs} ms:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  server.startMs = performance.now() - began;
  return server;
}

/** SIGTERM (the API drains and exits 0), then SIGKILL after `graceMs`. Resolves with the exit code. */
export function stopServer(server: Server, graceMs = 15_000): Promise<number | null> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process in bytes: now (VmRSS) and its peak so far (VmHWM). Linux only. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process's resident memory every `everyMs`; `take()` returns the peak since the last take. */
export class RssSampler {
  private timer: NodeJS.Timeout;
  private windowPeak = 0;
  constructor(
    private readonly pid: number,
    everyMs = 50,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    this.sample();
  }
  private sample() {
    const memory = memoryOf(this.pid);
    if (memory && memory.rss > this.windowPeak) this.windowPeak = memory.rss;
  }
  take(): number {
    this.sample();
    const peak = this.windowPeak;
    this.windowPeak = 0;
    return peak;
  }
  stop() {
    clearInterval(this.timer);
  }
}

/** Runs a command to completion, its output passed through (or kept when `quiet`). */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean; input?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', options.quiet ? 'pipe' : 'inherit', options.quiet ? 'pipe' : 'inherit'],
    });
    child.stdin?.end(options.input);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${output.slice(-5000)}`));
    });
  });
}
