// One bounded load run with autocannon (closed loop: each connection sends its next request when
// the previous answer arrives; paced.ts offers a fixed rate instead). Latencies are kept per response, so percentiles are exact and
// those of successful answers are not mixed with fast refusals.
import autocannon from 'autocannon';

export interface RequestShape {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  /** The next request to send (called for every request, so each can differ). */
  next: () => RequestShape;
  /**
   * Requests per second over all connections; unset: as fast as answered. autocannon sends each
   * connection's share of a second back to back when the second begins: bursts, not a paced load
   * (the /health probe on one connection only; paced.ts offers a steady rate).
   */
  overallRate?: number;
}

export interface LoadResult {
  durationS: number;
  /** Answers of every status. */
  responses: number;
  /** 2xx answers per second. */
  rps: number;
  /** Milliseconds, over 2xx answers. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Connection errors, timeouts, and answers that are neither 2xx nor a refusal under load. */
  errors: number;
  /** 503 and 429 answers: load shed or throttled on purpose. */
  shed: number;
  statuses: Record<string, number>;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let okCount = 0;
  const statuses: Record<string, number> = {};
  const began = performance.now();
  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: spec.url,
      connections: spec.connections,
      duration: spec.durationS,
      pipelining: 1,
      timeout: 30,
      ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
      requests: [{ setupRequest: (request) => ({ ...request, ...spec.next() }) }],
    },
    (err, result) => (err ? fail(err) : finish(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode < 200 || statusCode >= 300) return;
    if (okCount === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[okCount++] = responseTime;
  });
  const result = await done;
  const elapsedS = Math.max(result.duration, (performance.now() - began) / 1000, 1e-3);
  // autocannon counts timeouts among its errors.
  return summarize(latencies.subarray(0, okCount), statuses, result.errors, elapsedS);
}

/** The result of a run from the latencies of its 2xx answers, every answer's status, and the requests that got none. */
export function summarize(okLatencies: Float64Array, statuses: Record<string, number>, unanswered: number, elapsedS: number): LoadResult {
  const sorted = Float64Array.from(okLatencies).sort();
  const count = (codes: number[]) => codes.reduce((sum, code) => sum + (statuses[code] ?? 0), 0);
  const shed = count([503, 429]);
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    durationS: elapsedS,
    responses,
    rps: sorted.length / elapsedS,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    errors: unanswered + (responses - sorted.length - shed),
    shed,
    statuses,
  };
}
