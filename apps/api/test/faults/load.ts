// Real HTTP traffic for the fault tests: one request as an outcome (a status and a whole body, or
// the socket error), and a loop of workers that keeps requests in flight until told to stop.
import { Agent, request as httpRequest } from 'node:http';

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Outcome extends Call {
  /** Set when a whole response arrived (status line, headers and the full body). */
  status?: number;
  contentType?: string;
  responseBody?: string;
  /** The socket error's code (ECONNREFUSED, ECONNRESET, ...) when no whole response arrived. */
  error?: string;
  /** Whether the request's bytes were all handed to the socket before the error. */
  sent: boolean;
  /** Local port of the connection (the server logs it as req.remotePort). */
  localPort?: number;
}

/** A keep-alive agent, as a real client (the SDK's fetch) would use; destroy it when done. */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** Sends one request; never rejects: a refused or reset connection is an outcome too. */
function send(base: string, call: Call, agent: Agent | false = false, timeoutMs = 10_000): Promise<Outcome> {
  const url = new URL(call.path, base);
  const payload = call.body === undefined ? undefined : Buffer.from(call.body);
  return new Promise<Outcome>((resolve) => {
    const outcome: Outcome = { ...call, sent: false };
    let settled = false;
    const finish = (extra: Partial<Outcome>) => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, ...extra });
    };
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: call.method,
        path: url.pathname + url.search,
        agent,
        headers: {
          ...(call.headers ?? {}),
          ...(payload ? { 'content-length': String(payload.length) } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => finish({ status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), responseBody: body }));
        res.on('error', (err: NodeJS.ErrnoException) => finish({ error: `${err.code ?? 'ERROR'} mid-body (status ${res.statusCode})` }));
        res.on('aborted', () => finish({ error: `ECONNRESET mid-body (status ${res.statusCode})` }));
      },
    );
    req.on('socket', (socket) => {
      const note = () => (outcome.localPort = socket.localPort);
      if (socket.connecting) socket.once('connect', note);
      else note();
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.on('finish', () => (outcome.sent = true));
    req.end(payload);
  });
}

export interface LoadControl {
  /** Ask the workers to stop after their current request. */
  stop(): void;
  /** Every outcome, once all workers have stopped. */
  done: Promise<Outcome[]>;
  /** Outcomes so far. */
  outcomes: Outcome[];
}

/**
 * `concurrency` workers, each sending `next(n, worker)` (n counts requests across workers; worker is
 * the sender's index, 0 to concurrency - 1) one after the other until `stop()`. Each request is
 * bounded by its own timeout, so `done` always settles.
 */
export function startLoad(base: string, concurrency: number, next: (n: number, worker: number) => Call, agent: Agent | false = false): LoadControl {
  const outcomes: Outcome[] = [];
  let stopped = false;
  let counter = 0;
  const worker = async (index: number) => {
    while (!stopped) {
      const outcome = await send(base, next(counter++, index), agent);
      outcomes.push(outcome);
      // A dead server refuses at once: do not spin through thousands of refusals.
      if (outcome.error === 'ECONNREFUSED') await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index))).then(() => outcomes);
  return {
    stop: () => {
      stopped = true;
    },
    done,
    outcomes,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts of each status or error, e.g. {"201": 812, "ECONNREFUSED": 8}, for messages and reports. */
export function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status !== undefined ? String(o.status) : (o.error ?? 'unknown');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** One line on stderr (vitest shows it with the test), for the counts a run saw. */
export function report(label: string, data: unknown): void {
  process.stderr.write(`[faults] ${label}: ${JSON.stringify(data)}\n`);
}
