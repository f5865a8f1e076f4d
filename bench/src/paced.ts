// One paced run: requests offered at a fixed rate whatever the server's answers (open loop), the
// latency of each measured from the time it was due, not the time it was sent, so a server (or a
// generator) that falls behind shows in the latencies instead of slowing the load down (no
// coordinated omission). autocannon's overallRate does not do this: each connection sends its
// share of a second back to back as soon as the second begins, then idles (httpClient.js), so it
// offers bursts at saturation, and it times each request from when it was written.
import { Agent, request } from 'node:http';
import { percentile, summarize, type LoadResult, type RequestShape } from './load.js';

export interface PacedSpec {
  url: string;
  /** Requests per second, one every 1000 / rate ms. */
  rate: number;
  durationS: number;
  next: () => RequestShape;
  /** Requests outstanding at most; one due while this many are unanswered is dropped (counted). */
  maxInFlight?: number;
  /** A request sent later than this after it was due counts as late (its latency still counts from when it was due). */
  lateMs?: number;
  timeoutS?: number;
}

/** Whether the paced run kept its schedule. */
export interface PacedStats {
  /** Offered requests per second. */
  rate: number;
  /** Requests due over the run. */
  due: number;
  sent: number;
  /** Sent more than lateAfterMs after they were due (the generator's own delay: timers, a busy event loop). */
  late: number;
  lateAfterMs: number;
  /** The largest delay between a request's due time and its sending. */
  maxSendDelayMs: number;
  /** Not sent: maxInFlight requests were still unanswered when they were due. */
  dropped: number;
  /** The most requests outstanding at once (the connections this needed). */
  peakInFlight: number;
  /**
   * The API's own `Server-Timing: auth;dur=` of the 2xx answers that carried one: how long their
   * authentication took inside the API, from the start of the request's hooks to its end.
   */
  auth?: { count: number; p50: number; p99: number; max: number };
}

/** The `auth` duration of a Server-Timing header, in ms, if it has one. */
export function authDuration(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const match = text === undefined ? null : /(?:^|,)\s*auth;(?:[^,]*;)?\s*dur=([0-9.]+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

export const DEFAULT_MAX_IN_FLIGHT = 64;
export const DEFAULT_LATE_MS = 5;

export async function paced(spec: PacedSpec): Promise<LoadResult & { paced: PacedStats }> {
  const maxInFlight = spec.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const lateAfterMs = spec.lateMs ?? DEFAULT_LATE_MS;
  const timeoutMs = (spec.timeoutS ?? 30) * 1000;
  const intervalMs = 1000 / spec.rate;
  const due = Math.max(1, Math.round(spec.rate * spec.durationS));
  // Sockets are kept alive and reused; there are never more than maxInFlight of them, so the agent
  // never queues a request: one is either sent when due (or as soon as the generator gets to it)
  // or dropped.
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const latencies = new Float64Array(due);
  const authMs = new Float64Array(due);
  let authed = 0;
  let ok = 0;
  let errors = 0;
  let sent = 0;
  let late = 0;
  let dropped = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let maxSendDelayMs = 0;
  const statuses: Record<string, number> = {};
  let allAnswered: () => void = () => {};
  const answered = new Promise<void>((resolve) => (allAnswered = resolve));
  let scheduled = 0;
  const began = performance.now();

  const settle = () => {
    inFlight--;
    if (scheduled === due && inFlight === 0) allAnswered();
  };

  const send = (dueAt: number) => {
    const delay = performance.now() - dueAt;
    maxSendDelayMs = Math.max(maxSendDelayMs, delay);
    if (delay > lateAfterMs) late++;
    if (inFlight >= maxInFlight) {
      dropped++;
      return;
    }
    const shape = spec.next();
    const headers = shape.body === undefined ? shape.headers : { ...shape.headers, 'content-length': String(Buffer.byteLength(shape.body)) };
    inFlight++;
    sent++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    let done = false;
    let timing: string | string[] | undefined;
    const finish = (status: number | undefined) => {
      if (done) return;
      done = true;
      if (status === undefined) errors++;
      else {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          latencies[ok++] = performance.now() - dueAt;
          const auth = authDuration(timing);
          if (auth !== undefined) authMs[authed++] = auth;
        }
      }
      settle();
    };
    const req = request(`${spec.url}${shape.path}`, { method: shape.method ?? 'GET', headers, agent }, (res) => {
      timing = res.headers['server-timing'];
      res.on('error', () => finish(undefined));
      res.on('end', () => finish(res.statusCode ?? 0));
      res.resume();
    });
    req.on('error', () => finish(undefined));
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.end(shape.body);
  };

  // Sends every request now due (all of them late if the event loop was held up), then sleeps
  // until the next one is.
  const tick = () => {
    const now = performance.now();
    while (scheduled < due && began + scheduled * intervalMs <= now) send(began + scheduled++ * intervalMs);
    if (scheduled < due) setTimeout(tick, Math.max(0, began + scheduled * intervalMs - performance.now()));
    else if (inFlight === 0) allAnswered();
  };
  tick();
  await answered;
  const elapsedS = Math.max((performance.now() - began) / 1000, 1e-3);
  agent.destroy();
  return {
    ...summarize(latencies.subarray(0, ok), statuses, errors, elapsedS),
    paced: { rate: spec.rate, due, sent, late, lateAfterMs, maxSendDelayMs, dropped, peakInFlight, ...(authed > 0 ? { auth: authSummary(authMs.subarray(0, authed)) } : {}) },
  };
}

function authSummary(durations: Float64Array): NonNullable<PacedStats['auth']> {
  const sorted = Float64Array.from(durations).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}
